"""The rendering matrix: one scorecard report, rendered many ways, audits to the same facts every time.

Three scorecards (seed 000 and the two planted-fault cards of samples/generator/matrix_cards.py) are rendered
by samples/generator/matrix.py: LibreOffice PDFs from DOCX, fpdf2 PDFs drawn directly, the DOCX itself, XLSX
with caption rows, and the seed text as the reference; narrow and wide columns, portrait and landscape,
three fonts, with and without rules between rows, one- and two-row headers, abbreviated labels, the total
row named, written and merged in several ways, the appendix split across pages at different rows, with the
cover letter or alone. Each rendering is named by its options (its pytest id), so a failure says which.

Metamorphic property: every rendering audits to
- the same header facts: with the letter, its number, date, commune, kind and period; alone, the parent
  document named by the caption ("Kèm theo Công văn số … ngày … của UBND …"), kind "phu_luc" and the period;
- the same rows by STT with the same claimed points and the same claimed total as the card states;
- the same set of finding codes as the seed-text rendering of the same card (with or without the letter),
  which holds the card's planted faults.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractor import Report, audit_many
from extractor.rules.points import read_points_cell
from extractor.textnorm import fold
from samples.generator import matrix
from samples.generator.matrix_cards import HOA_BINH, TAN_TIEN, Card, seed_000
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow

PRODUCERS = ("text", "docx", "xlsx", "fpdf", "lo")
WORKERS = 2


def _cards() -> dict[str, Card]:
    seed = sorted(SAMPLES.glob("000_*.txt"))
    cards = [HOA_BINH, TAN_TIEN] + ([seed_000(seed[0].read_text(encoding="utf-8"))] if seed else [])
    return {c.name: c for c in cards}


CARDS = _cards()
# Another selection of the same product: MATRIX_SEED=7 pytest … (the default is the one CI runs).
VARIANTS = matrix.all_variants(tuple(CARDS), PRODUCERS, int(os.environ.get("MATRIX_SEED", matrix.SEED)))


@dataclass
class Rendering:
    variant: matrix.Variant
    path: Path | None
    report: Report | None
    skipped: str | None = None


@dataclass
class Matrix:
    renderings: dict[str, Rendering]
    render_seconds: float
    audit_seconds: float


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    out = tmp_path_factory.mktemp("matrix")
    start = time.monotonic()
    done: dict[str, Rendering] = {}
    for v in VARIANTS:
        why = matrix.missing_tools(v.producer)
        path = None if why else matrix.render(v, CARDS[v.card], out)
        done[v.name] = Rendering(v, path, None, why)
    word = [r.path for r in done.values() if r.variant.producer == "lo" and r.path is not None]
    if word:
        with tempfile.TemporaryDirectory() as profile:
            pdfs = matrix.convert(word, Path(profile))
        for r, pdf in zip([r for r in done.values() if r.path in word], pdfs, strict=True):
            r.path = pdf
    rendered_at = time.monotonic()
    todo = [r for r in done.values() if r.path is not None]
    for r, report in zip(todo, audit_many([r.path for r in todo if r.path], workers=WORKERS), strict=True):
        r.report = report
    return Matrix(done, rendered_at - start, time.monotonic() - rendered_at)


def _reference(m: Matrix, v: matrix.Variant) -> Report:
    ref = next(
        r
        for r in m.renderings.values()
        if r.variant.producer == "text" and r.variant.card == v.card and r.variant.cover == v.cover
    )
    assert ref.report is not None
    return ref.report


def differences(v: matrix.Variant, report: Report, reference: Report, card: Card) -> list[str]:
    """What the rendering's audit says differently from what the card states (empty: it passes)."""
    out: list[str] = []
    d = report.document
    period = (d.period.start, d.period.end) if d.period else None
    if period != card.period:
        out.append(f"period {period} ≠ {card.period}")
    if v.cover == "letter":
        got = (d.kind, d.number, d.date, d.commune)
        want = ("cong_van", card.number, card.date, card.commune)
        if got != want:
            out.append(f"header {got} ≠ {want}")
    else:
        parent = d.parent
        got_parent = (parent.number, parent.date, fold(parent.issuer or "")) if parent else None
        if d.kind != "phu_luc":
            out.append(f"kind {d.kind} ≠ phu_luc")
        if got_parent is None or got_parent[:2] != (card.number, card.date) or fold(card.commune) not in got_parent[2]:
            out.append(f"parent {got_parent} ≠ {(card.number, card.date, card.commune)}")
    sc = report.scorecard
    rows = {r.stt: r.claimed_points for r in sc.rows} if sc and not sc.estimated else {}
    if rows != card.claimed:
        keys = sorted({*rows, *card.claimed} - {k for k in rows if rows[k] == card.claimed.get(k)}, key=str)
        wrong = [f"{k!r}: {rows.get(k, '-')} (want {card.claimed.get(k, '-')})" for k in keys[:5]]
        out.append(f"rows by STT differ ({len(keys)}): " + ", ".join(wrong))
    total = sc.claimed_total if sc else None
    if total != card.total:
        out.append(f"claimed total {total} ≠ {card.total}")
    quoted = sc.total_text if sc else None  # the cell as written, line wraps and all
    if quoted is None or read_points_cell(quoted).value != card.total:
        out.append(f"total quoted as {quoted!r}")
    codes = {f.code for f in report.findings}
    want_codes = {f.code for f in reference.findings}
    if codes != want_codes:
        out.append(f"findings +{sorted(codes - want_codes)} -{sorted(want_codes - codes)}")
    return out


@pytest.mark.parametrize("name", [v.name for v in VARIANTS])
def test_rendering_audits_as_the_card_says(rendered: Matrix, name: str) -> None:
    r = rendered.renderings[name]
    if r.skipped:
        pytest.skip(r.skipped)
    assert r.report is not None and r.path is not None
    card = CARDS[r.variant.card]
    problems = differences(r.variant, r.report, _reference(rendered, r.variant), card)
    assert not problems, f"{r.path.name} ({matrix.describe(r.variant)}): " + "; ".join(problems)


def test_reference_renderings_carry_the_planted_faults(rendered: Matrix) -> None:
    """The seed-text rendering of each card raises the card's planted codes (so the others must too)."""
    for r in rendered.renderings.values():
        if r.variant.producer != "text":
            continue
        card = CARDS[r.variant.card]
        assert r.report is not None
        planted = card.planted if r.variant.cover == "letter" else card.planted_alone
        assert planted <= {f.code for f in r.report.findings}, r.variant.name


def test_matrix_pass_rate(rendered: Matrix, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole matrix passes; prints the pass rate, the number of renderings and the time taken."""
    ran = [r for r in rendered.renderings.values() if r.report is not None]
    failed = [
        r.variant.name
        for r in ran
        if r.report and differences(r.variant, r.report, _reference(rendered, r.variant), CARDS[r.variant.card])
    ]
    by_producer = {p: sum(1 for r in ran if r.variant.producer == p) for p in PRODUCERS}
    with capsys.disabled():
        print(
            f"\nrendering matrix: {len(ran) - len(failed)}/{len(ran)} renderings pass "
            f"({100 * (len(ran) - len(failed)) / max(len(ran), 1):.0f}%), by producer {by_producer}; "
            f"rendered in {rendered.render_seconds:.0f} s, audited in {rendered.audit_seconds:.0f} s; "
            f"skipped {len(rendered.renderings) - len(ran)}"
        )
        for name in failed:
            print(f"  FAILED {name}")
    assert not failed
