"""Read Vietnamese commune IT/digital-transformation reports and audit their scores.

from extractor import parse
doc = parse("report.pdf")          # or parse(data, filename="report.pdf")
doc.text, doc.tables, doc.norm     # see extractor.model
"""

from extractor.errors import ExtractorError, InputError, NeedsOCRError
from extractor.model import BBox, Cell, Document, Page, Paragraph, Row, Source, Table
from extractor.options import ParseOptions
from extractor.reading import parse

__all__ = [
    "BBox",
    "Cell",
    "Document",
    "ExtractorError",
    "InputError",
    "NeedsOCRError",
    "Page",
    "Paragraph",
    "ParseOptions",
    "Row",
    "Source",
    "Table",
    "parse",
]
