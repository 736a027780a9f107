"""One lock for PDFium in this process: pypdfium2 is not thread-safe, and the page images of the service,
the OCR of scans and the rendering of signature stamps all call it, possibly from several threads."""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
