"""Does underthesea's NER help find the signer? Compare it with the signature-block rule on real files.

For every readable seed, sample and real document: the signer found by extractor/rules/header.py (a
name line after TM./KT./TL. and title lines) beside the PER entities underthesea finds in the same
signature block, and the time NER takes. Prints one line per file and a summary.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from underthesea import ner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import ExtractorError, parse  # noqa: E402
from extractor.files import report_files  # noqa: E402
from extractor.rules.header import _SIGN_MARK, extract_header  # noqa: E402
from extractor.rules.lines import body_lines  # noqa: E402


def ner_people(lines: list[str]) -> list[str]:
    people: list[str] = []
    for line in lines:
        current: list[str] = []
        for word, _pos, _chunk, tag in ner(line):
            if tag.endswith("PER"):
                current.append(word)
            elif current:
                people.append(" ".join(current))
                current = []
        if current:
            people.append(" ".join(current))
    return people


def signature_block(doc) -> list[str]:  # type: ignore[no-untyped-def]
    lines = body_lines(doc)
    for i, line in enumerate(lines):
        if _SIGN_MARK.match(line.text):
            return [ln.text for ln in lines[i : i + 14]]
    return []


def main() -> None:
    files = [p for p in report_files([ROOT / "samples"]) if p.name[:1].isdigit()]
    files += sorted((ROOT.parent / "shared" / "realdocs").glob("[0-9]*"))
    agree = rule_only = ner_only = differ = neither = 0
    ner_seconds = 0.0
    for path in files:
        try:
            doc = parse(path)
        except ExtractorError:
            continue
        rule = extract_header(doc).info.signer
        started = time.perf_counter()
        people = ner_people(signature_block(doc))
        ner_seconds += time.perf_counter() - started
        if rule and rule in people:
            agree += 1
        elif rule and not people:
            rule_only += 1
        elif people and not rule:
            ner_only += 1
        elif rule or people:
            differ += 1
        else:
            neither += 1
        print(f"{path.name[:45]:45}  rule: {rule or '—':24}  NER: {', '.join(people) or '—'}")
    print(
        f"\nagree {agree}, rule only {rule_only}, NER only {ner_only}, differ {differ}, neither {neither}; "
        f"NER time {ner_seconds:.2f} s in all"
    )


if __name__ == "__main__":
    main()
