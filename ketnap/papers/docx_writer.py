"""Writes a paper's HTML (the small vocabulary of `ketnap.papers.render`) as a Word document with python-docx.

The styles mirror ``static/papers/paper.css``: Times New Roman 14 pt, justified paragraphs with a first-line
indent, the heading and signature blocks as tables without borders, A4 with the margins of HD 36-HD/VPTW.
"""

from __future__ import annotations

import re

import lxml.html
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
BLOCKS = {"p", "h1", "h2", "h3", "ul", "ol", "table", "div", "section"}
ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_SPACE = re.compile(r"\s+")


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


class DocxWriter:
    def __init__(self, *, title: str = "", margins_mm: dict, body_pt: int = 14):
        self.document = Document()
        self.body_pt = body_pt
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = Mm(margins_mm["top"])
        section.bottom_margin = Mm(margins_mm["bottom"])
        section.left_margin = Mm(margins_mm["left"])
        section.right_margin = Mm(margins_mm["right"])
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(body_pt)
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "vi-VN")
        normal.element.get_or_add_rPr().append(lang)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.15
        if title:
            self.document.core_properties.title = title
        self.document.core_properties.language = "vi-VN"
        self._papers = 0

    # ---------------------------------------------------------------------------------------------- walking

    def feed(self, html: str) -> None:
        root = lxml.html.document_fromstring(html)
        papers = root.xpath("//section[contains(concat(' ', normalize-space(@class), ' '), ' paper ')]")
        for paper in papers or [root.body]:
            if self._papers:  # each paper on a new page (a section break keeps the page's margins)
                self.document.add_section(WD_SECTION.NEW_PAGE)
            self._papers += 1
            self._blocks(paper, self.document, cell=None)
        if not self.document.paragraphs:  # an empty paper still opens in Word
            self.document.add_paragraph()

    def _new_par(self, container, el_classes: set[str], cell_classes: set[str] | None, tag: str = "p"):
        par = container.add_paragraph()
        self._style(par, el_classes, cell_classes, tag)
        return par

    def _style(self, par, classes: set[str], cell_classes: set[str] | None, tag: str) -> None:
        pf = par.paragraph_format
        in_cell = cell_classes is not None
        align = next((ALIGN[c] for c in ("center", "right", "left", "justify") if c in classes), None)
        if align is None and in_cell:
            align = next((ALIGN[c] for c in ("center", "right", "left") if c in cell_classes), None)
        if tag == "h1" or classes & {"subtitle", "rule"}:
            align = WD_ALIGN_PARAGRAPH.CENTER
        if "code" in classes:
            align = WD_ALIGN_PARAGRAPH.RIGHT
        pf.alignment = (
            align if align is not None else (WD_ALIGN_PARAGRAPH.LEFT if in_cell else ALIGN["justify"])
        )
        indent = not in_cell and tag == "p" and not classes & {
            "center", "right", "subtitle", "rule", "code", "dotline", "to", "noindent", "sign",
        }  # fmt: skip
        if indent:
            pf.first_line_indent = Mm(10)
        if in_cell or classes & {"dotline", "to", "code"}:
            pf.space_after = Pt(0)
        if tag == "h1":
            pf.space_before, pf.space_after = Pt(12), Pt(0)
        if "subtitle" in classes:
            pf.space_after = Pt(0)
        if "rule" in classes:
            pf.space_after = Pt(6)
        if "dotline" in classes:
            pf.line_spacing = 1.5

    def _blocks(self, el, container, cell: set[str] | None) -> None:
        par = None
        fmt: dict = {}
        if el.text and el.text.strip():
            par = self._new_par(container, set(), cell)
            self._text(par, el.text, fmt)
        for child in el:
            if not isinstance(child.tag, str):  # a comment
                par = self._tail(child, container, cell, par)
                continue
            if child.tag in BLOCKS:
                par = None
                self._block(child, container, cell)
            else:
                if par is None:
                    par = self._new_par(container, set(), cell)
                self._inline(child, par, fmt)
            par = self._tail(child, container, cell, par)

    def _tail(self, child, container, cell, par):
        tail = child.tail
        if tail and (tail.strip() or (par is not None and child.tag not in BLOCKS)):
            if par is None:
                par = self._new_par(container, set(), cell)
            self._text(par, tail, {})
        return par

    def _block(self, el, container, cell) -> None:
        tag, classes = el.tag, _classes(el)
        if tag == "section":
            self._blocks(el, container, cell)
        elif tag == "div":
            if "page-break" in classes and container is self.document:
                self.document.add_section(WD_SECTION.NEW_PAGE)
            else:
                self._blocks(el, container, cell)
        elif tag in ("p", "h1", "h2", "h3"):
            par = self._new_par(container, classes, cell, tag)
            fmt = {"bold": tag in ("h1", "h2", "h3") or bool(classes & {"subtitle"})}
            if tag == "h1":
                fmt["size"] = 15
            if classes & {"to", "code", "small"}:
                fmt["size"] = 12
            if "code" in classes:
                fmt["italic"] = False
            self._content(el, par, fmt)
        elif tag in ("ul", "ol"):
            for i, li in enumerate(el.findall("li"), start=1):
                par = self._new_par(container, _classes(li) | {"noindent"} if cell else _classes(li), cell)
                self._text(par, f"{i}. " if tag == "ol" else "- ", {})
                self._content(li, par, {})
        elif tag == "table":
            self._table(el, container, classes)

    def _content(self, el, par, fmt) -> None:
        if el.text:
            self._text(par, el.text, fmt, first=not par.runs)
        for child in el:
            if isinstance(child.tag, str):
                self._inline(child, par, fmt)
            if child.tail:
                self._text(par, child.tail, fmt)

    def _inline(self, el, par, fmt) -> None:
        tag, classes = el.tag, _classes(el)
        if tag == "br":
            if par.runs:
                par.runs[-1].add_break()
            else:
                par.add_run().add_break()
            self._after_break = True
            return
        inner = dict(fmt)
        if tag in ("b", "strong"):
            inner["bold"] = True
        elif tag in ("i", "em"):
            inner["italic"] = True
        elif tag == "u":
            inner["underline"] = True
        if "small" in classes:
            inner["size"] = 12
        if "party" in classes:
            inner["size"] = 15
        self._content(el, par, inner)

    def _text(self, par, text: str, fmt: dict, first: bool = False) -> None:
        text = _SPACE.sub(" ", text)
        if not par.runs or getattr(self, "_after_break", False):
            text = text.lstrip()
            self._after_break = False if text else getattr(self, "_after_break", False)
        if not text:
            return
        run = par.add_run(text)
        if fmt.get("bold"):
            run.bold = True
        if fmt.get("italic"):
            run.italic = True
        if fmt.get("underline"):
            run.underline = True
        if fmt.get("size"):
            run.font.size = Pt(fmt["size"])

    # ---------------------------------------------------------------------------------------------- tables

    def _table(self, el, container, classes: set[str]) -> None:
        rows = [tr for tr in el.iter("tr")]
        if not rows:
            return
        width = max(len([c for c in tr if c.tag in ("td", "th")]) for tr in rows)
        table = container.add_table(rows=len(rows), cols=width)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid = "grid" in classes
        if grid:
            table.style = self.document.styles["Table Grid"]
        table.autofit = False
        widths = self._widths(rows[0], width, grid)
        for column, w in zip(table.columns, widths, strict=False):  # the grid (Word and LibreOffice read it)
            column.width = Mm(w)
        for r, tr in enumerate(rows):
            cells = [c for c in tr if c.tag in ("td", "th")]
            for c, td in enumerate(cells):
                cell = table.cell(r, c)
                cell.width = Mm(widths[c])
                td_classes = _classes(td) | ({"center"} if td.tag == "th" else set())
                # The cell's first paragraph exists already: write into it, then add more.
                first = cell.paragraphs[0]
                holder = _CellHolder(cell, first, self, td_classes)
                self._blocks(td, holder, cell=td_classes)
                if td.tag == "th":
                    for p in cell.paragraphs:
                        for run in p.runs:
                            run.bold = True
                if grid:
                    for p in cell.paragraphs:
                        for run in p.runs:
                            if run.font.size is None:
                                run.font.size = Pt(13)

    def _widths(self, tr, count: int, grid: bool) -> list[float]:
        cells = [c for c in tr if c.tag in ("td", "th")]
        out, free = [], []
        for i in range(count):
            classes = _classes(cells[i]) if i < len(cells) else set()
            w = next((int(c[1:]) for c in classes if re.fullmatch(r"w\d{2}", c)), None)
            out.append(TEXT_WIDTH_MM * w / 100 if w else None)
            if w is None:
                free.append(i)
        rest = TEXT_WIDTH_MM - sum(w for w in out if w)
        for i in free:
            out[i] = max(rest / len(free), 10) if free else 10
        return out


class _CellHolder:
    """A table cell seen as a container of paragraphs: its first (existing) paragraph is used first."""

    def __init__(self, cell, first, writer: DocxWriter, classes: set[str]):
        self.cell, self.first, self.writer, self.classes = cell, first, writer, classes
        self.used = False

    def add_paragraph(self):
        if not self.used:
            self.used = True
            return self.first
        return self.cell.add_paragraph()

    def add_table(self, rows, cols):
        return self.cell.add_table(rows, cols)


__all__ = ["DocxWriter"]
