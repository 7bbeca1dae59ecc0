"""Real files in every format the corpus reads, written by the tools people's files come from (fpdf2 with Debian's
Noto CJK font for PDF, python-docx, openpyxl, plain HTML). The facts are invented for the tests."""
from __future__ import annotations

import zipfile
from pathlib import Path

NOTO_SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_SANS_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
NOTO_SC = 2  # 字体集里简体中文的序号

PDF_TITLE = "青溪市2022年国民经济和社会发展统计公报"
# 第一页末尾的长段落会流到第二页：跨页的句子要接起来
PDF_LONG_PARAGRAPH = (
    "全年全市规模以上工业增加值比上年增长5.7%。"
    + "其中高新技术产业增加值增长9.8%，装备制造业增加值增长8.1%，战略性新兴产业增加值增长10.2%。" * 9
    + "全年规模以上工业企业实现利润总额812.4亿元，比上年增长3.9%。"
)
PDF_PAGE_THREE = "全年接待入境游客52.6万人次，比上年增长8.3%；旅游总收入达到1376亿元。"


def write_pdf(path: Path, outline: bool = True) -> Path:
    """A three-page report: running header and page-number footer, bold numbered headings (and bookmarks)."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("noto", size=9)
            self.cell(0, 8, PDF_TITLE, align="C")
            self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("noto", size=9)
            self.cell(0, 8, f"— {self.page_no()} —", align="C")

    pdf = Report()
    pdf.add_font("noto", fname=str(NOTO_SANS), collection_font_number=NOTO_SC)
    pdf.add_font("noto", style="B", fname=str(NOTO_SANS_BOLD), collection_font_number=NOTO_SC)
    pdf.set_title(PDF_TITLE)

    def heading(text: str) -> None:
        if outline:
            pdf.start_section(text)
        pdf.set_font("noto", style="B", size=15)
        pdf.multi_cell(0, 10, text)
        pdf.ln(2)

    def paragraph(text: str) -> None:
        pdf.set_font("noto", size=11)
        pdf.multi_cell(0, 7, "　　" + text)  # 首行缩进两个字，正文常见的样子
        pdf.ln(2)

    pdf.add_page()
    heading("一、综合")
    paragraph("初步核算，全年全市地区生产总值18753亿元，按可比价格计算，比上年增长6.0%。")
    for _ in range(12):
        paragraph("全年全市新增城镇就业人员21.4万人，城镇调查失业率控制在4.5%以内，居民消费价格比上年上涨2.1%。")
    heading("二、工业和建筑业")
    paragraph(PDF_LONG_PARAGRAPH)
    pdf.add_page()
    heading("三、旅游")
    paragraph(PDF_PAGE_THREE)
    pdf.output(str(path))
    return path


def write_pdf_with_table(path: Path) -> Path:
    """A page with a caption line, a bordered table (header row, label column, a percentage column) and prose."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(NOTO_SANS), collection_font_number=NOTO_SC)
    pdf.add_font("noto", style="B", fname=str(NOTO_SANS_BOLD), collection_font_number=NOTO_SC)
    pdf.set_title("青溪市农业统计")
    pdf.add_page()
    pdf.set_font("noto", size=11)
    pdf.multi_cell(0, 7, "全年农业生产稳定，主要农产品产量如下表。", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, "表2 主要农产品产量（单位：万吨）", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(50, 30, 30, 30)) as table:
        for cells in (("产品", "2021年", "2022年", "增长（%）"), ("粮食", "60.1", "61.3", "2.0"), ("蔬菜", "35.2", "36.0", "2.3"), ("水果", "20.4", "19.8", "-2.9")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.multi_cell(0, 7, "全年水产品产量12.5万吨。")
    pdf.output(str(path))
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose page is only a picture (what a scanner makes): no text layer."""
    from fpdf import FPDF
    from PIL import Image

    picture = path.with_suffix(".png")
    Image.new("RGB", (400, 300), "white").save(picture)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=150)
    pdf.output(str(path))
    picture.unlink()
    return path


def write_partly_scanned_pdf(path: Path) -> Path:
    """Page 1 has text, page 2 is only a picture (a scanned page), page 3 is blank."""
    from fpdf import FPDF
    from PIL import Image

    picture = path.with_suffix(".png")
    Image.new("RGB", (400, 300), "white").save(picture)
    pdf = FPDF()
    pdf.add_font("noto", fname=str(NOTO_SANS), collection_font_number=NOTO_SC)
    pdf.add_page()
    pdf.set_font("noto", size=11)
    pdf.multi_cell(0, 7, "全年新建公园绿地45个，新增绿地面积320公顷。")
    pdf.add_page()
    pdf.image(str(picture), x=10, y=10, w=150)
    pdf.add_page()
    pdf.output(str(path))
    picture.unlink()
    return path


def write_encrypted_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(NOTO_SANS), collection_font_number=NOTO_SC)
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("noto", size=11)
    pdf.multi_cell(0, 7, "机密文件：全年财政收入999亿元。")
    pdf.output(str(path))
    return path


def write_docx(path: Path) -> Path:
    """A report with heading styles, a list, a caption and a table with a two-row, merged header."""
    import docx

    document = docx.Document()
    document.core_properties.title = "青溪市人口发展报告"
    document.add_heading("青溪市人口发展报告", level=0)
    document.add_heading("一、人口总量", level=1)
    document.add_paragraph("2022年末全市常住人口1237.6万人，比上年末增加17.2万人。")
    document.add_paragraph("人口增长的主要原因：", style="List Bullet").text = "外来人口持续流入"
    document.add_heading("二、城乡分布", level=1)
    document.add_paragraph("表1 城乡人口（单位：万人）")
    table = document.add_table(rows=4, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "地区"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "常住人口"
    table.cell(1, 1).text = "2021年"
    table.cell(1, 2).text = "2022年"
    for row, (name, before, after) in enumerate((("城镇", "1015.3", "1031.9"), ("乡村", "205.1", "205.7")), start=2):
        for column, value in enumerate((name, before, after)):
            table.cell(row, column).text = value
    document.add_paragraph("城镇化率继续提高。")
    document.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    """A sheet with a merged title row that declares the unit, a header row and a percentage column."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "主要指标"
    sheet.append(["2022年青溪市主要经济指标（单位：亿元）"])
    sheet.merge_cells("A1:D1")
    sheet.append(["指标", "2021年", "2022年", "增长（%）"])
    sheet.append(["地区生产总值", 17620.5, 18753, 6.0])
    sheet.append(["一般公共预算收入", 2100.4, 2250.8, 7.1])
    sheet.append(["社会消费品零售总额", 7012, 7346.3, 4.8])
    for row in range(3, 6):
        sheet.cell(row, 4).number_format = "0.0"  # 6.0 显示成「6.0」
    workbook.save(str(path))
    return path


HTML_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>青溪市数字经济发展情况</title>
<script>var tracker = "全年访问量999万次";</script></head>
<body>
<nav><a href="/">首页</a> <a href="/news">新闻中心</a> <a href="/gov">政务公开导航</a></nav>
<div class="breadcrumb">您的位置：首页 &gt; 统计数据</div>
<main>
<h1>青溪市数字经济发展情况</h1>
<h2>一、数字产业</h2>
<p>2022年，全市数字经济核心产业增加值
   达到2905亿元，比上年增长9.1%。</p>
<h2>二、通信设施</h2>
<p>表1 通信设施</p>
<table>
<tr><th>项目</th><th>2022年</th></tr>
<tr><td>5G基站（个）</td><td>35210</td></tr>
<tr><td>千兆宽带用户（万户）</td><td>286.4</td></tr>
</table>
</main>
<aside class="sidebar">热点推荐：全市共有网吧888家</aside>
<footer>版权所有 青溪市统计局 联系电话 12345678</footer>
</body></html>
"""


def write_html(path: Path) -> Path:
    path.write_text(HTML_PAGE, encoding="utf-8")
    return path


TRADITIONAL_TEXT = """青溪市電子商務發展報告

一、總體情況

2022年，全市電子商務交易額達到1250億元，比上年增長12.6%。網路零售額達到468億元。
"""


def write_traditional(path: Path) -> Path:
    path.write_text(TRADITIONAL_TEXT, encoding="utf-8")
    return path


def write_csv(path: Path) -> Path:
    path.write_text("区县,2022年户籍人口（万人）\n东城区,86.5\n西湖区,72.3\n", encoding="utf-8")
    return path


def write_zip_bomb(path: Path) -> Path:
    """A .docx that is a zip whose one member unpacks to 600 MB of zeros (a few hundred KB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(12):
                member.write(block)
    return path
