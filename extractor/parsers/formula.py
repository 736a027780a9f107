"""A small spreadsheet formula evaluator for workbooks saved without cached values.

Files written by openpyxl or a report generator keep formulas ("=SUM(E2:E19)") but no computed result
until a spreadsheet program recalculates them. :class:`Evaluator` computes the common ones exactly, in
:class:`~decimal.Decimal`:

    SUM, AVERAGE, MIN, MAX, COUNT over ranges and lists   e.g. =SUM(E2:E19), =MAX(A1, B2:B5, 3)
    ROUND(x, digits) with halves away from zero           e.g. =ROUND(E9*5, 2)
    + - * / %, unary minus, parentheses                   e.g. =(C2-C3)/C4*100
    references to other sheets and to other formula cells e.g. ='Phụ lục'!E20 (cycles are refused)

Anything else (text operators, comparisons, other functions, external links, names) raises
:class:`FormulaError` with a Vietnamese and an English reason: a value is never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException
from typing import NoReturn

import regex
from openpyxl.utils.cell import column_index_from_string, get_column_letter

Key = tuple[int, int]  # (row, col), 1-based like openpyxl
Slot = tuple[str, Key]  # (sheet title, key)
MAX_ROW, MAX_COL = 1_048_576, 16_384
# Cell visits allowed per workbook before evaluation gives up (keeps hostile files fast).
VISIT_BUDGET = 2_000_000
# Formula cells computed inside one another on the Python stack before a deeper chain is resumed afresh.
MAX_DEPTH = 40
# Excel keeps 15 significant digits; computed results are rounded to that once, at the end.
_RESULT = Context(prec=15)


class FormulaError(Exception):
    """Why a formula cannot be computed; ``cell`` names the referenced cell where the trouble lies, if any."""

    def __init__(self, reason_vi: str, reason_en: str, cell: str | None = None) -> None:
        super().__init__(reason_en)
        self.reason_vi, self.reason_en, self.cell = reason_vi, reason_en, cell

    @property
    def message_vi(self) -> str:
        return self.reason_vi + (f" (tại ô {self.cell})" if self.cell else "")

    @property
    def message_en(self) -> str:
        return self.reason_en + (f" (at cell {self.cell})" if self.cell else "")


def cell_name(sheet: str, key: Key) -> str:
    """e.g. ("Phụ lục", (20, 5)) -> "Phụ lục!E20"."""
    return f"{sheet}!{get_column_letter(key[1])}{key[0]}"


class _TooDeep(Exception):
    """The chain of references reached MAX_DEPTH at ``slot``: compute that cell first, then retry."""

    def __init__(self, slot: Slot) -> None:
        super().__init__(slot)
        self.slot = slot


def _unsupported(what_vi: str, what_en: str) -> FormulaError:
    return FormulaError(f"không hỗ trợ {what_vi}", f"{what_en} is not supported")


_TOKEN = regex.compile(
    r"""
    (?P<ws>\s+)
  | (?P<sheet>'(?:[^']|'')+'!|[^\W\d][\w.]*!)
  | (?P<func>[A-Za-z_][A-Za-z0-9_.]*)(?=\s*\()
  | (?P<area>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?(?![\w(!])
            |\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}(?![\w(!])|\$?\d+:\$?\d+(?![\w.]))
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<op>[-+*/%(),])
    """,
    regex.VERBOSE,
)
_CELL = regex.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet: bounds are inclusive, 1-based."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def single(self) -> bool:
        return self.top == self.bottom and self.left == self.right


def tokenize(formula: str) -> list[tuple[str, str]]:
    """e.g. "=SUM(A1:A3)*2" -> [("func","SUM"), ("op","("), ("area","A1:A3"), ("op",")"), ("op","*"), ("num","2")]."""
    text, pos, out = formula.lstrip("=").strip(), 0, []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise _unsupported(f"'{text[pos:]}'", f"'{text[pos:]}'")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
        pos = m.end()
    return out


def parse_area(sheet: str, ref: str) -> Area:
    """e.g. ("S", "$E$2:E19") -> Area("S", 2, 5, 19, 5); "E:E" and "2:3" are whole columns and rows."""
    ends = [_CELL.fullmatch(part) for part in ref.split(":")]
    cols = [column_index_from_string(m.group(1)) if m and m.group(1) else None for m in ends]
    rows = [int(m.group(2)) if m and m.group(2) else None for m in ends]
    top, bottom = (rows[0] or 1), (rows[-1] or MAX_ROW)
    left, right = (cols[0] or 1), (cols[-1] or MAX_COL)
    if rows[0] is None and cols[0] is None:
        raise _unsupported(f"tham chiếu '{ref}'", f"the reference '{ref}'")
    return Area(sheet, min(top, bottom), min(left, right), max(top, bottom), max(left, right))


@dataclass
class Evaluator:
    """Values of a workbook's cells: stored constants and cached results first, formulas computed on demand.

    ``constants`` maps sheet title -> {(row, col): value} with numbers already as Decimal; ``formulas`` maps
    sheet title -> {(row, col): "=…"} for the cells whose constant is absent (no cached value).
    """

    constants: Mapping[str, Mapping[Key, object]]
    formulas: Mapping[str, Mapping[Key, str]]
    _memo: dict[Slot, object] = field(default_factory=dict)
    _failed: dict[Slot, FormulaError] = field(default_factory=dict)
    _active: set[Slot] = field(default_factory=set)
    _visits: int = 0

    def value(self, sheet: str, key: Key) -> object:
        """The cell's value: its constant or cached value, else its formula computed (FormulaError if not)."""
        found = self.constants.get(sheet, {}).get(key)
        if found is not None or key not in self.formulas.get(sheet, {}):
            return found
        return self._computed(sheet, key)

    def _computed(self, sheet: str, key: Key) -> object:
        """Compute a formula; a chain deeper than MAX_DEPTH is resumed from its far end on a fresh stack."""
        if self._active:
            return self._compute((sheet, key))
        pending = [(sheet, key)]
        while True:
            try:
                result = self._compute(pending[-1])
            except _TooDeep as deep:
                if deep.slot in pending:
                    self._fail(pending, FormulaError("tham chiếu vòng", "circular reference"))
                pending.append(deep.slot)
                continue
            pending.pop()
            if not pending:
                return result

    def _fail(self, slots: list[Slot], error: FormulaError) -> NoReturn:
        for slot in slots:
            self._failed[slot] = error
        raise error

    def _compute(self, slot: Slot) -> object:
        if slot in self._memo:
            return self._memo[slot]
        if slot in self._failed:
            raise self._failed[slot]
        if slot in self._active:
            raise FormulaError("tham chiếu vòng", "circular reference")
        if len(self._active) >= MAX_DEPTH:
            raise _TooDeep(slot)
        self._active.add(slot)
        try:
            result = _finish(_Parser(self, slot[0], tokenize(self.formulas[slot[0]][slot[1]])).run())
        except FormulaError as exc:
            self._fail([slot], exc)
        except RecursionError as exc:
            if len(self._active) > 1:
                raise _TooDeep(slot) from exc
            self._fail([slot], FormulaError("công thức lồng quá sâu", "the formula is nested too deeply"))
        except DecimalException:
            self._fail([slot], FormulaError("lỗi số học (tràn số)", "an arithmetic error (overflow)"))
        finally:
            self._active.discard(slot)
        self._memo[slot] = result
        return result

    def ref_value(self, sheet: str, key: Key) -> object:
        """``value`` for a cell that a formula refers to; a failure names the cell where it lies."""
        try:
            return self.value(sheet, key)
        except FormulaError as exc:
            if exc.cell is None:
                raise FormulaError(exc.reason_vi, exc.reason_en, cell_name(sheet, key)) from exc
            raise

    def sheet_named(self, name: str) -> str:
        wanted = name.casefold()
        for title in self.constants:
            if title.casefold() == wanted:
                return title
        raise FormulaError(f"không có trang tính '{name}'", f"there is no sheet '{name}'")

    def area_values(self, area: Area) -> Iterator[object]:
        """Values of the non-empty cells in ``area`` (only stored cells are visited, so E:E stays cheap)."""
        keys = set(self.constants.get(area.sheet, {})) | set(self.formulas.get(area.sheet, {}))
        size = (area.bottom - area.top + 1) * (area.right - area.left + 1)
        if size <= len(keys):
            keys = {(r, c) for r in range(area.top, area.bottom + 1) for c in range(area.left, area.right + 1)}
        for row, col in sorted(keys):
            self._visits += 1
            if self._visits > VISIT_BUDGET:
                raise FormulaError("công thức quá phức tạp", "the formulas are too complex to compute")
            if area.top <= row <= area.bottom and area.left <= col <= area.right:
                yield self.ref_value(area.sheet, (row, col))


def _finish(result: object) -> object:
    if isinstance(result, Decimal):
        return _RESULT.plus(result)
    return result


def _number(value: object) -> Decimal:
    """A value used in arithmetic: empty is 0, TRUE is 1; text is refused rather than guessed."""
    if value is None:
        return Decimal(0)
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    raise FormulaError(f"phép tính trên giá trị không phải số ({value!r})", f"arithmetic on a non-number ({value!r})")


class _Parser:
    """Recursive descent over the tokens, evaluating as it goes (expr -> term -> unary -> postfix -> primary)."""

    def __init__(self, ev: Evaluator, sheet: str, tokens: list[tuple[str, str]]) -> None:
        self.ev, self.sheet, self.tokens, self.pos = ev, sheet, tokens, 0

    def run(self) -> object:
        """The formula's value; a bare reference gives the cell's value (0 for an empty cell, as Excel shows)."""
        result = self.scalar(self.expr())
        if self.pos != len(self.tokens):
            raise _unsupported(f"'{self.tokens[self.pos][1]}'", f"'{self.tokens[self.pos][1]}'")
        return Decimal(0) if result is None else result

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1] != text):
            raise _unsupported("công thức không đầy đủ", "an incomplete formula")
        self.pos += 1
        return token

    def expr(self) -> object:
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op, right = self.take()[1], self.term()
            left = _number(self.scalar(left)) + (1 if op == "+" else -1) * _number(self.scalar(right))
        return left

    def term(self) -> object:
        left = self.unary()
        while self.peek()[1] in ("*", "/"):
            op, right = self.take()[1], _number(self.scalar(self.unary()))
            left = _number(self.scalar(left))
            left = left * right if op == "*" else _divide(left, right)
        return left

    def unary(self) -> object:
        if self.peek()[1] in ("+", "-"):
            sign = self.take()[1]
            number = _number(self.scalar(self.unary()))
            return -number if sign == "-" else number
        value = self.primary()
        while self.peek()[1] == "%":
            self.take()
            value = _number(self.scalar(value)) / 100
        return value

    def primary(self) -> object:
        kind, text = self.take()
        if kind == "num":
            return Decimal(text)
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        if kind == "func":
            return self.call(text.upper())
        if kind == "sheet":
            sheet = self.ev.sheet_named(text[:-1].strip("'").replace("''", "'"))
            kind, text = self.take()
            if kind == "area":
                return parse_area(sheet, text)
        if kind == "area":
            return parse_area(self.sheet, text)
        raise _unsupported(f"'{text}'", f"'{text}'")

    def scalar(self, value: object) -> object:
        if isinstance(value, Area):
            if not value.single:
                raise _unsupported("vùng ô trong phép tính", "a range inside arithmetic")
            return self.ev.ref_value(value.sheet, (value.top, value.left))
        return value

    def call(self, name: str) -> object:
        self.take("(")
        args: list[object] = []
        while self.peek()[1] != ")":
            args.append(self.expr())
            if self.peek()[1] != ")":
                self.take(",")
        self.take(")")
        if name == "ROUND":
            return _round([_number(self.scalar(arg)) for arg in args])
        return _apply(self.ev, name, args)


def _divide(left: Decimal, right: Decimal) -> Decimal:
    if right == 0:
        raise FormulaError("chia cho 0", "division by zero")
    return left / right


def _round(args: list[Decimal]) -> Decimal:
    """ROUND(x, digits) as Excel does it: halves away from zero, negative digits round to tens, hundreds…"""
    if len(args) != 2:
        raise _unsupported("ROUND với số đối số khác 2", "ROUND without two arguments")
    return args[0].quantize(Decimal(1).scaleb(-int(args[1])), rounding=ROUND_HALF_UP)


def _numbers(ev: Evaluator, args: list[object]) -> list[Decimal]:
    """Numbers among the arguments as SUM sees them: text and empty cells in references are skipped."""
    out: list[Decimal] = []
    for arg in args:
        if isinstance(arg, Area):
            out += [v for v in ev.area_values(arg) if isinstance(v, Decimal)]
        else:
            out.append(_number(arg))
    return out


def _apply(ev: Evaluator, name: str, args: list[object]) -> Decimal:
    numbers = _numbers(ev, args)
    if name == "SUM":
        return sum(numbers, Decimal(0))
    if name == "COUNT":
        return Decimal(len(numbers))
    if name in ("MIN", "MAX"):
        return (min if name == "MIN" else max)(numbers) if numbers else Decimal(0)
    if name == "AVERAGE":
        if not numbers:
            raise FormulaError("AVERAGE không có số nào (chia cho 0)", "AVERAGE of no numbers (division by zero)")
        return sum(numbers, Decimal(0)) / len(numbers)
    raise _unsupported(f"hàm {name}", f"the function {name}")
