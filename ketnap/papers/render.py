"""One template source, two formats: a paper's HTML (Django templates in ``templates/papers/``, written in a small
vocabulary) becomes a PDF through WeasyPrint and a Word file through python-docx.

The vocabulary (what the DOCX writer understands; the PDF gets the same through ``static/papers/paper.css``):

- ``<section class="paper">``: one paper; each after the first starts on a new page.
- ``<table class="cols">`` with one row of ``<td class="w45">`` … (widths w30…w70): columns without borders
  (the heading block, the signature block); ``<table class="grid">``: a table with borders (``<th>``, ``<td>``).
- ``<h1>`` the kind of paper (NGHỊ QUYẾT), ``<h2>`` a section heading; ``<p>`` with the classes ``center``,
  ``right``, ``left``, ``subtitle`` (what the paper is about), ``rule`` (the short line under a title),
  ``code`` (the form's number, top right), ``dotline`` (a line to write on), ``to`` (recipients, 12 pt),
  ``noindent``; ``<ul><li>``; inline ``<b>``, ``<i>``, ``<u>``, ``<br>``, ``<span class="small">``.

Fonts: the PDF embeds Liberation Serif 2 (metric-compatible with Times New Roman, every Vietnamese letter),
vendored in ``static/vendor/fonts/liberation-serif/``; the Word file names Times New Roman, as HD 36-HD/VPTW asks,
which every Word installation has (LibreOffice substitutes Liberation Serif, with the same metrics).
"""

from __future__ import annotations

import atexit
import io
import threading
from pathlib import Path

from django.template.loader import render_to_string

STATIC = Path(__file__).resolve().parent.parent / "static"
CSS_FILE = STATIC / "papers" / "paper.css"

# HD 36-HD/VPTW: A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; body 14 pt.
PAGE_MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
BODY_PT = 14

_lock = threading.Lock()
_pdf_state: dict = {}
atexit.register(_pdf_state.clear)  # WeasyPrint's font configuration cleans up before the interpreter does


def html_document(sections: list[str], title: str) -> str:
    return render_to_string("papers/document.html", {"sections": sections, "title": title})


def _stylesheet():
    """The compiled stylesheet and its font configuration, built once per process (WeasyPrint's font setup is
    the slow part of a first render)."""
    if not _pdf_state:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        _pdf_state["fonts"] = fonts
        _pdf_state["css"] = CSS(filename=str(CSS_FILE), font_config=fonts)
    return _pdf_state["css"], _pdf_state["fonts"]


def to_pdf(html: str, title: str = "") -> bytes:
    """The PDF of a paper's HTML, with the vendored fonts embedded (one render at a time per process:
    WeasyPrint's font configuration is shared)."""
    from weasyprint import HTML

    with _lock:
        css, fonts = _stylesheet()
        document = HTML(string=html, base_url=str(STATIC)).render(stylesheets=[css], font_config=fonts)
        return document.write_pdf()


# ------------------------------------------------------------------------------------------------ DOCX


def to_docx(html: str, title: str = "") -> bytes:
    """The Word file of a paper's HTML (the vocabulary above)."""
    from ketnap.papers.docx_writer import DocxWriter

    writer = DocxWriter(title=title, margins_mm=PAGE_MARGINS_MM, body_pt=BODY_PT)
    writer.feed(html)
    out = io.BytesIO()
    writer.document.save(out)
    return out.getvalue()
