"""The rendering matrix: one scorecard report rendered many ways, each rendering named by its options.

A rendering is a :class:`Variant`, one value per option of :data:`OPTIONS` (e.g. producer "fpdf", narrow
columns, the header split over two rows, the total written "97,45/100" in a row merged over three columns).
:func:`variants` lists the renderings of one producer: every pair of option values appears together in at
least one of them (a seeded greedy all-pairs selection over the full product), so a failing rendering is
named by its options and made again by :func:`render` with the same variant.

Producers: ``lo`` (python-docx, then LibreOffice headless to PDF), ``fpdf`` (fpdf2 drawing the ruled table
itself: a second, independent PDF producer), ``docx`` (the DOCX itself), ``xlsx`` (openpyxl: the appendix
alone under its caption rows) and ``text`` (the seed format, the reference every other rendering must
agree with). e.g. ``render(variant, card, outdir)`` writes ``outdir/<variant.name>.<ext>``.
"""

from __future__ import annotations

import functools
import itertools
import random
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from .layout import Report, classify
from .matrix_cards import Card
from .matrix_table import build_spec

# Every option and its values; the first value of each is the default of producers it does not concern.
OPTIONS: dict[str, tuple[str, ...]] = {
    "cover": ("letter", "alone"),  # the cover letter before the appendix, or the appendix alone
    "page": ("portrait", "landscape"),  # the appendix's page
    "font": ("serif12", "sans11", "condensed13"),  # DejaVu Serif 12, DejaVu Sans 11, DejaVu Sans Condensed 13
    "widths": ("wide", "narrow"),  # narrow: "STT" and "97,45/100" wrap inside their cells, mid-word
    "rules": ("grid", "columns"),  # columns: no rules between body rows
    "header": ("one", "two"),  # two: "Điểm" over "Tối đa" | "Đạt", the points columns last
    "labels": ("full", "short", "so-tt"),  # STT/TT/Số TT, Điểm tối đa/Thang điểm/Điểm chuẩn, …
    "total_label": ("TỔNG ĐIỂM", "Tổng cộng", "Cộng"),
    "total_value": ("plain", "of100", "diem"),  # "97,45", "97,45/100", "97,45 điểm"
    "total_span": ("2", "3"),  # columns the total's label spans
    "split": ("early", "late", "cut"),  # where the appendix breaks across pages (cut: inside a row)
}
# The options each producer's output depends on (the others stay at their default).
RELEVANT: dict[str, tuple[str, ...]] = {
    "lo": tuple(OPTIONS),
    "fpdf": tuple(OPTIONS),
    "docx": ("cover", "widths", "header", "labels", "total_label", "total_value", "total_span"),
    "xlsx": ("cover", "widths", "header", "labels", "total_label", "total_value", "total_span"),
    "text": ("cover",),
}
ONLY: dict[str, dict[str, tuple[str, ...]]] = {"xlsx": {"cover": ("alone",)}}
# (name, TTF stem under FONT_DIR, size): faces with Vietnamese glyphs (Debian's Liberation fonts have none).
FONTS = {
    "serif12": ("DejaVu Serif", "dejavu/DejaVuSerif", 12),
    "sans11": ("DejaVu Sans", "dejavu/DejaVuSans", 11),
    "condensed13": ("DejaVu Sans Condensed", "dejavu/DejaVuSansCondensed", 13),
}
FONT_DIR = Path("/usr/share/fonts/truetype")
SEED = 20261003
POOL = 3000  # candidate combinations the all-pairs selection draws from (every pair is among them)


@dataclass(frozen=True)
class Variant:
    card: str
    producer: str
    cover: str = "letter"
    page: str = "portrait"
    font: str = "serif12"
    widths: str = "wide"
    rules: str = "grid"
    header: str = "one"
    labels: str = "full"
    total_label: str = "TỔNG ĐIỂM"
    total_value: str = "plain"
    total_span: str = "2"
    split: str = "early"

    @property
    def name(self) -> str:
        """e.g. 'hoa-binh.fpdf.alone.landscape.sans11.narrow.columns.two.short.cong.of100.3.cut'."""
        values = [getattr(self, f.name) for f in fields(self)]
        return ".".join(_slug(v) for v in values)

    def options(self) -> dict[str, str]:
        return asdict(self)


def _slug(value: str) -> str:
    plain = value.casefold().replace("ổ", "o").replace("ộ", "o").replace("đ", "d").replace("ể", "e")
    return re.sub(r"[^a-z0-9-]+", "-", plain).strip("-")


def variants(cards: tuple[str, ...], producer: str, seed: int = SEED) -> list[Variant]:
    """Renderings of one producer covering every pair of values of its relevant options, the card being one
    of them (greedy all-pairs over the full product, shuffled by ``seed``), in a fixed order."""
    names = ("card", *RELEVANT[producer])
    domains = [tuple(sorted(cards)), *(ONLY.get(producer, {}).get(n, OPTIONS[n]) for n in names[1:])]
    product = list(itertools.product(*domains))
    random.Random(f"{seed}:{producer}").shuffle(product)
    pool = [(combo, _pairs(combo)) for combo in product[:POOL]]
    wanted = set().union(*(pairs for _, pairs in pool))
    chosen: list[tuple[str, ...]] = []
    while wanted:
        best, pairs = max(pool, key=lambda item: len(item[1] & wanted))
        chosen.append(best)
        wanted -= pairs
    return [Variant(producer=producer, **dict(zip(names, combo, strict=True))) for combo in chosen]


def _pairs(combo: tuple[str, ...]) -> set[tuple[int, str, int, str]]:
    return {(i, a, j, b) for (i, a), (j, b) in itertools.combinations(enumerate(combo), 2)}


def all_variants(cards: Iterable[str], producers: Iterable[str], seed: int = SEED) -> list[Variant]:
    return [v for producer in producers for v in variants(tuple(cards), producer, seed)]


def report_of(card: Card) -> Report:
    """The card's text read as the parts of an administrative document."""
    return _report(card.text, card.name)


@functools.cache
def _report(text: str, name: str) -> Report:
    from extractor import parse

    return classify(parse(text.encode(), filename=f"{name}.txt"))


def font_file(variant: Variant, style: str = "") -> Path:
    """The TTF of the variant's font, e.g. LiberationSerif-Regular.ttf; style '' / 'B' / 'I'."""
    stem = FONTS[variant.font][1]
    suffix = {"": "", "B": "-Bold", "I": "-Italic" if "Serif" in stem else "-Oblique"}[style]
    return FONT_DIR / f"{stem}{suffix}.ttf"


def missing_tools(producer: str) -> str | None:
    """Why the producer cannot run on this machine, or None."""
    if producer == "lo" and shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if producer in ("lo", "fpdf", "docx"):  # DOCX column widths are measured in the fonts too
        absent = [str(font_file(Variant("", "", font=f), s)) for f in FONTS for s in ("", "B", "I")]
        absent = [p for p in absent if not Path(p).exists()]
        if absent:
            return f"fonts missing (Debian fonts-dejavu-core, fonts-liberation): {absent[0]}"
    return None


def text_rendering(rep: Report, card: Card, cover: bool) -> str:
    """The seed format: the letter (when ``cover``), the appendix's title lines and its tab-separated rows."""
    if cover:
        return card.text
    assert rep.appendix is not None
    rows = ["\t".join(" ".join(cell.split()) for cell in row) for row in rep.appendix.texts()]
    return "\n\n".join(rep.annex) + "\n\n" + "\n".join(rows) + "\n"


def render(variant: Variant, card: Card, outdir: Path) -> Path:
    """Write one rendering (a LibreOffice PDF is written as DOCX here; :func:`convert` makes the PDFs)."""
    from .matrix_docx import write_docx
    from .matrix_pdf import write_pdf
    from .matrix_xlsx import write_xlsx

    rep = report_of(card)
    spec = build_spec(rep, variant)
    path = outdir / variant.name
    if variant.producer == "text":
        out = path.with_name(path.name + ".txt")
        out.write_text(text_rendering(rep, card, variant.cover == "letter"), encoding="utf-8")
        return out
    if variant.producer in ("lo", "docx"):
        out = path.with_name(path.name + ".docx")
        write_docx(rep, spec, variant, out)
        return out
    if variant.producer == "fpdf":
        out = path.with_name(path.name + ".pdf")
        write_pdf(rep, spec, variant, out, font_file)
        return out
    out = path.with_name(path.name + ".xlsx")
    write_xlsx(rep, spec, out)
    return out


def convert(docx_files: list[Path], profile: Path, batch: int = 12) -> list[Path]:
    """LibreOffice headless: DOCX → PDF beside each file, several files per call; returns the PDFs."""
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    for i in range(0, len(docx_files), batch):
        part = docx_files[i : i + batch]
        outdir = part[0].parent
        subprocess.run([*cmd, "--outdir", str(outdir), *map(str, part)], check=True, capture_output=True, timeout=600)
    return [p.with_suffix(".pdf") for p in docx_files]


def describe(variant: Variant) -> str:
    """The options that differ from the defaults, e.g. 'widths=narrow, total_value=of100'."""
    default = replace(variant, **{n: OPTIONS[n][0] for n in OPTIONS})
    diff = [f"{n}={getattr(variant, n)}" for n in OPTIONS if getattr(variant, n) != getattr(default, n)]
    return ", ".join(diff) or "defaults"
