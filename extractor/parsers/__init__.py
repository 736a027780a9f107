"""One dispatch table from sniffed format to parser.

Every parser is ``parse(data: bytes, source: Source, options: ParseOptions) -> Document``. Parsers know
their library (pdfplumber, python-docx, openpyxl, LibreOffice, Pillow and Tesseract) and nothing about
scores; they hand blocks to :class:`extractor.builder.DocumentBuilder` and let it compute spans.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from extractor.model import Document, Format, Source
from extractor.options import ParseOptions


class Parser(Protocol):
    def __call__(self, data: bytes, source: Source, options: ParseOptions) -> Document: ...


PARSERS: dict[Format, str] = {
    "pdf": "extractor.parsers.pdf",
    "docx": "extractor.parsers.docx",
    "xlsx": "extractor.parsers.xlsx",
    "doc": "extractor.parsers.doc",
    "txt": "extractor.parsers.text",
    "md": "extractor.parsers.text",
    "image": "extractor.parsers.image",
}


def parser_for(fmt: Format) -> Parser:
    module = importlib.import_module(PARSERS[fmt])
    parser: Parser = module.parse
    return parser
