"""Checks every Document must pass, whatever its format."""

from __future__ import annotations

from extractor.model import Document, Table


def assert_spans(doc: Document) -> None:
    """Every block, row and cell quotes ``doc.text`` exactly, and pages are in range."""
    n_pages = doc.source.pages
    for block in doc.blocks:
        assert doc.text[block.start : block.end] == block.text, f"block {block.index} span"
        assert block.line is not None and block.line >= 1, f"block {block.index} has no line"
        if n_pages and block.page is not None:
            assert 1 <= block.page <= n_pages, f"block {block.index} page {block.page} of {n_pages}"
        if isinstance(block, Table):
            for row in block.rows:
                assert doc.text[row.start : row.end] == row.text, f"table {block.index} row {row.index} span"
                for cell in row.cells:
                    assert doc.text[cell.start : cell.end] == cell.text, (
                        f"table {block.index} cell ({cell.row},{cell.col}) span"
                    )
                    if n_pages and cell.page is not None:
                        assert 1 <= cell.page <= n_pages
                    if cell.end_page is not None:
                        assert cell.page is not None and cell.page < cell.end_page <= (n_pages or cell.end_page)


def fold(text: str) -> str:
    return " ".join(text.split())
