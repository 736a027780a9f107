"""Find the scoring appendix by what its columns mean, and read its rows as written.

Column roles, recognised from folded header text whatever their order, over one or two header rows:
  stt        e.g. "STT", "TT", "Số TT"
  title      e.g. "Tiêu chí", "Nội dung tiêu chí", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Chỉ tiêu"
  max        e.g. "Điểm tối đa", "Điểm chuẩn", "Thang điểm"
  claimed    e.g. "Điểm đạt", "Điểm tự chấm", "Điểm tự đánh giá"
  appraised  e.g. "Điểm thẩm định"
  evidence   e.g. "Tài liệu kiểm chứng", "Minh chứng"
A table is a scorecard when it has a title column and a points column (max or claimed). The total row:
e.g. "TỔNG ĐIỂM", "Tổng cộng", "Tổng số điểm" with "99,25 /100"; a threshold e.g. "≥ 70 điểm: Đạt yêu cầu".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import regex

from extractor.contract import Location
from extractor.model import Cell, Document, Table
from extractor.rules.locate import Locator
from extractor.rules.points import read_points_cell as read_points
from extractor.textnorm import fold, normalize_text

# (role, folded header patterns) in priority order: the first role whose pattern matches a column wins.
ROLE_PATTERNS: list[tuple[str, regex.Pattern[str]]] = [
    ("appraised", regex.compile(r"tham dinh")),  # e.g. "Điểm thẩm định"
    ("claimed", regex.compile(r"diem dat|tu cham|tu danh gia|diem tu|diem dat duoc")),  # e.g. "Điểm tự chấm"
    ("max", regex.compile(r"toi da|diem chuan|thang diem|diem quy dinh")),  # e.g. "Điểm tối đa"
    ("evidence", regex.compile(r"kiem chung|minh chung|tai lieu")),  # e.g. "Tài liệu kiểm chứng"
    ("stt", regex.compile(r"^(stt|tt|so tt|so thu tu)$")),  # e.g. "STT"
    ("title", regex.compile(r"tieu chi|noi dung|linh vuc|chi tieu|nhiem vu")),  # e.g. "Tiêu chí"
    ("note", regex.compile(r"ghi chu")),
]
# The same patterns for a label read without its spaces: a narrow column wraps a word where it reaches
# the cell's edge ("ST" / "T", "Điể" / "m tối" / "đa"), so where the line breaks fell is unknown.
_SQUEEZED = [(role, regex.compile(pat.pattern.replace(" ", ""))) for role, pat in ROLE_PATTERNS]
# folded, e.g. "tong diem", "tong cong", "cong:" (a whole cell; "Cổng thông tin…" is no total)
_TOTAL = regex.compile(r"^(tong diem|tong cong|tong so diem)\b|^(tong|cong)\s*:?$")
# The same, read without spaces: a label wrapped inside a word ("TỔNG ĐIỂ\nM").
_TOTAL_SQUEEZED = regex.compile(r"^(tongdiem|tongcong|tongsodiem)|^(tong|cong):?$")
# The long labels read by OCR with one letter wrong, added or lost: "TOÔNG ĐIEM", "TÔNG ĐIỂM" ("tong" or
# "cong" alone are too short to read loosely: "long", "công" …).
_TOTAL_OCR = regex.compile(r"^(?:tongdiem|tongcong|tongsodiem){e<=1}$")
_THRESHOLD = regex.compile(r"(?:≥|>=|từ)\s*(\d+(?:[.,]\d+)?)\s*điểm")  # e.g. "≥ 70 điểm"
_STT = regex.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.?|[a-zđ][.)]?)$", regex.IGNORECASE)


# Points read by OCR with a confidence below this (0–100) are uncertain: a check that depends on them says
# so instead of asserting a mismatch. A points cell is read four times and its confidence is capped by the
# share of readings that agree (``parsers.ocr_table``), so 80 marks every cell the readings disagree on
# (3 of 4: 75) and every one Tesseract itself doubts. Measured on scans of seed 000 and a narrow matrix
# appendix: at 200 dpi (seeds 0–4, turned 0.3–1.5°) 720/720 claimed cells right, 10 of them below 80; at
# 150 dpi with heavy noise and JPEG 40, 215/216 right, 20 below 80; the wrong one ("497" for "4,97") read
# at 95, which is why points above their row's maximum are doubted too (``checks.scores.row_doubt``). Before
# the cells were read four times, the misread ones scored 0–52.
LOW_CONFIDENCE = 80.0


@dataclass(frozen=True)
class OcrRead:
    """How a points cell was read by OCR: its lowest word confidence (0–100) and what was repaired in it
    (e.g. "O→0"). Absent for a cell read from a text layer."""

    confidence: float
    repair: str | None = None

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def uncertain(self) -> bool:
        """Low confidence, or a look-alike letter read as a digit ("S→5"): the number may not be the one printed."""
        return self.low or "→" in (self.repair or "")


def ocr_read(cell: Cell | None) -> OcrRead | None:
    if cell is None or cell.confidence is None:
        return None
    return OcrRead(cell.confidence, cell.repair)


@dataclass
class Columns:
    roles: dict[str, int]
    header_rows: int

    def get(self, role: str) -> int | None:
        return self.roles.get(role)


@dataclass
class RawRow:
    """A scorecard row as written, before rubric matching and recomputation."""

    row: int
    stt: str | None
    parent_stt: str | None
    title: str
    max_points: Decimal | None
    claimed_points: Decimal | None
    appraised_points: Decimal | None
    max_text: str | None
    claimed_text: str | None
    evidence: Cell | None
    location: Location
    claimed_ocr: OcrRead | None = None  # the claimed points were read by OCR
    max_ocr: OcrRead | None = None  # the maximum points were read by OCR

    @property
    def ocr_confidence(self) -> float | None:
        return self.claimed_ocr.confidence if self.claimed_ocr else None

    @property
    def low_confidence(self) -> bool:
        return bool(self.claimed_ocr and self.claimed_ocr.low)

    @property
    def ocr_repair(self) -> str | None:
        return self.claimed_ocr.repair if self.claimed_ocr else None


@dataclass
class RawScorecard:
    table: Table
    table_index: int
    columns: Columns
    rows: list[RawRow] = field(default_factory=list)
    claimed_total: Decimal | None = None
    max_total: Decimal | None = None
    total_text: str | None = None
    total_location: Location | None = None
    threshold: Decimal | None = None
    threshold_text: str | None = None
    total_ocr: OcrRead | None = None  # the claimed total was read by OCR


def detect_columns(table: Table) -> Columns | None:
    grid = table.grid()
    n_header = _header_row_count(table)
    texts = table.texts()
    labelled = [r for r in range(n_header) if not is_column_numbering(texts[r])]
    roles: dict[str, int] = {}
    for col in range(table.n_cols):
        parts = []
        for r in labelled:
            cell = grid[r][col]
            if cell is not None and cell.text not in parts:
                parts.append(cell.text)
        role = column_role(" ".join(parts))
        if role and role not in roles:
            roles[role] = col
    if "title" not in roles or not ({"max", "claimed"} & roles.keys()):
        return None
    if "stt" not in roles and 0 not in roles.values() and _numbered(texts[n_header:]):
        roles["stt"] = 0  # a label OCR misread ("SIT" for "STT") over a column of row numbers
    return Columns(roles, n_header)


# The first column numbers the rows when at least this share of its filled data cells are numbers (STT).
_NUMBERED = 0.8


def _numbered(rows: list[list[str]]) -> bool:
    firsts = [row[0].strip() for row in rows if row and row[0].strip()]
    return len(firsts) >= 2 and sum(1 for t in firsts if _STT.match(t)) >= _NUMBERED * len(firsts)


def column_role(label: str) -> str | None:
    """The role a header label names, e.g. "Điểm tối đa" → max; also with its line wraps anywhere, even
    inside a word: "ST\nT" → stt, "Điể\nm tối\nđa" → max (read without spaces when read with them fails)."""
    folded = fold(label)
    role = next((role for role, pat in ROLE_PATTERNS if pat.search(folded)), None)
    if role is None:
        squeezed = folded.replace(" ", "")
        role = next((role for role, pat in _SQUEEZED if pat.search(squeezed)), None)
    return role


def unwrap_stt(text: str) -> str:
    """An STT cell as its number: "1.1.\n2" (wrapped in a narrow column) → "1.1.2"; other text unchanged."""
    if "\n" not in text or _STT.match(text):
        return text
    joined = "".join(text.split())
    return joined if _STT.match(joined) else text


def _header_row_count(table: Table) -> int:
    """Rows before the first whose first cell is an STT; at most 3 (two- and three-row headers). A row that
    only numbers the columns ("1 2 3 4 5", "(1) (2) (3)", "A B C") belongs to the header."""
    texts = table.texts()
    for r, row in enumerate(texts[:5]):
        if row and r > 0 and _STT.match(row[0].strip()) and not is_column_numbering(row):
            return r
    return max(1, min(table.header_rows, 3))


def is_column_numbering(row: list[str]) -> bool:
    """e.g. ["1", "2", "3", "4", "5"], ["(1)", "(2)", "(3)"], ["A", "B", "C"]: consecutive labels only."""
    labels = [regex.sub(r"^\((.+)\)$", r"\1", c.strip()) for c in row if c.strip()]
    if len(labels) < 3:
        return False
    if all(x.isdigit() for x in labels):
        return [int(x) for x in labels] == list(range(int(labels[0]), int(labels[0]) + len(labels)))
    return "".join(labels) in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def find_scorecard_table(doc: Document) -> tuple[int, Table, Columns] | None:
    best: tuple[int, int, Table, Columns] | None = None
    for i, table in enumerate(doc.tables):
        cols = detect_columns(table)
        if cols is None:
            continue
        score = len(cols.roles) * 1000 + table.n_rows
        if best is None or score > best[0]:
            best = (score, i, table, cols)
    return None if best is None else (best[1], best[2], best[3])


def read_scorecard(doc: Document) -> RawScorecard | None:
    found = find_scorecard_table(doc)
    if found is None:
        return None
    index, table, cols = found
    card = RawScorecard(table, index, cols)
    locator = Locator(doc)
    grid = table.grid()
    for r in range(cols.header_rows, table.n_rows):
        cells = grid[r]
        if _is_total(cells, cols):
            _read_total(card, cells, cols, locator)
            continue
        row = _read_row(table, r, cells, cols, locator, card.rows)
        if row is not None:
            card.rows.append(row)
    return card


def _cell(cells: list[Cell | None], col: int | None) -> Cell | None:
    return None if col is None or col >= len(cells) else cells[col]


def _text(cells: list[Cell | None], col: int | None) -> str:
    cell = _cell(cells, col)
    return "" if cell is None else normalize_text(cell.text).strip()


def _is_total(cells: list[Cell | None], cols: Columns) -> bool:
    """A total row, labelled in its STT or title cell, e.g. "TỔNG ĐIỂM", "Tổng\ncộng", "TỔNG ĐIỂ\nM", "Cộng";
    read by OCR, one letter may be off ("TOÔNG ĐIEM")."""
    first = _cell(cells, cols.get("stt")) if _text(cells, cols.get("stt")) else _cell(cells, cols.get("title"))
    title = _cell(cells, cols.get("title"))
    return any(_total_label(cell) for cell in (first, title) if cell is not None)


def _total_label(cell: Cell) -> bool:
    folded = fold(cell.text)
    squeezed = folded.replace(" ", "")
    if _TOTAL.match(folded) or _TOTAL_SQUEEZED.match(squeezed):
        return True
    return cell.confidence is not None and bool(_TOTAL_OCR.match(squeezed))


def _read_row(
    table: Table, r: int, cells: list[Cell | None], cols: Columns, locator: Locator, previous: list[RawRow]
) -> RawRow | None:
    stt = unwrap_stt(_text(cells, cols.get("stt"))) or None
    title = " ".join(_text(cells, cols.get("title")).split())  # a PDF cell keeps its visual line breaks
    if not stt and not title:
        return None
    max_text = _text(cells, cols.get("max")) or None
    claimed_text = _text(cells, cols.get("claimed")) or None
    ev_col = cols.get("evidence")
    evidence = cells[ev_col] if ev_col is not None and ev_col < len(cells) else None
    return RawRow(
        row=r,
        stt=stt,
        parent_stt=parent_of(stt, [p.stt for p in previous]),
        title=title,
        max_points=read_points(max_text).value if max_text else None,
        claimed_points=read_points(claimed_text).value if claimed_text else None,
        appraised_points=_points_of(_text(cells, cols.get("appraised"))),
        max_text=max_text,
        claimed_text=claimed_text,
        evidence=evidence,
        location=locator.row(table, r),
        claimed_ocr=ocr_read(_cell(cells, cols.get("claimed"))),
        max_ocr=ocr_read(_cell(cells, cols.get("max"))),
    )


def _points_of(text: str) -> Decimal | None:
    return read_points(text).value if text else None


_ROMAN = regex.compile(r"[IVXLC]{1,6}\.?")


def parent_of(stt: str | None, earlier: list[str | None]) -> str | None:
    """ "1.3.1" -> "1.3"; a letter item ("a") -> the nearest numbered row above; a number under a Roman
    section ("I" then "1", "2") -> that section; top level -> None."""
    if not stt:
        return None
    s = stt.rstrip(".")
    if "." in s:
        return s.rsplit(".", 1)[0]
    if regex.fullmatch(r"[a-zđ]\)?", s):
        return next((e.rstrip(".") for e in reversed(earlier) if e and regex.match(r"\d", e)), None)
    if s.isdigit():
        return next((e.rstrip(".") for e in reversed(earlier) if e and _ROMAN.fullmatch(e)), None)
    return None


def _read_total(card: RawScorecard, cells: list[Cell | None], cols: Columns, locator: Locator) -> None:
    claimed = _text(cells, cols.get("claimed"))
    reading = read_points(claimed) if claimed else None
    source = _cell(cells, cols.get("claimed"))
    if reading is None or reading.value is None:
        others = {cols.get("max"), cols.get("appraised")}  # a blank form's total row holds only the maxima
        numeric = [
            c
            for i, c in enumerate(cells)
            if c is not None
            and i not in others
            and c.col not in others
            and read_points(normalize_text(c.text)).value is not None
        ]
        if numeric:
            source = numeric[-1]
            claimed = normalize_text(source.text).strip()
            reading = read_points(claimed)
    if reading is not None:
        card.total_ocr = ocr_read(source)
        card.claimed_total = reading.value
        card.max_total = reading.max or _points_of(_text(cells, cols.get("max")))
        card.total_text = claimed
    row_cells = [c for c in cells if c is not None]
    if row_cells:
        card.total_location = locator.at(row_cells[0].start, row_cells[-1].end)
    for cell in {id(c): c for c in row_cells}.values():
        m = _THRESHOLD.search(normalize_text(cell.text))
        if m:
            card.threshold = Decimal(m.group(1).replace(",", "."))
            card.threshold_text = normalize_text(cell.text).strip()
