"""Character error rate of OCR on a real scan against the same report typed (realdocs 18 against 17).

    .venv/bin/python scripts/ocr_cer.py [--dpi 200 300] [--scan 18_] [--reference 17_]

The scan is read by the product (``extractor.parse``, OCR at each resolution given); the reference is the
DOCX of the same report. Both texts (body blocks: paragraphs and table cells, in reading order) are
normalised the same way before they are compared:

  - Unicode NFC, then ``str.casefold`` (case is not counted: a heading typed in capitals in one and in
    small letters in the other is the same text);
  - every run of whitespace (spaces, line breaks, tabs) becomes one space; nothing else is changed
    (diacritics, punctuation and digits count).

The scan may hold only part of the reference's text, pages the reference does not have (a cover letter) and
passages of another version of the report: the two word sequences are aligned (difflib), and only the
stretch between the first and the last run of ``ANCHOR`` or more words found in both is compared. Within it,
each unmatched piece of the alignment counts its character edit distance (insertions, deletions,
substitutions) when it is short (at most ``MAX_PIECE`` words on either side) or when its two sides are
alike (an edit distance of at most half the longer side); a longer piece whose sides are not alike is text
one version has and the other has not, not an OCR error: it is left out and the words left out are printed.
CER = edit distance / reference characters compared (an upper bound of the true distance: the alignment is
word-wise). Prints the CER and the OCR seconds per page for each resolution.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import ParseOptions, parse  # noqa: E402
from extractor.model import Document  # noqa: E402

REALDOCS = ROOT.parent / "shared" / "realdocs"
ANCHOR = 4  # words in a row found in both texts that anchor the compared stretch
MAX_PIECE = 3  # an unmatched piece of at most this many words is an OCR error, whatever it is


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def body_text(doc: Document) -> str:
    parts: list[str] = []
    for block in doc.body:
        if block.kind == "table":
            parts += [cell.text for row in block.rows for cell in row.cells]
        else:
            parts.append(block.text)
    return normalise(" ".join(parts))


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(ocr: str, reference: str) -> tuple[float, int, int, int]:
    """(CER, edit distance, reference characters compared, reference words left out as content differences)."""
    a, b = ocr.split(), reference.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    anchors = [m for m in matcher.get_matching_blocks() if m.size >= ANCHOR]
    if not anchors:
        return 1.0, len(reference), len(reference), 0
    a0, b0 = anchors[0].a, anchors[0].b
    a1, b1 = anchors[-1].a + anchors[-1].size, anchors[-1].b + anchors[-1].size
    a, b = a[a0:a1], b[b0:b1]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    distance = compared = left_out = 0
    for op, i0, i1, j0, j1 in matcher.get_opcodes():
        ours, theirs = " ".join(a[i0:i1]), " ".join(b[j0:j1])
        if op == "equal":
            compared += len(theirs) + 1
            continue
        edits = levenshtein(ours, theirs)
        small = max(i1 - i0, j1 - j0) <= MAX_PIECE
        if small or edits <= 0.5 * max(len(ours), len(theirs)):
            distance += edits
            compared += len(theirs) + 1
        else:  # text one version has and the other has not (or has reworded): not an OCR error
            left_out += j1 - j0
    return distance / max(compared, 1), distance, compared, left_out


def _find(prefix: str) -> Path:
    matches = sorted(REALDOCS.glob(f"{prefix}*"))
    if not matches:
        raise SystemExit(f"no {prefix}* in {REALDOCS}: the real documents are not checked out beside the project")
    return matches[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpi", type=int, nargs="+", default=[ParseOptions().ocr_dpi])
    ap.add_argument("--scan", default="18_")
    ap.add_argument("--reference", default="17_")
    ap.add_argument("--workers", type=int, default=None, help="OCR processes (default: one per core)")
    args = ap.parse_args()
    scan, reference = _find(args.scan), _find(args.reference)
    ref = body_text(parse(reference))
    print(f"scan {scan.name}\nreference {reference.name} ({len(ref):,} characters after normalisation)")
    print(f"{'dpi':>5} {'CER':>7} {'edits':>7} {'ref chars':>9} {'left out':>8} {'pages':>5} {'s/page':>7} {'conf':>5}")
    for dpi in args.dpi:
        started = time.perf_counter()
        doc = parse(scan, options=ParseOptions(ocr_dpi=dpi, ocr_workers=args.workers))
        seconds = time.perf_counter() - started
        rate, edits, chars, left_out = cer(body_text(doc), ref)
        pages = len(doc.source.ocr_pages)
        print(
            f"{dpi:>5} {rate:>7.2%} {edits:>7} {chars:>9} {left_out:>8} {pages:>5} {seconds / max(pages, 1):>7.2f}"
            f" {doc.source.ocr_confidence or 0:>5.1f}"
        )
    print("left out: reference words in passages the two versions do not share (not counted as OCR errors)")


if __name__ == "__main__":
    main()
