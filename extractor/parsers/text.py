"""Plain text and Markdown, in the forms reports arrive as text conversions.

What it recognises (each with an example from real conversions):
  - tab-separated tables                    e.g. "STT\\tTiêu chí\\tĐiểm tối đa\\t…" then one line per row
  - a row continued on later lines          e.g. "\\t\\t\\t<ul><li>- KH số 19/KH-UBND …</li></ul>\\t" after a
    with an empty first cell (STT)               blank line: its cells are appended to the row above
  - Markdown pipe tables                    e.g. "| STT | Tiêu chí |" / "|---|---|"
  - HTML fragments inside cells             e.g. "<ul><li>…</li></ul>", "<br>", "<b>TỔNG ĐIỂM</b>"
  - LaTeX artefacts                         e.g. "$\\geq 70$" -> "≥ 70", "$< 70$" -> "< 70"
  - Markdown headings, bold, bullets        e.g. "### I. KẾT QUẢ", "**PHỤ LỤC**", "- Như trên;"
  - a paragraph broken by a blank line      e.g. "… tại các thôn trong" / "" / "công tác tuyên truyền …"
    (the next part starts in lower case and the first does not end a sentence)
  - form feeds as page breaks               e.g. pdftotext output

The document text is the file's text with markup removed; characters are kept as written (NFD, no-break
spaces, old tone marks), and every block carries the 1-based line of the file it starts on.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from extractor.builder import CellSpec, DocumentBuilder
from extractor.errors import UnsupportedFormatError
from extractor.model import Document, Source
from extractor.options import ParseOptions
from extractor.sniff import BINARY, decode_text


@dataclass
class _Line:
    text: str
    number: int  # 1-based line in the file
    page: int | None


@dataclass
class _Para:
    lines: list[_Line]
    style: str | None = None
    level: int | None = None
    list_label: str | None = None


@dataclass
class _TableRows:
    rows: list[list[str]]
    first_lines: list[int]
    page: int | None
    header_rows: int = 0
    pipe: bool = False


def parse(data: bytes, source: Source, options: ParseOptions) -> Document:
    decoded = decode_text(data)
    if decoded is None:
        raise UnsupportedFormatError(*BINARY)
    text = decoded[0]
    builder = DocumentBuilder(source)
    if len(text) > options.max_text_chars:
        limit = options.max_text_chars
        builder.notice(
            "text_truncated",
            f"Tệp văn bản dài {len(text):,} ký tự, vượt giới hạn {limit:,}: chỉ đọc {limit:,} ký tự đầu; "
            "kết quả kiểm tra chỉ dựa trên phần đã đọc.",
            f"The text file is {len(text):,} characters long, over the limit of {limit:,}: only the first "
            f"{limit:,} were read; the audit covers only those.",
        )
        text = text[:limit]
    lines, pages = _split_lines(text)
    for number in range(1, pages + 1) if pages > 1 else ():
        builder.add_page(number)
    source.pages = pages if pages > 1 else None
    for item in _blocks(lines):
        if isinstance(item, _TableRows):
            _emit_table(builder, item)
        else:
            _emit_paragraph(builder, item)
    return builder.build()


def _split_lines(text: str) -> tuple[list[_Line], int]:
    out: list[_Line] = []
    page = 1
    for number, raw in enumerate(regex.split(r"\r\n|\r|\n", text), start=1):
        parts = raw.split("\f")
        for i, part in enumerate(parts):
            if i:
                page += 1
            out.append(_Line(part, number, page))
    has_pages = page > 1
    if not has_pages:
        for line in out:
            line.page = None
    return out, page


# ---------------------------------------------------------------- block segmentation

_HEADING = regex.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")  # e.g. "### I. KẾT QUẢ TỔNG HỢP"
_BULLET = regex.compile(r"^\s*([-+*•–]|\d{1,2}[.)]|[a-zđ][.)])\s+\S")  # e.g. "- Như trên;", "a) Phòng …"
_PIPE_ROW = regex.compile(r"^\s*\|.*\|\s*$")  # e.g. "| STT | Tiêu chí |"
_PIPE_SEP = regex.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")  # e.g. "|---|:---:|"
_SENTENCE_END = regex.compile(r"[.:;!?…)\]\"”'/]\s*$")
_LOWER_START = regex.compile(r"^\s*\p{Ll}")


def _is_tab_row(line: _Line) -> bool:
    return "\t" in line.text and sum(1 for c in line.text.split("\t") if c.strip()) >= 1


def _blocks(lines: list[_Line]) -> list[_Para | _TableRows]:
    out: list[_Para | _TableRows] = []
    i = 0
    blank_before = True
    while i < len(lines):
        line = lines[i]
        if not line.text.strip():
            i += 1
            blank_before = True
            continue
        table, i2 = _take_table(lines, i)
        if table is not None:
            out.append(table)
            i = i2
            blank_before = False
            continue
        para, i = _take_paragraph(lines, i)
        if not _continues(out, para, blank_before):
            out.append(para)
        else:
            prev = out[-1]
            assert isinstance(prev, _Para)
            prev.lines.extend(para.lines)
        blank_before = False
    return out


def _continues(out: list[_Para | _TableRows], para: _Para, blank_before: bool) -> bool:
    """A paragraph broken by a blank line (page-break artefact): join it to the previous one."""
    if not out or not blank_before or para.style or para.list_label:
        return False
    prev = out[-1]
    if not isinstance(prev, _Para) or prev.style == "heading":
        return False
    last = prev.lines[-1].text
    return bool(_LOWER_START.match(para.lines[0].text)) and not _SENTENCE_END.search(last)


def _take_paragraph(lines: list[_Line], i: int) -> tuple[_Para, int]:
    first = lines[i]
    heading = _HEADING.match(first.text)
    if heading:
        return _Para([first], style="heading", level=len(heading.group(1))), i + 1
    bullet = _BULLET.match(_strip_md(first.text))
    para = _Para([first], list_label=bullet.group(1) if bullet else None, style="list_item" if bullet else None)
    i += 1
    while i < len(lines):
        nxt = lines[i]
        if (
            not nxt.text.strip()
            or _HEADING.match(nxt.text)
            or _BULLET.match(_strip_md(nxt.text))
            or _is_tab_row(nxt)
            or _PIPE_ROW.match(nxt.text)
        ):
            break
        para.lines.append(nxt)
        i += 1
    return para, i


def _take_table(lines: list[_Line], i: int) -> tuple[_TableRows | None, int]:
    if _PIPE_ROW.match(lines[i].text):
        return _take_pipe_table(lines, i)
    if not _is_tab_row(lines[i]) or len(lines[i].text.split("\t")) < 2:
        return None, i
    rows: list[list[str]] = []
    row_lines: list[int] = []
    j = i
    while j < len(lines):
        line = lines[j]
        if not line.text.strip():
            k = j
            while k < len(lines) and not lines[k].text.strip():
                k += 1
            if k < len(lines) and _is_tab_row(lines[k]):
                j = k
                continue
            break
        if not _is_tab_row(line):
            break
        cells = line.text.split("\t")
        if rows and _is_continuation(cells):
            _merge_into(rows[-1], cells)
        else:
            rows.append(cells)
            row_lines.append(line.number)
        j += 1
    if len(rows) < 2:
        return None, i
    table = _TableRows(rows, row_lines, lines[i].page)
    table.header_rows = _header_rows(rows)
    return table, j


def _is_continuation(cells: list[str]) -> bool:
    """A row whose first cell (STT) is empty and some other cell too: the rest of the row above."""
    stripped = [c.strip() for c in cells]
    return not stripped[0] and any(stripped[1:]) and not all(stripped[1:])


def _merge_into(row: list[str], cells: list[str]) -> None:
    while len(row) < len(cells):
        row.append("")
    for k, extra in enumerate(cells):
        if extra.strip():
            row[k] = f"{row[k]}\n{extra}" if row[k].strip() else extra


def _take_pipe_table(lines: list[_Line], i: int) -> tuple[_TableRows | None, int]:
    rows: list[list[str]] = []
    row_lines: list[int] = []
    header_rows = 0
    j = i
    while j < len(lines) and _PIPE_ROW.match(lines[j].text):
        text = lines[j].text
        if _PIPE_SEP.match(text):
            header_rows = len(rows)
        else:
            inner = text.strip()[1:-1]
            rows.append([c.replace("\\|", "|") for c in regex.split(r"(?<!\\)\|", inner)])
            row_lines.append(lines[j].number)
        j += 1
    if not rows:
        return None, i
    return _TableRows(rows, row_lines, lines[i].page, header_rows, pipe=True), j


_STT = regex.compile(r"^\s*(\d{1,3}(\.\d{1,3})*\.?|[IVXLC]{1,6}\.?|[a-zđ][.)]?)\s*$")


def _header_rows(rows: list[list[str]]) -> int:
    """Rows before the first whose first cell reads as an STT ("1", "1.2", "II", "a"); at most 3."""
    for k, row in enumerate(rows[:4]):
        if _STT.match(_clean_inline(row[0])):
            return min(k, 3)
    return 1 if len(rows) > 1 else 0


# ---------------------------------------------------------------- inline clean-up

_LATEX_SYMBOLS = {
    r"\geq": "≥",
    r"\ge": "≥",
    r"\leq": "≤",
    r"\le": "≤",
    r"\neq": "≠",
    r"\times": "×",
    r"\pm": "±",
    r"\approx": "≈",
    r"\cdot": "·",
    r"\rightarrow": "→",
    r"\to": "→",
    r"\%": "%",
    r"\div": "÷",
}
_LATEX = regex.compile(r"\$([^$\n]{1,120})\$")  # e.g. "$\geq 70$"
_LATEX_CMD = regex.compile(r"\\[A-Za-z]+|\\%")
_LATEX_TEXT = regex.compile(r"\\(?:text|mathrm|textbf|mathbf)\{([^{}]*)\}")
_TAG_BREAK = regex.compile(r"(?i)<\s*(br|/p|/li|/tr|/div)\s*/?>|<\s*li\b[^>]*>")  # e.g. "<br>", "<li>"
_TAG = regex.compile(r"(?i)</?\s*[a-z][a-z0-9]*(\s+[^<>]*)?/?>")  # e.g. '<ul style="…">', "</b>"
_MD_ESCAPE = regex.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")  # e.g. "1\." -> "1."
_MD_STRONG = regex.compile(r"\*\*|__(?=\S)|(?<=\S)__")  # e.g. "**PHỤ LỤC**"


def _latex(match: regex.Match[str]) -> str:
    body = _LATEX_TEXT.sub(r"\1", match.group(1))
    body = _LATEX_CMD.sub(lambda m: _LATEX_SYMBOLS.get(m.group(), m.group()), body)
    return body.replace("{", "").replace("}", "").strip()


def _strip_md(text: str) -> str:
    return _MD_STRONG.sub("", text)


def _clean_inline(text: str) -> str:
    """Markup out, characters kept: HTML tags, LaTeX math, Markdown emphasis and escapes."""
    text = _LATEX.sub(_latex, text)
    text = _TAG_BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = _MD_ESCAPE.sub(r"\1", _strip_md(text))
    lines = [ln.strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


# ---------------------------------------------------------------- emit


def _emit_paragraph(builder: DocumentBuilder, para: _Para) -> None:
    first = para.lines[0]
    raw = [ln.text for ln in para.lines]
    if para.style == "heading":
        m = _HEADING.match(raw[0])
        raw[0] = m.group(2) if m else raw[0]
    text = _clean_inline("\n".join(raw))
    if not text:
        return
    builder.add_paragraph(
        text,
        page=first.page,
        style=para.style,
        level=para.level,
        list_label=para.list_label,
        line=first.number,
    )


def _emit_table(builder: DocumentBuilder, table: _TableRows) -> None:
    n_cols = max(len(r) for r in table.rows)
    cells: list[CellSpec] = []
    for r, row in enumerate(table.rows):
        padded = row + [""] * (n_cols - len(row))
        for c, raw in enumerate(padded):
            cells.append(CellSpec(text=_clean_inline(raw), row=r, col=c, page=table.page, line=table.first_lines[r]))
    builder.add_table(cells, header_rows=table.header_rows, page=table.page, line=table.first_lines[0])
