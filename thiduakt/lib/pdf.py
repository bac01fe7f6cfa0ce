"""PDF documents rendered by WeasyPrint: the only module that imports it (STYLE §14).

Templates under templates/pdf/ link static/css/print.css (A4, Liberation Serif 13pt, NĐ 30/2020 margins).
The URL fetcher serves files under the project's static/ directory and nothing else: a document never
reaches the network or another file of the server, whatever the data printed in it contains."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_CONTENT_TYPE = "application/pdf"


def static_root() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """Answers file: URLs inside static/ and refuses every other URL (http, data, files elsewhere)."""

    def __init__(self, root: Path | None = None):
        super().__init__(fail_on_errors=False)
        self.root = (root or static_root()).resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"refused: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"refused: {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Render a Django template to PDF bytes; relative URLs in it resolve against static/."""
    html = render_to_string(template_name, context)
    base_url = base_url or static_root().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher()).write_pdf()


def page_count(pdf_template_name: str, context: dict) -> int:
    """How many pages the document has (used by tests and previews)."""
    html = render_to_string(pdf_template_name, context)
    base_url = static_root().as_uri() + "/"
    return len(HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher()).render().pages)


def pdf_response(filename: str, pdf_bytes: bytes, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(pdf_bytes, content_type=PDF_CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def render_pages(template_name: str, context: dict) -> tuple[bytes, list[bytes]]:
    """Lay the document out once and return its PDF and one PDF per page, each cut from that same layout
    (Document.copy: no second layout, fonts and CSS loaded once). Used for certificate batches: one page each."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=static_root().as_uri() + "/", url_fetcher=StaticOnlyFetcher()).render()
    return document.write_pdf(), [document.copy([page]).write_pdf() for page in document.pages]


def concatenate(paths: list[str]) -> bytes:
    """One PDF of the given PDF files, in order (poppler's pdfunite: WeasyPrint cannot read a PDF back). Used to
    join the parts of a certificate batch, each of which shares its fonts across its pages."""
    import subprocess
    import tempfile

    if len(paths) == 1:
        return Path(paths[0]).read_bytes()
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "merged.pdf"
        subprocess.run(["pdfunite", *paths, str(target)], check=True, capture_output=True, timeout=600)
        return target.read_bytes()
