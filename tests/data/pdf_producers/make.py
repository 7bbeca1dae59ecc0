"""Writes the real-producer PDF fixtures in this folder, each with the text it was made from and its truth.

    python tests/data/pdf_producers/make.py [--only writer,docx,...] [--no-sources]

Needs (Debian 12): libreoffice-writer, libreoffice-calc (soffice), chromium, texlive-xetex,
texlive-lang-chinese (ctex), texlive-latex-extra (multirow), fonts-noto-cjk; Python: python-docx, openpyxl,
pypdfium2 (all in the project's venv). About 40 s on two cores. The content (content.py, invented: the city
临江市 does not exist) is deterministic; the PDF bytes are not (creation dates, document ids, subset tags).

Fixtures, all A4, Noto CJK fonts:

  writer.pdf    LibreOffice Writer, from writer.fodt (flat ODF XML written here): title, Heading 1/2 (exported
                as PDF bookmarks, Writer's default), a numbered list, a two-column section with a column break,
                a table with merged cells and the caption 「表1 …（单位：亿元）」 above it, two footnotes, a running
                header and 「第 n 页」 in the footer.
  docx.pdf      a .docx written by python-docx (Title, Heading 1/2, a captioned table, header, 「— n —」 footer
                with a PAGE field), converted by LibreOffice (bookmarks from the headings).
  calc.pdf      a .xlsx written by openpyxl (three sheets: districts, months, 40 townships running onto a second
                page with the header row repeated; numbers are numbers with a cell format: #,##0.00, 0.0, 0.0%),
                exported by LibreOffice Calc; the sheet name is the running header, 「第 n 页」 the footer.
  chromium.pdf  chromium.html printed by headless Chromium with --no-pdf-header-footer (no date/URL lines:
                they would change every run); the running header and 「第 n 页」 come from CSS @page margin boxes.
                Table with <caption>, rowspan and colspan; a CSS two-column block with break-before: column. No
                bookmarks.
  xelatex.pdf   xelatex.tex (ctexart, Noto Serif CJK SC; digits and Latin in Latin Modern), fancyhdr header and
                footer, multicols two-column block with \\columnbreak, booktabs/multirow table, a footnote. No
                bookmarks.

Beside each PDF:

  <name>.source.txt  the text it was made from, in reading order, one block a line: title, headings, paragraphs,
                     list items as 「1. …」, a table as its caption line then one line per row with the cells
                     joined by TAB (a merged cell once, in the first row it covers). Two-column sections: left
                     column, then right. Footnotes: the note's text on its own line right after the paragraph
                     that cites it (the producer puts it at the foot of the page); the note numbers (superscript
                     marker and the number in front of the note) are left out. No running headers, footers or
                     page numbers.
  <name>.truth.json  producer (the PDF's /Producer), pages, bookmarks (has an outline), running (header and
                     footer lines as printed, per page), tables (caption, header_rows, label_columns and one entry
                     per value cell: row = the innermost row label, column = the innermost column heading,
                     value = the text as printed), sentence_facts (figure, its sentence in the source, the page
                     PDFium finds the sentence on), two_column_pages and columns (per two-column block: its page
                     and the text of the left and the right column, as in the source).

The intermediate sources (writer.fodt, docx.docx, calc.xlsx, chromium.html, xelatex.tex) are written beside
the PDFs unless --no-sources (make.py regenerates them; the .docx/.xlsx bytes change with every run, zip dates).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from content import DOCUMENTS, Document, Span, Table

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
_NOTE = re.compile(r"\{注:(.*?)\}")


# ---------------------------------------------------------------------------------------------- the truth


def grid(table: Table) -> list[list[tuple[str, bool]]]:
    """Every cell's text with merged cells repeated, and whether the cell is where the merged cell starts."""
    rows = len(table.rows)
    width = len(table.rows[0])
    out: list[list[tuple[str, bool] | None]] = [[None] * width for _ in range(rows)]
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            span = cell if isinstance(cell, Span) else Span(cell)
            for dr in range(span.rows):
                for dc in range(span.columns):
                    out[r + dr][c + dc] = (span.text, dr == 0 and dc == 0)
    missing = [(r, c) for r in range(rows) for c in range(width) if out[r][c] is None]
    assert not missing, f"{table.caption}: cells covered by no merged cell: {missing}"
    return out  # type: ignore[return-value]


def table_truth(table: Table) -> dict:
    cells = grid(table)
    found = []
    for r in range(table.header_rows, len(cells)):
        for c in range(table.label_columns, len(cells[r])):
            text, origin = cells[r][c]
            if origin and text:
                found.append({"row": cells[r][table.label_columns - 1][0], "column": cells[table.header_rows - 1][c][0],
                              "value": text})
    return {"caption": table.caption, "header_rows": table.header_rows, "label_columns": table.label_columns,
            "cells": found}


def plain(text: str) -> str:
    """A paragraph without its footnotes."""
    return _NOTE.sub("", text)


def notes(text: str) -> list[str]:
    return _NOTE.findall(text)


def source_lines(blocks) -> list[str]:
    lines: list[str] = []
    for kind, *rest in blocks:
        if kind in ("title", "h1", "h2"):
            lines.append(rest[0])
        elif kind == "p":
            lines.append(plain(rest[0]))
            lines.extend(notes(rest[0]))
        elif kind == "ol":
            lines.extend(f"{i}. {item}" for i, item in enumerate(rest[0], 1))
        elif kind == "table":
            table = rest[0]
            lines.append(table.caption)
            for row in table.rows:
                lines.append("\t".join((cell.text if isinstance(cell, Span) else cell) for cell in row if cell is not None))
        elif kind == "columns":
            lines.extend(source_lines(rest[0]))
            lines.extend(source_lines(rest[1]))
        else:
            raise ValueError(kind)
    return lines


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def sentence_of(figure: str, lines: list[str]) -> str:
    for line in lines:
        for sentence in re.findall(r"[^。]*。?", line):
            if figure in sentence:
                return sentence.strip()
    raise ValueError(f"figure {figure!r} is in no sentence")


def page_of(text: str, pages: list[str]) -> int:
    """The 1-based page whose PDFium text holds `text` (whitespace-free NFKC); else the page most of its 8-character
    pieces are on."""
    target = squeeze(text)
    hits = [i + 1 for i, page in enumerate(pages) if target in page]
    if hits:
        return hits[0]
    votes: dict[int, int] = {}
    for start in range(0, max(1, len(target) - 7), 4):
        piece = target[start:start + 8]
        for i, page in enumerate(pages):
            if piece in page:
                votes[i + 1] = votes.get(i + 1, 0) + 1
    if not votes:
        raise ValueError(f"not found in the PDF: {text}")
    return max(votes, key=lambda page: votes[page])


def pdf_facts(path: Path) -> tuple[str, int, bool, list[str]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        producer = pdf.get_metadata_value("Producer")
        outline = any(True for _ in pdf.get_toc())
        texts = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            texts.append(squeeze(textpage.get_text_range()))
            textpage.close()
            page.close()
        return producer, len(pdf), outline, texts
    finally:
        pdf.close()


def write_truth(doc: Document, pdf: Path, running: list[str]) -> dict:
    lines = source_lines(doc.blocks)
    (HERE / f"{doc.name}.source.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    producer, pages, outline, texts = pdf_facts(pdf)
    facts = []
    for figure in doc.facts:
        sentence = sentence_of(figure, lines)
        facts.append({"figure": figure, "sentence": sentence, "page": page_of(sentence, texts)})
    columns = []
    for kind, *rest in doc.blocks:
        if kind == "columns":
            left, right = ("\n".join(source_lines(side)) for side in rest)
            page = page_of(left.split("\n")[0], texts)
            columns.append({"page": page, "left": left, "right": right})
    tables = [table_truth(rest[0]) for kind, *rest in doc.blocks if kind == "table"]
    truth = {
        "producer": producer,
        "pages": pages,
        "bookmarks": outline,
        "title": doc.title,
        "running": running,
        "tables": tables,
        "sentence_facts": facts,
        "two_column_pages": sorted({c["page"] for c in columns}),
        "columns": columns,
    }
    text = json.dumps(truth, ensure_ascii=False, indent=1)
    # one table cell, one sentence fact a line
    text = re.sub(r'\{\n\s+("(?:row|figure)"[^{}\[\]]*?)\n\s+\}', lambda m: "{" + " ".join(part.strip() for part in m.group(1).split("\n")) + "}", text)
    (HERE / f"{doc.name}.truth.json").write_text(text + "\n", encoding="utf-8")
    return truth


def running_lines(doc: Document, pages: int) -> list[str]:
    return [line for n in range(1, pages + 1) for line in (doc.header, doc.footer.format(n=n))]


# ---------------------------------------------------------------------------------------------- converters


def soffice(source: Path, out_dir: Path, filter_: str = "pdf") -> Path:
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", filter_,
             "--outdir", str(out_dir), str(source)],
            check=True, capture_output=True, timeout=180,
        )
    pdf = out_dir / (source.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {source}")
    return pdf


# ---------------------------------------------------------------------------------------------- Writer (.fodt)

FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title></office:meta>
<office:font-face-decls>
 <style:font-face style:name="{serif}" svg:font-family="'{serif}'" style:font-family-generic="roman"/>
 <style:font-face style:name="{sans}" svg:font-family="'{sans}'" style:font-family-generic="swiss"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:orphans="2" fo:widows="2"/>
  <style:text-properties style:font-name="{serif}" style:font-name-asian="{serif}" fo:font-size="11pt"
   style:font-size-asian="11pt" fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/>
 </style:default-style>
 <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
 <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard" style:class="text">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.18cm" fo:text-indent="0.78cm" fo:line-height="145%" fo:text-align="justify"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.3cm"/>
  <style:text-properties style:font-name="{sans}" style:font-name-asian="{sans}" fo:font-size="18pt" style:font-size-asian="18pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Subtitle" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
  <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.4cm"/>
 </style:style>
 <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:class="text">
  <style:paragraph-properties fo:margin-top="0.35cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/>
  <style:text-properties style:font-name="{sans}" style:font-name-asian="{sans}" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="1" style:class="text">
  <style:text-properties fo:font-size="15pt" style:font-size-asian="15pt"/>
 </style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Heading" style:default-outline-level="2" style:class="text">
  <style:text-properties fo:font-size="13pt" style:font-size-asian="13pt"/>
 </style:style>
 <style:style style:name="List_20_Paragraph" style:display-name="List Paragraph" style:family="paragraph" style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:text-indent="0cm"/>
 </style:style>
 <style:style style:name="Table" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="0.3cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/>
  <style:text-properties style:font-name="{sans}" style:font-name-asian="{sans}" fo:font-size="10.5pt" style:font-size-asian="10.5pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Table_20_Contents" style:display-name="Table Contents" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:text-properties fo:font-size="10pt" style:font-size-asian="10pt"/>
 </style:style>
 <style:style style:name="Table_20_Heading" style:display-name="Table Heading" style:family="paragraph" style:parent-style-name="Table_20_Contents" style:class="extra">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-weight="bold" style:font-weight-asian="bold"/>
 </style:style>
 <style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:margin-left="0.6cm" fo:text-indent="-0.6cm"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
 <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
 <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
 </style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.4cm" fo:margin-bottom="1.4cm" fo:margin-left="2.6cm" fo:margin-right="2.6cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.5cm" fo:border-bottom="0.5pt solid #000000" fo:padding-bottom="0.1cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.5cm"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="Sect2" style:family="section">
  <style:section-properties text:dont-balance-text-columns="false"><style:columns fo:column-count="2" fo:column-gap="0.8cm"/></style:section-properties>
 </style:style>
 <style:style style:name="PColumnBreak" style:family="paragraph" style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:break-before="column"/>
 </style:style>
 <style:style style:name="Tbl" style:family="table">
  <style:table-properties style:width="15.8cm" table:align="center"/>
 </style:style>
 <style:style style:name="TblCell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.08cm" fo:border="0.5pt solid #000000" style:vertical-align="middle"/>
 </style:style>
 <style:style style:name="PNum" style:family="paragraph" style:parent-style-name="Table_20_Contents">
  <style:paragraph-properties fo:text-align="end"/>
 </style:style>
 <text:list-style style:name="L1">
  <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1">
   <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
    <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1.4cm" fo:text-indent="-0.6cm" fo:margin-left="1.4cm"/>
   </style:list-level-properties>
  </text:list-level-style-number>
 </text:list-style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Header">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Footer">{footer}</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
"""


def fodt(doc: Document) -> str:
    notes_seen = [0]

    def inline(text: str) -> str:
        out, last = [], 0
        for match in _NOTE.finditer(text):
            notes_seen[0] += 1
            n = notes_seen[0]
            out.append(escape(text[last:match.start()]))
            out.append(f'<text:note text:id="ftn{n}" text:note-class="footnote"><text:note-citation>{n}</text:note-citation>'
                       f'<text:note-body><text:p text:style-name="Footnote">{escape(match.group(1))}</text:p></text:note-body></text:note>')
            last = match.end()
        out.append(escape(text[last:]))
        return "".join(out)

    def blocks(items, first_style: str | None = None) -> list[str]:
        out = []
        for i, (kind, *rest) in enumerate(items):
            if kind == "title":
                out.append(f'<text:p text:style-name="Title">{escape(rest[0])}</text:p>')
            elif kind in ("h1", "h2"):
                level = kind[1]
                out.append(f'<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">{escape(rest[0])}</text:h>')
            elif kind == "p":
                style = first_style if i == 0 and first_style else "Text_20_body"
                if rest[0].startswith("临江市统计局"):
                    style = "Subtitle"
                out.append(f'<text:p text:style-name="{style}">{inline(rest[0])}</text:p>')
            elif kind == "ol":
                items_xml = "".join(f'<text:list-item><text:p text:style-name="List_20_Paragraph">{escape(item)}</text:p></text:list-item>'
                                    for item in rest[0])
                out.append(f'<text:list text:style-name="L1">{items_xml}</text:list>')
            elif kind == "table":
                out.append(fodt_table(rest[0]))
            elif kind == "columns":
                inner = blocks(rest[0]) + blocks(rest[1], first_style="PColumnBreak")
                out.append(f'<text:section text:style-name="Sect2" text:name="两栏">{"".join(inner)}</text:section>')
        return out

    footer = escape(doc.footer).replace("{n}", '<text:page-number text:select-page="current">1</text:page-number>')
    head = FODT_HEAD.format(title=escape(doc.title), serif=SERIF, sans=SANS, header=escape(doc.header), footer=footer)
    return head + "\n".join(blocks(doc.blocks)) + "\n</office:text></office:body></office:document>\n"


def fodt_table(table: Table) -> str:
    width = len(table.rows[0])
    prefix = f"T{len(fodt_table.column_styles)}C"  # type: ignore[attr-defined]
    label_cm, value_cm = 2.6, (15.8 - 2.6 * table.label_columns) / (width - table.label_columns)
    columns = []
    for c in range(width):
        columns.append(f'<table:table-column table:style-name="{prefix}{c}"/>')
    column_styles = "".join(
        f'<style:style style:name="{prefix}{c}" style:family="table-column"><style:table-column-properties '
        f'style:column-width="{label_cm if c < table.label_columns else value_cm:.2f}cm"/></style:style>'
        for c in range(width)
    )
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row):
            if cell is None:
                cells.append("<table:covered-table-cell/>")
                continue
            span = cell if isinstance(cell, Span) else Span(cell)
            attrs = ""
            if span.rows > 1:
                attrs += f' table:number-rows-spanned="{span.rows}"'
            if span.columns > 1:
                attrs += f' table:number-columns-spanned="{span.columns}"'
            style = "Table_20_Heading" if r < table.header_rows else ("Table_20_Contents" if c < table.label_columns else "PNum")
            cells.append(f'<table:table-cell table:style-name="TblCell" office:value-type="string"{attrs}>'
                         f'<text:p text:style-name="{style}">{escape(span.text)}</text:p></table:table-cell>')
        row_xml = f"<table:table-row>{''.join(cells)}</table:table-row>"
        rows.append(row_xml)
    header = f"<table:table-header-rows>{''.join(rows[: table.header_rows])}</table:table-header-rows>"
    # column widths are automatic styles: make_writer() puts them into <office:automatic-styles>
    fodt_table.column_styles.append(column_styles)  # type: ignore[attr-defined]
    return (f'<text:p text:style-name="Table">{escape(table.caption)}</text:p>'
            f'<table:table table:name="{escape(table.caption.split()[0])}" table:style-name="Tbl">{"".join(columns)}'
            f"{header}{''.join(rows[table.header_rows:])}</table:table>")


fodt_table.column_styles = []  # type: ignore[attr-defined]


def make_writer(doc: Document, work: Path) -> Path:
    fodt_table.column_styles.clear()  # type: ignore[attr-defined]
    text = fodt(doc)
    text = text.replace("</office:automatic-styles>", "".join(fodt_table.column_styles) + "</office:automatic-styles>", 1)  # type: ignore[attr-defined]
    source = work / "writer.fodt"
    source.write_text(text, encoding="utf-8")
    return soffice(source, work)


# ---------------------------------------------------------------------------------------------- python-docx


def make_docx(doc: Document, work: Path) -> Path:
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    def set_font(style_or_run, name: str, size: float | None = None, bold: bool | None = None) -> None:
        font = style_or_run.font
        font.name = name
        if size:
            font.size = Pt(size)
        if bold is not None:
            font.bold = bold
        rpr = style_or_run.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in list(fonts.attrib):
            if attr.endswith("Theme"):
                del fonts.attrib[attr]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), name)

    d = Docx()
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.8)
    section.top_margin = section.bottom_margin = Cm(2.5)
    set_font(d.styles["Normal"], SERIF, 11)
    d.styles["Normal"].paragraph_format.space_after = Pt(4)
    d.styles["Normal"].paragraph_format.line_spacing = 1.35
    set_font(d.styles["Title"], SANS, 20, True)
    set_font(d.styles["Heading 1"], SANS, 15, True)
    set_font(d.styles["Heading 2"], SANS, 13, True)
    set_font(d.styles["Caption"], SANS, 10.5, True)
    d.core_properties.title = doc.title

    header = section.header.paragraphs[0]
    header.text = doc.header
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, after = doc.footer.split("{n}")
    footer.add_run(before)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(after)

    for kind, *rest in doc.blocks:
        if kind == "title":
            title = d.add_paragraph(rest[0], style="Title")
            title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind in ("h1", "h2"):
            d.add_heading(rest[0], level=int(kind[1]))
        elif kind == "p":
            paragraph = d.add_paragraph(plain(rest[0]))
            paragraph.paragraph_format.first_line_indent = Pt(22)
        elif kind == "table":
            table: Table = rest[0]
            caption = d.add_paragraph(table.caption, style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            grid_ = d.add_table(rows=len(table.rows), cols=len(table.rows[0]))
            grid_.style = "Table Grid"
            grid_.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, row in enumerate(table.rows):
                for c, cell in enumerate(row):
                    target = grid_.cell(r, c)
                    target.text = cell
                    paragraph = target.paragraphs[0]
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    if r < table.header_rows:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                        for run_ in paragraph.runs:
                            run_.bold = True
                    elif c >= table.label_columns:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            raise ValueError(f"docx: no {kind}")
    source = work / "docx.docx"
    d.save(str(source))
    return soffice(source, work)


# ---------------------------------------------------------------------------------------------- openpyxl


def number_and_format(text: str) -> tuple[float | int, str]:
    """「1,286,405.62」→ (1286405.62, '#,##0.00'), 「96.8%」→ (0.968, '0.0%'), 「-1.6」→ (-1.6, '0.0')."""
    percent = text.endswith("%")
    digits = text.rstrip("%")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    number_format = ("#,##0" if "," in digits else "0") + ("." + "0" * decimals if decimals else "")
    value = float(digits.replace(",", ""))
    if percent:
        return round(value / 100, decimals + 2), number_format + "%"
    return (value if decimals else int(value)), number_format


def make_calc(doc: Document, work: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    book.remove(book.active)
    sheet_names = ("区县", "月度", "乡镇")
    for (kind, table), name in zip(doc.blocks, sheet_names):
        sheet = book.create_sheet(name)
        width = len(table.rows[0])
        sheet.cell(1, 1, table.caption).font = Font(name=SANS, size=12, bold=True)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.cell(1, 1).alignment = Alignment(horizontal="center")
        sheet.row_dimensions[1].height = 26
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row):
                cell = sheet.cell(r + 2, c + 1)
                cell.border = box
                if r < table.header_rows:
                    cell.value = text
                    cell.font = Font(name=SANS, size=10, bold=True)
                    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                elif c < table.label_columns:
                    cell.value = text
                    cell.font = Font(name=SERIF, size=10)
                else:
                    cell.value, cell.number_format = number_and_format(text)
                    cell.font = Font(name=SERIF, size=10)
            sheet.row_dimensions[r + 2].height = 34 if r < table.header_rows else (19 if name == "乡镇" else 18)
        for c in range(width):
            longest = max(len(row[c]) for row in table.rows[table.header_rows:])
            sheet.column_dimensions[get_column_letter(c + 1)].width = max(10, longest + 3)
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "portrait"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as many pages down as it takes
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_options.horizontalCentered = True
        sheet.print_title_rows = "2:2"
        sheet.oddHeader.center.text = "&A"
        sheet.oddFooter.center.text = "第 &P 页"
    source = work / "calc.xlsx"
    book.save(str(source))
    return soffice(source, work)


# ---------------------------------------------------------------------------------------------- Chromium

HTML_STYLE = """
@page {{ size: A4; margin: 22mm 20mm 20mm 20mm;
  @top-right {{ content: "{header}"; font-family: "{sans}"; font-size: 9pt; }}
  @bottom-center {{ content: "{footer}"; font-family: "{sans}"; font-size: 9pt; }} }}
body {{ font-family: "{sans}", sans-serif; font-size: 11pt; line-height: 1.6; }}
h1, h2, h3, caption, th {{ font-weight: normal; }}  /* one font: Skia draws Noto CJK (CFF) as Type 3 glyphs, each weight adds its own */
h1 {{ font-family: "{sans}"; font-size: 20pt; text-align: center; margin: 0 0 14pt; }}
h2 {{ font-family: "{sans}"; font-size: 15pt; margin: 14pt 0 6pt; }}
h3 {{ font-family: "{sans}"; font-size: 13pt; margin: 10pt 0 4pt; }}
p {{ text-indent: 2em; margin: 0 0 5pt; text-align: justify; }}
.columns {{ columns: 2; column-gap: 8mm; }}
.columns p.break {{ break-before: column; }}
table {{ border-collapse: collapse; margin: 6pt auto 10pt; font-size: 10pt; }}
caption {{ font-family: "{sans}"; padding-bottom: 4pt; }}
th, td {{ border: 0.6pt solid #000; padding: 3pt 8pt; }}
td.num {{ text-align: right; }}
"""


def make_chromium(doc: Document, work: Path) -> Path:
    footer = doc.footer.replace("{n}", '" counter(page) "')
    style = HTML_STYLE.format(header=doc.header, footer=footer, serif=SERIF, sans=SANS)
    body = []

    def render(items, breaking: bool = False) -> None:
        for i, (kind, *rest) in enumerate(items):
            if kind == "title":
                body.append(f"<h1>{html.escape(rest[0])}</h1>")
            elif kind in ("h1", "h2"):
                level = int(kind[1]) + 1
                body.append(f"<h{level}>{html.escape(rest[0])}</h{level}>")
            elif kind == "p":
                cls = ' class="break"' if breaking and i == 0 else ""
                body.append(f"<p{cls}>{html.escape(plain(rest[0]))}</p>")
            elif kind == "ol":
                body.append("<ol>" + "".join(f"<li>{html.escape(item)}</li>" for item in rest[0]) + "</ol>")
            elif kind == "table":
                body.append(html_table(rest[0]))
            elif kind == "columns":
                body.append('<div class="columns">')
                render(rest[0])
                render(rest[1], breaking=True)
                body.append("</div>")

    render(doc.blocks)
    page = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title>'
            f"<style>{style}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")
    source = work / "chromium.html"
    source.write_text(page, encoding="utf-8")
    pdf = work / "chromium.pdf"
    with tempfile.TemporaryDirectory(prefix="chromium_profile_") as profile:
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={pdf}", source.as_uri()],
            check=True, capture_output=True, timeout=180,
        )
    return pdf


def html_table(table: Table) -> str:
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row):
            if cell is None:
                continue
            span = cell if isinstance(cell, Span) else Span(cell)
            attrs = (f' rowspan="{span.rows}"' if span.rows > 1 else "") + (f' colspan="{span.columns}"' if span.columns > 1 else "")
            tag = "th" if r < table.header_rows or c < table.label_columns else "td"
            if tag == "td":
                attrs += ' class="num"'
            cells.append(f"<{tag}{attrs}>{html.escape(span.text)}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head, body = rows[: table.header_rows], rows[table.header_rows:]
    return (f"<table><caption>{html.escape(table.caption)}</caption><thead>{''.join(head)}</thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


# ---------------------------------------------------------------------------------------------- XeLaTeX

TEX_HEAD = r"""\documentclass[fontset=none,zihao=-4,a4paper]{ctexart}
\setCJKmainfont{%(serif)s}[BoldFont=%(sans)s]
\setCJKsansfont{%(sans)s}
\usepackage[a4paper,top=2.5cm,bottom=2.5cm,left=2.7cm,right=2.7cm,headsep=0.6cm]{geometry}
\usepackage{multicol,multirow,booktabs,fancyhdr}
\ctexset{section={format=\zihao{4}\sffamily\bfseries\raggedright,beforeskip=1.2ex,afterskip=0.8ex}}
\pagestyle{fancy}
\fancyhf{}
\fancyhead[R]{\small %(header)s}
\fancyfoot[C]{\small %(footer)s}
\renewcommand{\headrulewidth}{0.4pt}
\setlength{\columnsep}{8mm}
\linespread{1.3}
\xeCJKDeclareCharClass{CJK}{"2160 -> "217F, "0391 -> "03C9}
\begin{document}
"""


def tex_escape(text: str) -> str:
    return re.sub(r"([%&#$_{}])", r"\\\1", text).replace("~", r"\textasciitilde{}")


def make_xelatex(doc: Document, work: Path) -> Path:
    out = [TEX_HEAD % {"serif": SERIF, "sans": SANS, "header": tex_escape(doc.header),
                       "footer": tex_escape(doc.footer).replace(r"\{n\}", r"\thepage{}")}]

    def inline(text: str) -> str:
        parts, last = [], 0
        for match in _NOTE.finditer(text):
            parts.append(tex_escape(text[last:match.start()]))
            parts.append(r"\footnote{" + tex_escape(match.group(1)) + "}")
            last = match.end()
        parts.append(tex_escape(text[last:]))
        return "".join(parts)

    def render(items) -> None:
        for kind, *rest in items:
            if kind == "title":
                out.append(r"\begin{center}\sffamily\bfseries\zihao{3} " + tex_escape(rest[0]) + r"\end{center}" "\n")
            elif kind == "h1":
                out.append(r"\section*{" + tex_escape(rest[0]) + "}\n")
            elif kind == "h2":
                out.append(r"\subsection*{" + tex_escape(rest[0]) + "}\n")
            elif kind == "p":
                out.append(inline(rest[0]) + "\n\n")
            elif kind == "table":
                out.append(tex_table(rest[0]))
            elif kind == "ol":
                out.append(r"\begin{enumerate}" "\n" + "".join(r"\item " + tex_escape(item) + "\n" for item in rest[0])
                           + r"\end{enumerate}" "\n")
            elif kind == "columns":
                out.append(r"\begin{multicols}{2}" "\n")
                render(rest[0])
                out.append(r"\columnbreak" "\n\n")
                render(rest[1])
                out.append(r"\end{multicols}" "\n")
            else:
                raise ValueError(f"xelatex: no {kind}")

    render(doc.blocks)
    out.append(r"\end{document}" "\n")
    source = work / "xelatex.tex"
    source.write_text("".join(out), encoding="utf-8")
    for _ in range(2):
        subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=work, check=True,
                       capture_output=True, timeout=300)
    missing = re.findall(r"Missing character: There is no (.) ", (work / "xelatex.log").read_text(encoding="utf-8", errors="replace"))
    if missing:
        raise RuntimeError(f"xelatex: no glyph for {sorted(set(missing))}")
    return work / "xelatex.pdf"


def tex_table(table: Table) -> str:
    width = len(table.rows[0])
    lines = [r"\begin{center}", r"{\sffamily\bfseries " + tex_escape(table.caption) + r"}\par\smallskip",
             r"\begin{tabular}{" + "l" * table.label_columns + "r" * (width - table.label_columns) + "}", r"\toprule"]
    for r, row in enumerate(table.rows):
        cells = []
        c = 0
        while c < width:
            cell = row[c]
            if cell is None:
                # covered by a merged cell above (multirow) or to the left (multicolumn, skipped there)
                cells.append("")
                c += 1
                continue
            span = cell if isinstance(cell, Span) else Span(cell)
            text = tex_escape(span.text)
            if span.rows > 1:
                text = rf"\multirow{{{span.rows}}}{{*}}{{{text}}}"
            if span.columns > 1:
                text = rf"\multicolumn{{{span.columns}}}{{c}}{{{text}}}"
                cells.append(text)
                c += span.columns
                continue
            cells.append(text)
            c += 1
        lines.append(" & ".join(cells) + r" \\")
        spans = [(c, cell) for c, cell in enumerate(row) if isinstance(cell, Span) and cell.columns > 1 and r < table.header_rows]
        for c, cell in spans:
            lines.append(rf"\cmidrule(lr){{{c + 1}-{c + cell.columns}}}")
        if r == table.header_rows - 1:
            lines.append(r"\midrule")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{center}", ""]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- main

MAKERS = {"writer": make_writer, "docx": make_docx, "calc": make_calc, "chromium": make_chromium, "xelatex": make_xelatex}
SOURCES = {"writer": "writer.fodt", "docx": "docx.docx", "calc": "calc.xlsx", "chromium": "chromium.html", "xelatex": "xelatex.tex"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated fixture names (default: all)")
    parser.add_argument("--no-sources", action="store_true", help="do not keep the .fodt/.docx/.xlsx/.html/.tex beside the PDFs")
    args = parser.parse_args()
    wanted = [name for name in args.only.split(",") if name] or list(MAKERS)
    tools = {"writer": "soffice", "docx": "soffice", "calc": "soffice", "chromium": "chromium", "xelatex": "xelatex"}
    absent = sorted({tools[name] for name in wanted if shutil.which(tools[name]) is None})
    if absent:
        print(f"not installed: {', '.join(absent)} (see the top of {Path(__file__).name} for the Debian packages)", file=sys.stderr)
        return 1
    for doc in DOCUMENTS:
        if doc.name not in wanted:
            continue
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"pdf_producer_{doc.name}_") as work_dir:
            work = Path(work_dir)
            built = MAKERS[doc.name](doc, work)
            pdf = HERE / f"{doc.name}.pdf"
            shutil.copyfile(built, pdf)
            if not args.no_sources:
                shutil.copyfile(work / SOURCES[doc.name], HERE / SOURCES[doc.name])
        _, pages, _, _ = pdf_facts(pdf)
        if doc.name == "calc":
            running = calc_running(pdf)
        else:
            running = running_lines(doc, pages)
        truth = write_truth(doc, pdf, running)
        print(f"{doc.name}.pdf: {truth['pages']} pages, {pdf.stat().st_size / 1024:.0f} KB, {truth['producer']}, "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    return 0


def calc_running(pdf: Path) -> list[str]:
    """Calc prints the sheet name on top and 「第 n 页」 below; which sheet is on which page is read back from the PDF
    (the sheet's caption is on its first page)."""
    texts = pdf_facts(pdf)[3]
    from content import CALC_TABLES

    names = ("区县", "月度", "乡镇")
    running, sheet = [], names[0]
    for n, text in enumerate(texts, 1):
        for name, table in zip(names, CALC_TABLES):
            if squeeze(table.caption) in text:
                sheet = name
        running += [sheet, f"第 {n} 页"]
    return running


if __name__ == "__main__":
    os.environ.setdefault("SAL_USE_VCLPLUGIN", "svp")
    sys.exit(main())
