"""Reading the PDFs the portal makes (letters, ID cards) in tests."""

import io

import pypdf


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, one line per page."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
