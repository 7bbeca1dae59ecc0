"""PDF text extraction for Chinese reports: pypdfium2 vs pdfplumber vs pypdf, on PDFs whose text we know.

    python benchmarks/bench_pdf_libraries.py [--pages 200] [--out benchmarks/results] [--work /tmp/pdfbench]

Generates Chinese PDFs with fpdf2 and Debian's Noto Sans CJK SC (package fonts-noto-cjk; without it the
script says so and exits 0, measuring nothing), keeping the true text of every page:

  report       --pages pages: running header, 「— n —」 footer, numbered headings in larger bold type,
               body paragraphs with figures wrapped by multi_cell, continuing across page breaks;
  two-column   3 pages, left column (x 10..100 mm) then right column (x 110..200 mm);
  traditional  1 page of traditional characters (「二〇二二年全市國內生產總值……」).

Each document is written twice, with the same glyphs in two font encodings:
  cff       fpdf2's output for the Noto .ttc as it is (CID-keyed CFF: CIDFontType0 with an embedded
            code-to-CID CMap stream as /Encoding);
  truetype  the same glyphs converted to TrueType (CIDFontType2 with /Identity-H, the encoding Word and
            WPS write for TrueType fonts such as SimSun).

For each library (pypdfium2 `get_text_range()`, pdfplumber and pypdf `extract_text()`) it measures:
pages per second (wall time over the whole document: open, extract every page, close; best of 2 runs),
bag-of-characters F1 of the body text against the truth (whitespace removed; the
running header and footer are taken out of both), share of the truth's CJK characters recovered,
garbage characters (control, private-use, U+FFFD, "(cid:n)"), reading order as difflib
SequenceMatcher ratio (a sample of report pages; every two-column page), and whether per-character
font sizes come out right for heading detection. Writes pdf_libraries.md and pdf_libraries.json.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import random
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from qa.lab.paths import RESULTS

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
REGULAR_TTC = FONT_DIR / "NotoSansCJK-Regular.ttc"
BOLD_TTC = FONT_DIR / "NotoSansCJK-Bold.ttc"
SC_COLLECTION_INDEX = 2  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK in Noto Sans CJK .ttc files
FONT_FAMILY = "noto"
VARIANTS = ("cff", "truetype")
LIBRARIES = ("pypdfium2", "pdfplumber", "pypdf")
LICENCES = {"pypdfium2": "Apache-2.0 / BSD-3-Clause", "pdfplumber": "MIT", "pypdf": "BSD-3-Clause"}
FONT_SIZE_APIS = {
    "pypdfium2": "pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, i)",
    "pdfplumber": "page.chars[i]['size']",
    "pypdf": "extract_text(visitor_text=...) font_size × text/CTM scale",
}

SEED = 2023
TIMED_RUNS = 2
ORDER_SAMPLE_PAGES = 10  # report pages compared with SequenceMatcher (it is quadratic)
SIZE_TOLERANCE_PT = 0.2

# Page geometry (A4, millimetres) and type sizes (points).
PAGE_HEIGHT = 297
LEFT_MARGIN = 20
BODY_WIDTH = 170
BODY_TOP = 20
BODY_BOTTOM = 277
HEADER_Y = 8
FOOTER_FROM_BOTTOM = -14
HEADER_SIZE = 9
BODY_SIZE = 10.5
H1_SIZE = 16
H2_SIZE = 13
LINE_HEIGHT = {BODY_SIZE: 6.0, H1_SIZE: 9.0, H2_SIZE: 7.5}
COLUMN_LEFT_X = 10
COLUMN_RIGHT_X = 110
COLUMN_WIDTH = 90
COLUMN_PAGES = 3

REPORT_HEADER = "2023年统计公报"
TRADITIONAL_HEADER = "二〇二二年統計公報"
CHARS_PER_PAGE_SURPLUS = 2600  # more text than a page holds, so the report never runs short

DISTRICTS = ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区", "富阳区", "临安区", "桐庐县", "淳安县", "建德市")
CHAPTERS = ("综合", "农业", "工业和建筑业", "固定资产投资", "国内贸易", "对外经济", "交通、邮电和旅游", "财政和金融",
            "教育和科学技术", "文化、卫生和体育", "人口、人民生活和社会保障", "资源、环境和安全生产")
SECTIONS = ("总体情况", "主要指标", "重点领域", "结构变化", "区域发展", "质量效益")
INDICATORS = ("规模以上工业增加值", "社会消费品零售总额", "固定资产投资", "一般公共预算收入", "货物进出口总额",
              "实际使用外资", "数字经济核心产业增加值", "网络零售额", "高新技术产业增加值", "建筑业总产值")
INSTITUTIONS = (("医疗卫生机构", "卫生技术人员"), ("普通高等学校", "在校学生"), ("公共图书馆", "从业人员"), ("科技企业孵化器", "在孵企业"))
SENTENCES = (
    "全年{region}地区生产总值{big}亿元，比上年增长{pct}%。",
    "其中，第一产业增加值{small}亿元，增长{pct}%；第二产业增加值{big}亿元，增长{pct_b}%；第三产业增加值{big_b}亿元，增长{pct_c}%。",
    "三次产业结构调整为{pct}：{pct2}：{pct3}，第三产业比重比上年提高{pp}个百分点。",
    "年末{region}常住人口{people}万人，比上年末增加{pp}万人，城镇化率为{pct3}%。",
    "全年{indicator}{big}亿元，比上年{updown}{pct}%。",
    "{indicator}占全市的比重为{pct2}%，比上年提高{pp}个百分点，对经济增长的贡献率达到{pct3}%。",
    "全年粮食播种面积{small}万亩，粮食总产量{small_b}万吨，比上年增产{pct}%。",
    "全年接待国内外游客{people}万人次，实现旅游总收入{small}亿元，增长{pct}%。",
    "年末共有{institution}{count}个，{staff}{people}万人。",
    "全体居民人均可支配收入{income}元，比上年增长{pct}%，扣除价格因素实际增长{pp}%。",
    "年末金融机构本外币各项存款余额{big}亿元，比年初增加{small}亿元；各项贷款余额{big_b}亿元，增加{small_b}亿元。",
    "全年新增城镇就业{people}万人，城镇登记失业率为{pp}%，比上年下降{pp_b}个百分点。",
    "全年完成{indicator}{small}亿元，比上年{updown}{pct}%，增速比前三季度回落{pp}个百分点。",
)
TRADITIONAL_TITLE = "二〇二二年全市國民經濟和社會發展統計公報"
TRADITIONAL_SECTION = "（一）綜合"
TRADITIONAL_SENTENCES = (
    "二〇二二年全市國內生產總值{big}億元，按可比價格計算，比上年增長{pct}%。",
    "分產業看，第一產業增加值{small}億元，增長{pct}%；第二產業增加值{big}億元，增長{pct_b}%；第三產業增加值{big_b}億元，增長{pct_c}%。",
    "年末全市常住人口{people}萬人，比上年末增加{pp}萬人，其中城鎮人口{people_b}萬人，城鎮化率為{pct3}%。",
    "全年規模以上工業增加值{big}億元，比上年增長{pct}%，高新技術產業增加值佔規模以上工業的{pct2}%。",
    "全年社會消費品零售總額{big}億元，比上年增長{pct}%；網絡零售額{big_b}億元，增長{pct_b}%。",
    "全體居民人均可支配收入{income}元，比上年增長{pct}%，扣除價格因素實際增長{pp}%。",
    "全年進出口總額{big}億元，比上年增長{pct}%，其中出口{big_b}億元，進口{small}億元。",
)


@dataclass
class Block:
    """One heading or paragraph of a document, with its type size and style."""
    text: str
    size: float = BODY_SIZE
    style: str = ""


@dataclass
class PageTruth:
    """What one page says: running header and footer (may be empty) and body lines in reading order."""
    header: str
    footer: str
    body: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    @property
    def body_text(self) -> str:
        return "".join(self.body)


# ---------------------------------------------------------------- text


def figures(rng: random.Random, region: str) -> dict[str, str]:
    """Random figures (and a few words) for one sentence template."""
    institution, staff = rng.choice(INSTITUTIONS)
    return {
        "region": region,
        "big": f"{rng.randint(1000, 25000)}",
        "big_b": f"{rng.randint(1000, 25000)}",
        "small": f"{rng.uniform(10, 999):.2f}",
        "small_b": f"{rng.uniform(10, 999):.2f}",
        "pct": f"{rng.uniform(0.5, 15):.1f}",
        "pct_b": f"{rng.uniform(0.5, 15):.1f}",
        "pct_c": f"{rng.uniform(0.5, 15):.1f}",
        "pct2": f"{rng.uniform(10, 60):.1f}",
        "pct3": f"{rng.uniform(40, 90):.1f}",
        "pp": f"{rng.uniform(0.1, 3):.1f}",
        "pp_b": f"{rng.uniform(0.1, 1):.1f}",
        "people": f"{rng.uniform(5, 1300):.1f}",
        "people_b": f"{rng.uniform(5, 1300):.1f}",
        "income": f"{rng.randint(38000, 82000)}",
        "count": f"{rng.randint(12, 4000)}",
        "indicator": rng.choice(INDICATORS),
        "updown": rng.choice(("增长", "增长", "增长", "下降")),
        "institution": institution,
        "staff": staff,
    }


def paragraph(rng: random.Random, templates: tuple[str, ...], region: str, sentences: int) -> str:
    return "".join(rng.choice(templates).format(**figures(rng, region)) for _ in range(sentences))


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as used in headings (一、 十二、)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def report_blocks(rng: random.Random, pages: int) -> list[Block]:
    """Enough headings and paragraphs for `pages` pages: one bulletin per district, 12 chapters each."""
    blocks: list[Block] = []
    chars = 0
    part = 0
    while chars < pages * CHARS_PER_PAGE_SURPLUS:
        region = DISTRICTS[part % len(DISTRICTS)]
        blocks.append(Block(f"{region}2023年国民经济和社会发展统计公报", H1_SIZE, "B"))
        for chapter_number, chapter in enumerate(CHAPTERS, start=1):
            blocks.append(Block(f"{chinese_number(chapter_number)}、{chapter}", H1_SIZE, "B"))
            for section_number, section in enumerate(rng.sample(SECTIONS, rng.randint(2, 3)), start=1):
                blocks.append(Block(f"（{chinese_number(section_number)}）{section}", H2_SIZE, "B"))
                for _ in range(rng.randint(2, 3)):
                    blocks.append(Block(paragraph(rng, SENTENCES, region, rng.randint(3, 6))))
        chars = sum(len(block.text) for block in blocks)
        part += 1
    return blocks


def traditional_blocks(rng: random.Random) -> list[Block]:
    blocks = [Block(TRADITIONAL_TITLE, H1_SIZE, "B"), Block(TRADITIONAL_SECTION, H2_SIZE, "B")]
    blocks += [Block(paragraph(rng, TRADITIONAL_SENTENCES, "", rng.randint(3, 5))) for _ in range(6)]
    return blocks


def column_texts(rng: random.Random) -> list[str]:
    """Two paragraphs per column, 2 columns per page; trimmed to fit later."""
    return [paragraph(rng, SENTENCES, rng.choice(DISTRICTS), 9) + "\n" + paragraph(rng, SENTENCES, rng.choice(DISTRICTS), 9)
            for _ in range(2 * COLUMN_PAGES)]


# ---------------------------------------------------------------- fonts


def font_is_simplified_chinese() -> bool:
    from fontTools.ttLib import TTFont

    font = TTFont(REGULAR_TTC, fontNumber=SC_COLLECTION_INDEX, lazy=True)
    return font["name"].getDebugName(1).endswith(" SC")


def truetype_copy(ttc: Path, text: str, target: Path) -> Path:
    """The SC face of `ttc`, cut to the characters of `text` and its CFF outlines converted to TrueType."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(ttc, fontNumber=SC_COLLECTION_INDEX)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attribute in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours", "maxTwilightPoints",
                      "maxStorage", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements",
                      "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attribute, 0)  # recomputed on save
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(target)
    return target


def font_files(variant: str, text: str, work: Path) -> dict[str, tuple[Path, int]]:
    """Regular and bold font file (and collection index) for one variant."""
    bold_ttc = BOLD_TTC if BOLD_TTC.exists() else REGULAR_TTC
    if variant == "cff":
        return {"": (REGULAR_TTC, SC_COLLECTION_INDEX), "B": (bold_ttc, SC_COLLECTION_INDEX)}
    return {
        "": (truetype_copy(REGULAR_TTC, text, work / "noto-sc-regular.ttf"), 0),
        "B": (truetype_copy(bold_ttc, text, work / "noto-sc-bold.ttf"), 0),
    }


# ---------------------------------------------------------------- PDFs


def new_pdf(fonts: dict[str, tuple[Path, int]], header: str):
    """An A4 FPDF with the Noto faces; `header` (if any) is drawn on every page with a 「— n —」 footer."""
    from fpdf import FPDF

    class BulletinPdf(FPDF):
        def header(self) -> None:
            if header:
                self.set_font(FONT_FAMILY, "", HEADER_SIZE)
                self.set_y(HEADER_Y)
                self.cell(0, 5, header, align="C")

        def footer(self) -> None:
            if header:
                self.set_font(FONT_FAMILY, "", HEADER_SIZE)
                self.set_y(FOOTER_FROM_BOTTOM)
                self.cell(0, 5, footer_text(self.page_no()), align="C")

    pdf = BulletinPdf(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT_MARGIN, BODY_TOP)
    for style, (path, index) in fonts.items():
        pdf.add_font(FONT_FAMILY, style=style, fname=str(path), collection_font_number=index)
    return pdf


def footer_text(page_number: int) -> str:
    return f"— {page_number} —"


def write_flowing(pdf, blocks: list[Block], header: str, max_pages: int) -> list[PageTruth]:
    """Lay `blocks` out top to bottom, breaking lines with multi_cell and pages ourselves so every
    page's text is known; stops when `max_pages` is full or the blocks run out."""
    truth: list[PageTruth] = []

    def start_page() -> None:
        pdf.add_page()
        pdf.set_xy(LEFT_MARGIN, BODY_TOP)
        truth.append(PageTruth(header, footer_text(pdf.page_no()) if header else ""))

    start_page()
    for block in blocks:
        pdf.set_font(FONT_FAMILY, block.style, block.size)
        height = LINE_HEIGHT[block.size]
        lines = pdf.multi_cell(BODY_WIDTH, height, block.text, dry_run=True, output="LINES")
        is_heading = block.size != BODY_SIZE
        keep_with_next = 2 * LINE_HEIGHT[BODY_SIZE] if is_heading else 0
        for line in lines:
            if pdf.get_y() + height + keep_with_next > BODY_BOTTOM:
                if pdf.page_no() == max_pages:
                    return truth
                start_page()
                pdf.set_font(FONT_FAMILY, block.style, block.size)
            pdf.cell(BODY_WIDTH, height, line, new_x="LMARGIN", new_y="NEXT")
            truth[-1].body.append(line)
            if is_heading:
                truth[-1].headings.append(line)
    return truth


def fit_column(pdf, text: str, max_lines: int) -> str:
    """`text` cut (at a sentence end) to what one column holds."""
    while len(pdf.multi_cell(COLUMN_WIDTH, LINE_HEIGHT[BODY_SIZE], text, dry_run=True, output="LINES")) > max_lines:
        text = text[: text.rstrip("。").rfind("。") + 1]
    return text


def write_columns(pdf, texts: list[str]) -> list[PageTruth]:
    """Pages of two columns drawn side by side; reading order is the left column, then the right."""
    height = LINE_HEIGHT[BODY_SIZE]
    max_lines = int((BODY_BOTTOM - BODY_TOP) / height)
    truth = []
    for left, right in zip(texts[::2], texts[1::2]):
        pdf.add_page()
        pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
        page = PageTruth("", "")
        for x, text in ((COLUMN_LEFT_X, left), (COLUMN_RIGHT_X, right)):
            text = fit_column(pdf, text, max_lines)
            pdf.set_xy(x, BODY_TOP)
            pdf.multi_cell(COLUMN_WIDTH, height, text)
            page.body.append(text)
        truth.append(page)
    return truth


def build_documents(variant: str, pages: int, work: Path) -> dict[str, tuple[Path, list[PageTruth]]]:
    """The three test PDFs for one font variant, each with the truth of every page."""
    rng = random.Random(SEED)
    report = report_blocks(rng, pages)
    columns = column_texts(rng)
    traditional = traditional_blocks(rng)
    every_text = "".join(b.text for b in report + traditional) + "".join(columns) + REPORT_HEADER + TRADITIONAL_HEADER + "— 0123456789"
    fonts = font_files(variant, every_text, work)

    documents = {}
    for name, header, write in (
        ("report", REPORT_HEADER, lambda pdf: write_flowing(pdf, report, REPORT_HEADER, pages)),
        ("two-column", "", lambda pdf: write_columns(pdf, columns)),
        ("traditional", TRADITIONAL_HEADER, lambda pdf: write_flowing(pdf, traditional, TRADITIONAL_HEADER, 1)),
    ):
        pdf = new_pdf(fonts, header)
        truth = write(pdf)
        path = work / f"{name}-{variant}.pdf"
        pdf.output(str(path))
        documents[name] = (path, truth)
    return documents


# ---------------------------------------------------------------- extraction


def extract_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    texts = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    document.close()
    return texts


def extract_pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    texts = []
    with pdfplumber.open(path) as document:
        for page in document.pages:
            texts.append(page.extract_text())
            page.close()
    return texts


def extract_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


EXTRACTORS = {"pypdfium2": extract_pypdfium2, "pdfplumber": extract_pdfplumber, "pypdf": extract_pypdf}


def timed_extraction(library: str, path: Path, runs: int) -> tuple[list[str], float]:
    """Page texts and the best wall time of `runs` whole-document extractions."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        texts = EXTRACTORS[library](path)
        best = min(best, time.perf_counter() - started)
    return texts, best


# ---------------------------------------------------------------- font sizes


def sizes_pypdfium2(path: Path, page_index: int) -> list[tuple[str, float]]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(path)
    textpage = document[page_index].get_textpage()
    pairs = [(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)), pdfium_c.FPDFText_GetFontSize(textpage.raw, i))
             for i in range(textpage.count_chars())]
    document.close()
    return pairs


def sizes_pdfplumber(path: Path, page_index: int) -> list[tuple[str, float]]:
    import pdfplumber

    with pdfplumber.open(path) as document:
        return [(char["text"], char["size"]) for char in document.pages[page_index].chars]


def sizes_pypdf(path: Path, page_index: int) -> list[tuple[str, float]]:
    from pypdf import PdfReader

    pairs = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        scale = abs(tm[3] * cm[3])  # vertical scale of text and user space; enough for upright text
        pairs.extend((char, font_size * scale) for char in text)

    PdfReader(path).pages[page_index].extract_text(visitor_text=visit)
    return pairs


SIZE_READERS = {"pypdfium2": sizes_pypdfium2, "pdfplumber": sizes_pdfplumber, "pypdf": sizes_pypdf}


def size_at(pairs: list[tuple[str, float]], wanted: str) -> float | None:
    """Font size of the first character of `wanted` in the page's (character, size) sequence."""
    kept = [(char, size) for char, size in pairs if not char.isspace() and not is_garbage(char)]
    position = "".join(char for char, _ in kept).find(normalise(wanted))
    return None if position < 0 else round(kept[position][1], 2)


def font_size_check(library: str, path: Path, page: PageTruth) -> dict:
    """Sizes the library reports for the page's first heading and first body line."""
    pairs = SIZE_READERS[library](path, 0)
    heading = page.headings[0]
    body_line = next(line for line in page.body if line not in page.headings)
    heading_size, body_size = size_at(pairs, heading[:6]), size_at(pairs, body_line[:12])
    correct = (heading_size is not None and body_size is not None
               and abs(heading_size - H1_SIZE) <= SIZE_TOLERANCE_PT and abs(body_size - BODY_SIZE) <= SIZE_TOLERANCE_PT)
    return {"api": FONT_SIZE_APIS[library], "heading_pt": heading_size, "body_pt": body_size, "correct": correct}


# ---------------------------------------------------------------- quality


def normalise(text: str) -> str:
    return "".join(text.split())


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff" or char == "〇"


def is_garbage(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in ("Cc", "Co", "Cs")


def extracted_body(text: str, page: PageTruth) -> str:
    """Extracted page text without whitespace, with the running header and footer taken out once."""
    body = normalise(text)
    for furniture in (page.header, page.footer):
        if furniture:
            body = body.replace(normalise(furniture), "", 1)
    return body


def order_ratio(text: str, page: PageTruth) -> float:
    """SequenceMatcher ratio of extracted body against the truth, garbage characters dropped first
    (they are counted apart, would hide the running header, and make SequenceMatcher slow)."""
    extracted = extracted_body("".join(char for char in text if not is_garbage(char)), page)
    return difflib.SequenceMatcher(None, normalise(page.body_text), extracted, autojunk=False).ratio()


def quality(texts: list[str], truth: list[PageTruth], order_pages: list[int]) -> dict:
    """Character F1, CJK recall, garbage and reading order of extracted pages against the truth."""
    overlap = extracted_chars = truth_chars = cjk_found = cjk_total = garbage = 0
    for text, page in zip(texts, truth):
        extracted = Counter(extracted_body(text, page))
        expected = Counter(normalise(page.body_text))
        overlap += sum((extracted & expected).values())
        extracted_chars += sum(extracted.values())
        truth_chars += sum(expected.values())
        cjk_expected = {char: n for char, n in expected.items() if is_cjk(char)}
        cjk_found += sum(min(n, extracted[char]) for char, n in cjk_expected.items())
        cjk_total += sum(cjk_expected.values())
        garbage += sum(n for char, n in extracted.items() if is_garbage(char)) + text.count("(cid:")
    truth_chars += sum(len(normalise(page.body_text)) for page in truth[len(texts):])  # pages not returned
    precision = overlap / extracted_chars if extracted_chars else 0.0
    recall = overlap / truth_chars if truth_chars else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ratios = [order_ratio(texts[i], truth[i]) for i in order_pages if i < len(texts)]
    return {
        "char_precision": round(precision, 4),
        "char_recall": round(recall, 4),
        "char_f1": round(f1, 4),
        "cjk_recovered": round(cjk_found / cjk_total, 4) if cjk_total else None,
        "garbage_chars": garbage,
        "order_ratio": round(sum(ratios) / len(ratios), 4) if ratios else None,
        "order_pages": len(ratios),
        "sample_first_page": normalise(texts[0])[:60] if texts else "",
    }


def sample_pages(count: int) -> list[int]:
    step = max(1, count // ORDER_SAMPLE_PAGES)
    return list(range(0, count, step))[:ORDER_SAMPLE_PAGES]


# ---------------------------------------------------------------- report


def environment() -> dict:
    import pypdfium2

    return {
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "versions": {"pypdfium2": version("pypdfium2"), "pdfium": str(pypdfium2.PDFIUM_INFO), "pdfplumber": version("pdfplumber"),
                     "pdfminer.six": version("pdfminer.six"), "pypdf": version("pypdf"), "fpdf2": version("fpdf2"),
                     "fonttools": version("fonttools")},
    }


MIN_CJK_RECOVERED = 0.99
MIN_TWO_COLUMN_ORDER = 0.95


def shortcomings(library: str, rows: list[dict], sizes: dict) -> list[str]:
    """What keeps `library` from being the product's extractor, in words, from the measured rows."""
    problems = []
    for variant in VARIANTS:
        mine = [row for row in rows if row["library"] == library and row["variant"] == variant]
        cjk = min(row["cjk_recovered"] or 0.0 for row in mine)
        garbage = sum(row["garbage_chars"] for row in mine)
        two_column = next(row["order_ratio"] or 0.0 for row in mine if row["document"] == "two-column")
        if cjk < MIN_CJK_RECOVERED:
            problems.append(f"recovers as little as {cjk:.0%} of the Chinese characters with the {variant} encoding")
            continue
        if garbage:
            problems.append(f"returns {garbage} garbage characters with the {variant} encoding")
        if two_column < MIN_TWO_COLUMN_ORDER:
            problems.append(f"mixes the two columns line by line (order {two_column:.2f}, {variant})")
        if not sizes[variant][library]["correct"]:
            problems.append(f"reports wrong font sizes ({variant})")
    return problems


def readable_speed(library: str, rows: list[dict]) -> float:
    """Pages per second on the TrueType report, where every library gets the text out."""
    return next(row["pages_per_second"] for row in rows
                if row["library"] == library and row["document"] == "report" and row["variant"] == "truetype")


def recommendation(rows: list[dict], sizes: dict) -> str:
    """The fastest library with no shortcomings, and why not the others."""
    problems = {library: shortcomings(library, rows, sizes) for library in LIBRARIES}
    good = [library for library in LIBRARIES if not problems[library]]
    if not good:
        return "No library passed every check; see the tables."
    best = max(good, key=lambda library: readable_speed(library, rows))
    pages = rows[0]["pages"]
    others = "; ".join(
        f"{library} ({LICENCES[library]}) ran at {readable_speed(library, rows):.0f} pages/s"
        + (" and " + ", ".join(problems[library]) if problems[library] else "")
        for library in LIBRARIES if library != best)
    return (f"Use {best} for the product. On the {pages}-page report it extracted {readable_speed(best, rows):.0f} pages/s, "
            f"recovered every Chinese character (simplified and traditional) in both font encodings with no garbage, kept "
            f"the two-column pages in reading order, and gives per-character font sizes for heading detection "
            f"(`{FONT_SIZE_APIS[best]}`); its licence is {LICENCES[best]}. By comparison {others}.")


NOTES = (
    ("The cff encoding is what fpdf2 writes for a CID-keyed CFF font such as Noto Sans CJK: valid PDF, but unusual. "
    "Word and WPS write TrueType fonts (SimSun, Microsoft YaHei) as CIDFontType2 with /Identity-H, so the truetype "
    "table is the one that predicts real Chinese reports; the cff table tests robustness."),
    ("With cff, pdfminer (under pdfplumber) looks the /Encoding CMap up by its CMapName (Adobe-Identity-UCS) among its "
    "predefined CMaps, does not find it and decodes no characters; pypdf reads the 2-byte codes one byte at a time, "
    "so a NUL comes before every character (counted as garbage; reading order is compared without it)."),
    ("fpdf2 draws the left column before the right one, so content-stream order is reading order here. Libraries that "
    "follow the stream keep the columns apart; pdfplumber's extract_text() sorts characters by position and joins the "
    "left and right lines that share a baseline."),
    "pdfplumber's speed on cff is not comparable: it decodes no characters there.",
)


def markdown(result: dict) -> str:
    env = result["environment"]
    lines = [
        "# PDF text extraction libraries on Chinese reports",
        "",
        ("Generated by `python benchmarks/bench_pdf_libraries.py "
        f"--pages {result['settings']['pages']}` in {result['run_seconds']:.0f} s "
        f"({env['machine']['cpu_count']} CPUs, load average at start {env['machine']['load_average_at_start'][0]}; "
        f"{env['machine']['platform']}, Python {env['machine']['python']})."),
        "",
        "Versions: " + ", ".join(f"{name} {value}" for name, value in env["versions"].items()) + ".",
        "",
        ("Speed: pages per second, wall time of open + extract every page + close (best of "
        f"{TIMED_RUNS} runs; the small documents' figures are noisy). Char F1: bag-of-characters F1 of the body "
        "text, whitespace removed, running header and footer taken out. CJK: share of the truth's CJK characters "
        "recovered. Garbage: control, private-use, U+FFFD characters and \"(cid:n)\". Order: mean difflib "
        f"SequenceMatcher ratio (report: {ORDER_SAMPLE_PAGES} sampled pages; two-column: every page, truth = left column "
        "then right column)."),
        "",
    ]
    for variant in VARIANTS:
        title = {"cff": "Noto Sans CJK SC as fpdf2 embeds it (CIDFontType0, CFF, embedded code→CID CMap as /Encoding)",
                 "truetype": "Same glyphs converted to TrueType (CIDFontType2, /Identity-H, as Word/WPS write SimSun)"}[variant]
        lines += [f"## {title}", "",
                  ("| library | report pages/s | report char F1 | report CJK | report order | report garbage "
                  "| two-column pages/s | two-column F1 | two-column order | traditional F1 | traditional CJK | font sizes |"),
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for library in LIBRARIES:
            cell = {row["document"]: row for row in result["rows"] if row["variant"] == variant and row["library"] == library}
            size = result["font_sizes"][variant][library]
            size_text = (f"yes ({size['heading_pt']} / {size['body_pt']} pt)" if size["correct"]
                         else f"no (read {fmt_size(size['heading_pt'])} / {fmt_size(size['body_pt'])} pt)")
            report, columns, traditional = cell["report"], cell["two-column"], cell["traditional"]
            lines.append(
                f"| {library} | {report['pages_per_second']:.1f} | {report['char_f1']:.3f} | {report['cjk_recovered']:.3f} "
                f"| {fmt(report['order_ratio'])} | {report['garbage_chars']} | {columns['pages_per_second']:.1f} "
                f"| {columns['char_f1']:.3f} | {fmt(columns['order_ratio'])} | {traditional['char_f1']:.3f} "
                f"| {traditional['cjk_recovered']:.3f} | {size_text} |")
        lines.append("")
    lines += ["Font sizes: heading / body as read at the first heading and first body line of report page 1 "
              f"(truth {H1_SIZE} / {BODY_SIZE} pt). APIs: " + "; ".join(f"{lib}: `{api}`" for lib, api in FONT_SIZE_APIS.items()) + ".",
              "",
              "First characters each library returned for report page 1:", ""]
    for row in result["rows"]:
        if row["document"] == "report":
            lines.append(f"- {row['variant']}, {row['library']}: `{row['sample_first_page']!r}`")
    lines += ["", "## Notes", ""] + [f"- {note}" for note in NOTES]
    lines += ["", "## Recommendation", "", result["recommendation"], ""]
    return "\n".join(lines)


def fmt_size(value: float | None) -> str:
    return "nothing" if value is None else f"{value}"


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200, help="pages of the long report")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--work", type=Path, default=Path("/tmp/pdfbench"), help="where the generated PDFs and fonts go")
    args = parser.parse_args()

    if not REGULAR_TTC.exists():
        print(f"{REGULAR_TTC} not found (Debian package fonts-noto-cjk); nothing measured.")
        return
    if not font_is_simplified_chinese():
        sys.exit(f"face {SC_COLLECTION_INDEX} of {REGULAR_TTC} is not Noto Sans CJK SC")
    started = time.perf_counter()
    env = environment()
    args.work.mkdir(parents=True, exist_ok=True)
    rows, sizes = [], {}
    for variant in VARIANTS:
        building = time.perf_counter()
        documents = build_documents(variant, args.pages, args.work)
        print(f"[{variant}] generated {', '.join(f'{name} {len(truth)} pages' for name, (_, truth) in documents.items())} "
              f"in {time.perf_counter() - building:.1f}s", flush=True)
        sizes[variant] = {library: font_size_check(library, documents["report"][0], documents["report"][1][0]) for library in LIBRARIES}
        for name, (path, truth) in documents.items():
            order_pages = sample_pages(len(truth)) if name == "report" else list(range(len(truth)))
            for library in LIBRARIES:
                texts, seconds = timed_extraction(library, path, TIMED_RUNS)
                row = {"variant": variant, "document": name, "library": library, "pages": len(truth),
                       "seconds": round(seconds, 3), "pages_per_second": round(len(truth) / seconds, 1)}
                row.update(quality(texts, truth, order_pages))
                rows.append(row)
                print(f"[{variant}] {name:<12}{library:<11}{row['pages_per_second']:>8.1f} pages/s  F1 {row['char_f1']:.3f}  "
                      f"CJK {row['cjk_recovered']:.3f}  order {fmt(row['order_ratio'])}  garbage {row['garbage_chars']}", flush=True)
    result = {
        "environment": env,
        "settings": {"pages": args.pages, "seed": SEED, "timed_runs": TIMED_RUNS,
                     "order_sample_pages": ORDER_SAMPLE_PAGES, "font": f"{REGULAR_TTC} #{SC_COLLECTION_INDEX}"},
        "rows": rows,
        "font_sizes": sizes,
        "licences": LICENCES,
        "recommendation": recommendation(rows, sizes),
    }
    result["run_seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pdf_libraries.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (args.out / "pdf_libraries.md").write_text(markdown(result), encoding="utf-8")
    print(result["recommendation"])
    print(f"wrote {args.out / 'pdf_libraries.md'} and .json in {result['run_seconds']:.1f}s")


if __name__ == "__main__":
    main()
