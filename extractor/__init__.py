"""Read Vietnamese commune IT/digital-transformation reports and audit their scores.

from extractor import audit, parse
report = audit("report.pdf")       # or audit(data, filename="report.pdf"): the contract's Report
report.status, report.findings     # never raises for the file: an unreadable one has status "unreadable"
doc = parse("report.pdf")          # the document model: doc.text, doc.tables, doc.norm (extractor.model)
"""

from extractor.batch import audit_many
from extractor.contract import Finding, Location, Report
from extractor.errors import ExtractorError, InputError, NeedsOCRError
from extractor.model import BBox, Cell, Document, Page, Paragraph, Row, Source, Table
from extractor.options import ParseOptions

# extractor.public imports the module extractor.audit first, so the name "audit" ends bound to the function.
from extractor.public import aborted_report, audit

__version__ = "0.2.0"  # the audit version a service stores beside each report: bump when results change
from extractor.reading import parse
from extractor.rules.rubric import Rubric, list_rubrics, load_rubric

__all__ = [
    "BBox",
    "Cell",
    "Document",
    "ExtractorError",
    "Finding",
    "InputError",
    "Location",
    "NeedsOCRError",
    "Page",
    "Paragraph",
    "ParseOptions",
    "Report",
    "Row",
    "Rubric",
    "Source",
    "Table",
    "__version__",
    "aborted_report",
    "audit",
    "audit_many",
    "list_rubrics",
    "load_rubric",
    "parse",
]
