"""PDF documents rendered by WeasyPrint: the only module that imports it (STYLE §14).

Templates under templates/pdf/ link static/css/print.css (A4, Liberation Serif 13pt, NĐ 30/2020 margins).
The URL fetcher serves files under the project's static/ directory and nothing else: a document never
reaches the network or another file of the server, whatever the data printed in it contains. Files generated for
one document (QR codes) are handed to it in memory, never as data: URLs.

PDFs are read back, joined, overlaid and split with pikepdf (WeasyPrint cannot read a PDF)."""

import io
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
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


class MemoryFetcher(StaticOnlyFetcher):
    """Also answers the files given in memory, named by their URL relative to static/ (a document's QR codes);
    everything else as StaticOnlyFetcher."""

    def __init__(self, files: dict[str, bytes], root: Path | None = None):
        super().__init__(root)
        base = self.root.as_uri() + "/"
        self.files = {base + name: data for name, data in files.items()}

    def fetch(self, url, headers=None):
        data = self.files.get(url)
        if data is None:
            return super().fetch(url, headers)
        mime_type = mimetypes.guess_type(url)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": mime_type})


def _html(template_name: str, context: dict, files: dict[str, bytes] | None, base_url: str | None = None) -> HTML:
    fetcher = MemoryFetcher(files) if files else StaticOnlyFetcher()
    base_url = base_url or static_root().as_uri() + "/"
    return HTML(string=render_to_string(template_name, context), base_url=base_url, url_fetcher=fetcher)


def render_pdf(
    template_name: str, context: dict, *, base_url: str | None = None, files: dict[str, bytes] | None = None
) -> bytes:
    """Render a Django template to PDF bytes; relative URLs in it resolve against static/ (or `files`)."""
    return _html(template_name, context, files, base_url).write_pdf()


@dataclass(frozen=True)
class Rect:
    """A box's content area on its page, in CSS px (1/96 in) from the page's top left corner."""

    x: float
    y: float
    width: float
    height: float


class Layout:
    """A document laid out once: its PDF, and where its boxes landed (to print over a blank, for instance)."""

    def __init__(self, document):
        self._document = document

    @property
    def page_count(self) -> int:
        return len(self._document.pages)

    def elements(self, attribute: str) -> list[list[tuple[str, Rect]]]:
        """Per page, in document order, every element carrying `attribute`: its value and its box (the element's
        outermost box when it has several; absolutely positioned ones included)."""
        found = []
        for page in self._document.pages:
            seen, rects = set(), []
            for box in page._page_box.descendants(placeholders=True):
                element = getattr(box, "element", None)
                name = element.get(attribute) if element is not None else None
                if name and id(element) not in seen:
                    seen.add(id(element))
                    rects.append((name, Rect(box.content_box_x(), box.content_box_y(), box.width, box.height)))
            found.append(rects)
        return found

    def boxes(self, attribute: str) -> list[dict[str, Rect]]:
        """Per page, the box of the first element carrying each value of `attribute`."""
        return [{name: rect for name, rect in reversed(page)} for page in self.elements(attribute)]

    def write_pdf(self) -> bytes:
        return self._document.write_pdf()


def layout(template_name: str, context: dict, *, files: dict[str, bytes] | None = None) -> Layout:
    """Lay a Django template out without writing it yet."""
    return Layout(_html(template_name, context, files).render())


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


_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def _content(page: pikepdf.Page) -> bytes:
    contents = page.obj.get("/Contents")
    if contents is None:
        return b""
    if isinstance(contents, pikepdf.Stream):
        return contents.read_bytes()
    return b"".join(part.read_bytes() for part in contents)


def _own_resources(page: pikepdf.Page) -> None:
    """Give the page a resource dictionary of its own holding only the XObjects its content draws. WeasyPrint
    shares one dictionary between all the pages of a document (every image of every page): a page cut out of it
    would carry them all."""
    used = {"/" + name.decode("latin-1") for name in _DO.findall(_content(page))}
    shared = page.resources
    resources = pikepdf.Dictionary({key: value for key, value in shared.items()})
    if "/XObject" in shared:
        resources.XObject = pikepdf.Dictionary({k: v for k, v in shared.XObject.items() if k in used})
    page.obj.Resources = resources


def _save(document: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Bitmap:
    """A black and white image drawn crisp (one sample a module of a QR code, no smoothing) at `rect` on a page:
    `rows` of 0 (white) and 1 (black), all the same length."""

    rows: tuple
    rect: Rect

    def image(self, document: pikepdf.Pdf) -> pikepdf.Stream:
        width, height = len(self.rows[0]), len(self.rows)
        packed = bytearray()
        for row in self.rows:
            bits = "".join("0" if cell else "1" for cell in row).ljust(-(-width // 8) * 8, "1")  # DeviceGray: 0 black
            packed += int(bits, 2).to_bytes(len(bits) // 8, "big")
        return pikepdf.Stream(
            document,
            bytes(packed),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=width,
            Height=height,
            ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=1,
            Interpolate=False,
        )


PX_TO_PT = 0.75  # CSS px are 1/96 in, PDF points 1/72 in


def _stamp(document: pikepdf.Pdf, page: pikepdf.Page, bitmaps: list[Bitmap]) -> None:
    """Draw the bitmaps over the page, in page coordinates whatever the page's content left in its graphics state."""
    height = float(page.mediabox[3]) - float(page.mediabox[1])
    drawing = [b"Q"]
    resources = page.resources
    if "/XObject" not in resources:
        resources.XObject = pikepdf.Dictionary()
    for number, bitmap in enumerate(bitmaps):
        name = f"/Stamp{number}"
        resources.XObject[name] = bitmap.image(document)
        rect = bitmap.rect
        x, y = rect.x * PX_TO_PT, height - (rect.y + rect.height) * PX_TO_PT
        matrix = f"{rect.width * PX_TO_PT:.4f} 0 0 {rect.height * PX_TO_PT:.4f} {x:.4f} {y:.4f} cm"
        drawing.append(f"q {matrix} {name} Do Q".encode())
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"\n".join(drawing) + b"\n")


# What may sit outside a text object in a page cut into bands: state (kept with the text drawn under it) and clips
# (dropped: a band is a page of its own). Anything else (a path painted, an image) refuses the cut.
_STATE_OPERATORS = {"gs", "rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN", "Tc", "Tw", "Tz", "TL",
                    "Tr", "Ts", "w", "J", "j", "M", "d", "ri", "i"}  # fmt: skip
_CLIP_OPERATORS = {"re", "W", "W*", "n", "m", "l", "h"}


def _multiply(a: tuple, b: tuple) -> tuple:
    """The PDF matrix a × b (row vectors: a applies first)."""
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def _bands_of(page: pikepdf.Page, band_height: float, bands: int) -> list[list]:
    """The text of a tall page cut into `bands` horizontal bands of `band_height` points from the top: per band, the
    text objects drawn in it, each with the graphics state it was drawn under, moved to a page one band high."""
    height = float(page.mediabox[3]) - float(page.mediabox[1])
    found: list[list] = [[] for _ in range(bands)]
    ctm, state, stack = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], []
    text: list | None = None
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if text is not None:
            text.append(instruction)
            if operator == "ET":
                matrix = next(
                    (tuple(float(v) for v in i.operands) for i in text if str(i.operator) == "Tm"),
                    (1.0, 0.0, 0.0, 1.0, 0.0, 0.0),
                )
                top = height - _multiply(matrix, ctm)[5]  # the baseline's distance from the page's top
                band = min(max(int(top // band_height), 0), bands - 1)
                shift = (1.0, 0.0, 0.0, 1.0, 0.0, band_height * (band + 1) - height)
                found[band].append((_multiply(ctm, shift), list(state), text))
                text = None
        elif operator == "BT":
            text = [instruction]
        elif operator == "q":
            stack.append((ctm, list(state)))
        elif operator == "Q":
            ctm, state = stack.pop()
        elif operator == "cm":
            ctm = _multiply(tuple(float(v) for v in instruction.operands), ctm)
        elif operator in _STATE_OPERATORS:
            state.append(instruction)
        elif operator not in _CLIP_OPERATORS:
            raise ValueError(f"cannot cut a page drawing {operator!r} into bands")
    return found


def cut_bands(pages_pdf: bytes, band_height: float, count: int) -> bytes:
    """A document of `count` pages `band_height` points high, from a document whose pages each stack several of them
    from the top (laying out a few tall pages costs WeasyPrint much less than many small ones). Only text is carried
    (anything else refuses the cut: ValueError); every band page shares the fonts of the tall pages."""
    source = pikepdf.open(io.BytesIO(pages_pdf))
    target = pikepdf.new()
    width = float(source.pages[0].mediabox[2]) - float(source.pages[0].mediabox[0])
    per_page = round((float(source.pages[0].mediabox[3]) - float(source.pages[0].mediabox[1])) / band_height)
    for page in source.pages:
        kept = pikepdf.Dictionary({k: v for k, v in page.resources.items() if k != "/XObject"})
        resources = target.copy_foreign(source.make_indirect(kept))
        for drawn in _bands_of(page, band_height, per_page):
            if len(target.pages) == count:
                break
            instructions = []
            for matrix, state, text in drawn:
                instructions.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")))
                instructions.append(pikepdf.ContentStreamInstruction(list(matrix), pikepdf.Operator("cm")))
                instructions.extend(state)
                instructions.extend(text)
                instructions.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q")))
            contents = pikepdf.Stream(target, pikepdf.unparse_content_stream(instructions))
            target.pages.append(
                pikepdf.Page(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Page,
                        MediaBox=[0, 0, width, band_height],
                        Resources=resources,
                        Contents=contents,
                    )
                )
            )
    if len(target.pages) != count:
        raise ValueError(f"{len(target.pages)} bands for {count} pages")
    result = _save(target)
    source.close()
    return result


def overlay(
    pages_pdf: bytes,
    underlays: list[bytes],
    underlay_of: list[int],
    replacements: dict[int, bytes] | None = None,
    stamps: list[list[Bitmap]] | None = None,
) -> tuple[bytes, list[bytes]]:
    """Print every page of `pages_pdf` over a blank: the first page of underlays[underlay_of[i]] is drawn under page
    i, each blank stored once as a form XObject that all its pages share, and the bitmaps stamps[i] over it. Page i
    listed in `replacements` is replaced by the first page of that PDF instead. Returns the merged PDF and one PDF
    per page."""
    replacements = replacements or {}
    target = pikepdf.open(io.BytesIO(pages_pdf))
    if len(target.pages) != len(underlay_of):
        raise ValueError(f"{len(target.pages)} pages for {len(underlay_of)} underlays")
    sources = [pikepdf.open(io.BytesIO(data)) for data in underlays]  # open until the target is saved
    forms = [target.copy_foreign(source.pages[0].as_form_xobject()) for source in sources]
    for index, page in enumerate(target.pages):
        if index not in replacements:
            _own_resources(page)
            if stamps and stamps[index]:
                _stamp(target, page, stamps[index])
            page.add_underlay(forms[underlay_of[index]])
    for index, data in replacements.items():
        source = pikepdf.open(io.BytesIO(data))
        sources.append(source)
        target.pages[index] = source.pages[0]
    merged = _save(target)
    singles = []
    for page in target.pages:
        single = pikepdf.new()
        single.pages.append(page)
        singles.append(_save(single))
    for source in sources:
        source.close()
    target.close()
    return merged, singles


def concatenate(paths: list[str]) -> bytes:
    """One PDF of the given PDF files, in order. Used to join the parts of a certificate batch."""
    if len(paths) == 1:
        return Path(paths[0]).read_bytes()
    merged = pikepdf.new()
    sources = [pikepdf.open(path) for path in paths]
    try:
        for source in sources:
            merged.pages.extend(source.pages)
        return _save(merged)
    finally:
        for source in sources:
            source.close()
