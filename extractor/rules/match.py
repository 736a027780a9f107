"""Vietnamese fuzzy title matching: a row's title against a rubric's criteria.

Titles are folded (no diacritics, lower case: "Cổng" and the common typo "Công" agree), abbreviations are
expanded (e.g. "TTHC" -> "thu tuc hanh chinh", "CĐS" -> "chuyen doi so"), and compared as weighted sets of
syllables and syllable pairs. Weights are inverse document frequencies over the rubric's own criteria, so
words every criterion shares ("tỷ lệ", "hồ sơ") count little and the words that tell criteria apart
("tiếp nhận", "thanh toán") count much.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import regex

from extractor.textnorm import fold

# e.g. "CĐS" -> "chuyen doi so" (keys are folded: no diacritics, lower case)
ABBREVIATIONS = {
    "cds": "chuyen doi so",
    "cntt": "cong nghe thong tin",
    "tthc": "thu tuc hanh chinh",
    "httt": "he thong thong tin",
    "attt": "an toan thong tin",
    "cnscd": "cong nghe so cong dong",
    "ttdt": "thong tin dien tu",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "cbcc": "can bo cong chuc",
    "cbccvc": "can bo cong chuc vien chuc",
    "csdl": "co so du lieu",
    "qlvb": "quan ly van ban",
    "vt": "vien thong",
    "cnttvt": "cong nghe thong tin vien thong",
    "pvhcc": "phuc vu hanh chinh cong",
    "khcn": "khoa hoc cong nghe",
}
STOPWORDS = frozenset(
    ["cua", "va", "cac", "duoc", "co", "ve", "tren", "tai", "cho", "theo", "trong", "voi", "la", "do", "nhu"]
)
_TOKEN = regex.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Folded syllables with abbreviations expanded and stop words dropped."""
    out: list[str] = []
    for tok in _TOKEN.findall(fold(text)):
        out.extend(ABBREVIATIONS.get(tok, tok).split())
    return [t for t in out if t not in STOPWORDS]


@lru_cache(maxsize=8192)
def features(text: str) -> frozenset[str]:
    """Syllables and syllable pairs (cached: a long report compares the same subjects many times)."""
    toks = tokens(text)
    return frozenset(toks) | {f"{a} {b}" for a, b in pairwise(toks)}


@dataclass(frozen=True)
class Candidate:
    key: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    key: str
    score: float


class TitleMatcher:
    """Scores a title against candidates (each with several texts: title and aliases)."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self._feats = {c.key: [features(t) for t in c.texts] for c in candidates}
        df: Counter[str] = Counter()
        for feats in self._feats.values():
            df.update(set().union(*feats))
        n = len(candidates) or 1
        self._idf = {f: math.log(1 + n / d) for f, d in df.items()}
        self._default_idf = math.log(1 + n)
        self._weighted = {key: [(f, self._weight(f)) for f in feats] for key, feats in self._feats.items()}
        # feature -> the (candidate, text) pairs holding it: a title's common weight with every candidate text
        # in one pass over the title's features
        self._postings: dict[str, list[tuple[str, int]]] = {}
        for key, feats in self._feats.items():
            for i, text_feats in enumerate(feats):
                for f in text_feats:
                    self._postings.setdefault(f, []).append((key, i))

    def _weight(self, feats: Iterable[str]) -> float:
        return sum(self._idf.get(f, self._default_idf) for f in feats)

    def score(self, title: str, key: str) -> float:
        """0..1: how much of the title is explained by the candidate, and of the candidate by the title."""
        row = features(title)
        return self._score(row, self._weight(row), key) if row else 0.0

    def _score(self, row: frozenset[str], row_weight: float, key: str) -> float:
        best = 0.0
        for feats, weight in self._weighted.get(key, []):
            common = self._weight(row & feats)
            recall = common / (weight or 1)
            precision = common / (row_weight or 1)
            best = max(best, 0.6 * precision + 0.4 * recall)
        return best

    def ranked(self, title: str) -> list[Scored]:
        """Every candidate's score (as ``score``), best first."""
        row = features(title)
        row_weight = self._weight(row) or 1
        common: dict[tuple[str, int], float] = {}
        for f in row:
            for pair in self._postings.get(f, ()):
                common[pair] = common.get(pair, 0.0) + self._idf.get(f, self._default_idf)
        if not common:  # no feature in common with any candidate: every score is 0
            return [Scored(key, 0.0) for key in self._weighted]
        scored = []
        for key, texts in self._weighted.items():
            best = 0.0
            for i, (_, weight) in enumerate(texts):
                shared = common.get((key, i), 0.0)
                best = max(best, 0.6 * shared / row_weight + 0.4 * shared / (weight or 1))
            scored.append(Scored(key, best))
        return sorted(scored, key=lambda s: s.score, reverse=True)


TITLE_MIN = 0.5  # a title alone must explain at least this much of a criterion …
TITLE_MARGIN = 0.1  # … and beat the runner-up by this much
STT_TITLE_MIN = 0.3  # an STT match needs a title that is at least this close (guards renumbered rows)


@dataclass(frozen=True)
class RowMatch:
    key: str | None
    how: str  # "stt+title", "title", "stt", "none"
    score: float


def match_titles(
    rows: Sequence[tuple[str | None, str]], candidates: Sequence[Candidate], stts: dict[str, str]
) -> list[RowMatch]:
    """Match (stt, title) rows to candidates. ``stts`` maps a candidate's STT to its key.

    Each row takes its best title match when that is clear; the STT decides only when the title agrees
    well enough, so reordered, renumbered or abbreviated rows still match and a row matching nothing stays
    unmatched. Two rows may match one candidate: the caller reports that as a duplicate.
    """
    matcher = TitleMatcher(candidates)
    out: list[RowMatch] = []
    for stt, title in rows:
        ranked = matcher.ranked(title)
        by_stt = stts.get((stt or "").rstrip("."))
        stt_score = matcher.score(title, by_stt) if by_stt else 0.0
        best = ranked[0] if ranked else Scored("", 0.0)
        runner = ranked[1].score if len(ranked) > 1 else 0.0
        if by_stt and (stt_score >= STT_TITLE_MIN or not title.strip()) and stt_score >= best.score - TITLE_MARGIN:
            out.append(RowMatch(by_stt, "stt+title" if stt_score >= TITLE_MIN else "stt", stt_score))
        elif best.score >= TITLE_MIN and best.score - runner >= TITLE_MARGIN:
            out.append(RowMatch(best.key, "title", best.score))
        else:
            out.append(RowMatch(None, "none", best.score))
    return out
