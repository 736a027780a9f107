"""Read Vietnamese commune IT/digital-transformation reports and audit their scores.

from extractor import audit, parse
report = audit("report.pdf")       # or audit(data, filename="report.pdf"): the contract's Report
report.status, report.findings     # never raises for the file: an unreadable one has status "unreadable"
doc = parse("report.pdf")          # the document model: doc.text, doc.tables, doc.norm (extractor.model)
reviewed_totals(report, [2])       # totals once finding 2 is dismissed by an officer (extractor.review)
summary_xlsx([SummaryEntry("report.pdf", report)])   # the city's workbook of a batch (extractor.export)
page_image(data, page=1)           # a PDF or image page as PNG (extractor.pages)
fact_doubts(report)                # {"number": "uncertain" | "unread", …}: mark a scan's doubtful facts
"""

from extractor.batch import audit_many
from extractor.contract import Finding, Location, Report
from extractor.errors import ExtractorError, InputError, NeedsOCRError
from extractor.export import SummaryEntry, findings_csv, summary_csv, summary_xlsx
from extractor.facts import SAID as FACT_DOUBTS_SAID
from extractor.facts import fact_doubts
from extractor.isolation import Failure, IsolatedPool
from extractor.model import BBox, Cell, Document, Page, Paragraph, Row, Source, Table
from extractor.options import ParseOptions
from extractor.pages import page_count, page_image

# extractor.public imports the module extractor.audit first, so the name "audit" ends bound to the function.
from extractor.public import aborted_report, audit

__version__ = "0.2.0"  # the audit version a service stores beside each report: bump when results change
from extractor.reading import parse
from extractor.review import ReviewedTotals, ReviewNote, reviewed_totals
from extractor.rules.rubric import Rubric, list_rubrics, load_rubric

__all__ = [
    "FACT_DOUBTS_SAID",
    "BBox",
    "Cell",
    "Document",
    "ExtractorError",
    "Failure",
    "Finding",
    "InputError",
    "IsolatedPool",
    "Location",
    "NeedsOCRError",
    "Page",
    "Paragraph",
    "ParseOptions",
    "Report",
    "ReviewNote",
    "ReviewedTotals",
    "Row",
    "Rubric",
    "Source",
    "SummaryEntry",
    "Table",
    "__version__",
    "aborted_report",
    "audit",
    "audit_many",
    "fact_doubts",
    "findings_csv",
    "list_rubrics",
    "load_rubric",
    "page_count",
    "page_image",
    "parse",
    "reviewed_totals",
    "summary_csv",
    "summary_xlsx",
]
