"""PDFs from the tools people write reports with: LibreOffice Writer and Calc, a .docx converted by LibreOffice,
Chromium's print to PDF and XeLaTeX (ctex). They were made once by tests/data/pdf_producers/make.py from texts we
wrote, and are committed, so no test needs those tools. Every figure of each source must come through digit for
digit, tables as cells, two columns in reading order; indexed beside the seeds, a sentence figure and a table cell
of each are answered with the right page. The PDF reader is also checked against PDFium's own text on every page:
a layout step that changes a figure makes the page fall back to that text, with a warning."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from conftest import run_qa
from qa.indexing.formats import pdf as pdf_reader
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.formats.pdf_check import check_page, figures, is_garbage
from qa.indexing.ingest import load_document

FIXTURES = Path(__file__).parent / "data" / "pdf_producers"
PRODUCERS = ("writer", "docx", "calc", "chromium", "xelatex")


def _truth(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _page_of(name: str, text: str) -> int:
    """The page whose PDFium text holds `text` (the second route to where a figure is)."""
    pdf = pdfium.PdfDocument(str(FIXTURES / f"{name}.pdf"))
    try:
        pages = [_squeezed(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()
    return next(number for number, page in enumerate(pages, start=1) if _squeezed(text) in page)


@pytest.fixture(scope="module")
def documents():
    return {name: load_document(FIXTURES / f"{name}.pdf") for name in PRODUCERS}


# ---- 读出来的文字 ------------------------------------------------------------


@pytest.mark.parametrize("name", PRODUCERS)
def test_every_figure_of_the_source_is_in_the_text_digit_for_digit(documents, name):
    source = (FIXTURES / f"{name}.source.txt").read_text(encoding="utf-8")
    missing = figures(source) - figures(documents[name].text)
    assert not missing, f"{name}: 丢了或改了的数字 {sorted(missing.elements())}"
    assert not documents[name].notes  # 没有一页要退回 PDFium 的原文


@pytest.mark.parametrize("name", PRODUCERS)
def test_the_title_comes_from_the_file_and_running_headers_and_page_numbers_are_gone(documents, name):
    truth, document = _truth(name), documents[name]
    if name != "calc":  # Calc 的页眉是工作表名，页面上没有大标题：标题由 ingest 取第一行
        assert document.title == truth["title"]
    lines = {line.lstrip("# ") for line in document.text.split("\n")}
    for running in truth["running"]:  # Calc 的页眉是各页的工作表名：字不同，位置相同
        assert running not in lines, running
    assert "第 2 页" not in document.text and "— 2 —" not in document.text


@pytest.mark.parametrize("name", [name for name in PRODUCERS if _truth(name)["two_column_pages"]])
def test_a_two_column_page_is_read_left_column_first(documents, name):
    text = _squeezed(documents[name].text)
    for columns in _truth(name)["columns"]:
        left, right = (_squeezed(columns[side].split("\n")[0]) for side in ("left", "right"))
        assert left in text and right in text
        assert text.index(left) < text.index(right)


@pytest.mark.parametrize("name", PRODUCERS)
def test_table_cells_are_read_with_their_row_and_column(documents, name):
    document = documents[name]
    cells = [location for location in document.locations if location.cell]
    found, missed = 0, []
    for table in _truth(name)["tables"]:
        for cell in table["cells"]:
            if any(
                cell["row"] in (location.row or "")
                and _squeezed(cell["column"]).replace("（%）", "") in _squeezed(location.column or "")
                and cell["value"] in document.text[location.start : location.end]
                for location in cells
            ):
                found += 1
            else:
                missed.append(cell)
    assert not missed, f"{name}: {len(missed)} 个单元格没读对，如 {missed[:3]}"
    assert found


@pytest.mark.parametrize("name", PRODUCERS)
def test_sentences_keep_their_page(documents, name):
    document = documents[name]
    from qa.indexing.formats.builder import locate

    for fact in _truth(name)["sentence_facts"]:
        start = document.text.index(fact["figure"])
        assert locate(document.locations, start, start + len(fact["figure"])).page == fact["page"], fact["figure"]


# ---- 自检：与 PDFium 的原文对照 ------------------------------------------------


def test_the_self_check_finds_a_lost_decimal_point_and_a_figure_joined_to_another():
    page = "飞机起降12.6万架次，增长21.7%。\r\n年末全市共有企业１，０８６家。"
    assert check_page(page, [page], "飞机起降12.6万架次，增长21.7%。\n年末全市共有企业1,086家。").ok
    lost = check_page(page, [page], "飞机起降126万架次，增长21.7%。\n年末全市共有企业1,086家。")
    assert (lost.missing_figures, lost.extra_figures) == (("12.6",), ("126",))
    assert check_page(page, [page[:10]], "飞机起降12.6万架次，增长21.7%。年末全市共有企业1,086家。").missing_chars > 0


def test_a_page_whose_layout_changes_a_figure_falls_back_to_pdfiums_text_and_says_so(monkeypatch):
    # 故障注入：让版面这一步把小数点弄丢（真实 PDF，真实 PDFium，只有版面的结果被改坏）
    find_tables = pdf_reader._with_tables

    def losing_decimal_points(lines, page):
        return [replace(line, text=line.text.replace("12.6", "126")) for line in find_tables(lines, page)]

    monkeypatch.setattr(pdf_reader, "_with_tables", losing_decimal_points)
    document = load_document(FIXTURES / "writer.pdf")
    assert "飞机起降12.6万架次" in document.text and "126" not in document.text
    assert len(document.notes) == 1 and document.notes[0].startswith("第2页按版面读出的文字与 PDF 自带的文字对不上")


@pytest.mark.parametrize("name", ("calc", "docx"))
def test_pages_read_as_pdfiums_text_keep_every_figure_and_glue_none(monkeypatch, name):
    # 每一页都当作自检没通过：按 PDFium 的原文读。Calc 的表格行以数字开头（「1月」），数值右对齐、行行写满，
    # 两行之间的数字也不能接成一个数
    failed = pdf_reader.PageCheck(("0",), (), 0)
    monkeypatch.setattr(pdf_reader, "check_page", lambda *args: failed)
    document = load_document(FIXTURES / f"{name}.pdf")
    pdf = pdfium.PdfDocument(str(FIXTURES / f"{name}.pdf"))
    plain = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    ours, truth = figures(document.text), figures(plain)
    page_numbers = {str(n) for n in range(1, len(pdf) + 1)}  # 页码行照旧拿掉
    assert set((truth - ours).elements()) <= page_numbers, truth - ours
    assert set(ours) <= set(truth), set(ours) - set(truth)


def test_a_row_without_values_stands_alone_and_a_wrapped_label_is_whole():
    # .docx 的表（单元格顶端对齐）：长标签折成几行，数值在第一行；「其他非流动资产」一行没有数值
    text = load_document(FIXTURES / "docx.pdf").text
    assert "归属于集团股东的扣除非经常性损益的净利润 2023年为1,207,336,482.19元。" in text
    assert "\n其他非流动资产。\n经营活动产生的现金流量净额 2023年为2,318,904,776.63元。" in text


def test_garbage_text_is_recognised():
    assert is_garbage("ÄãºÃ£¬ÎÒÊÇ ÖÐ¹úÈË¡£ËûÃÇ")  # GBK 字节当成 Latin-1
    assert is_garbage("\ue001\ue002\ue003 \ue004\ue005")  # 私用区字形
    assert not is_garbage("全年地区生产总值3,872.45亿元，增长6.8%。")
    assert not is_garbage("Kweichow Moutai Co.,Ltd. annual report")


def test_a_pdf_whose_text_is_garbage_is_refused_in_chinese(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for _ in range(5):
        pdf.cell(0, 8, "ÄãºÃ£¬ÎÒÊÇÖÐ¹úÈË¡£ËûÃÇ¶¼ÔÚÕâÀï¡£", new_x="LMARGIN", new_y="NEXT")  # 没有 Unicode 映射的中文字体读出来就是这样
    pdf.output(str(tmp_path / "garbled.pdf"))
    with pytest.raises(UnreadableFile, match="乱码"):
        load_document(tmp_path / "garbled.pdf")


# ---- 标题 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "metadata_title",
    ["Microsoft Word - 文档1.docx", "report.html", "文档1", "Untitled", "股份有限公司"],
)
def test_a_metadata_title_that_is_a_file_name_template_or_fragment_gives_way_to_the_first_heading(tmp_path, metadata_title):
    from fpdf import FPDF

    import format_files as files

    if not files.NOTO_SANS.exists():
        pytest.skip("Debian 的 fonts-noto-cjk 未安装，无法生成中文 PDF")
    pdf = FPDF()
    pdf.add_font("noto", fname=str(files.NOTO_SANS), collection_font_number=files.NOTO_SC)
    pdf.set_title(metadata_title)
    pdf.add_page()
    pdf.set_font("noto", size=20)
    pdf.cell(0, 12, "青溪化工股份有限公司2023年年度报告", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=11)
    pdf.multi_cell(0, 7, "报告期内，公司实现营业收入12.35亿元，比上年增长4.2%。" * 3)
    pdf.output(str(tmp_path / "report.pdf"))
    assert load_document(tmp_path / "report.pdf").title == "青溪化工股份有限公司2023年年度报告"


# ---- 建库与问答（真编码器、真索引） --------------------------------------------


@pytest.fixture(scope="module")
def producers_index(real_seed_index, tmp_path_factory) -> Path:
    """The seed index with the five producers' PDFs added by the real `qa index`."""
    folder = tmp_path_factory.mktemp("producers")
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(real_seed_index.parent / "corpus", corpus)
    shutil.copytree(real_seed_index, index)
    for name in PRODUCERS:
        shutil.copy(FIXTURES / f"{name}.pdf", corpus / f"{name}.pdf")
    report = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert sorted(report["docs_added"]) == sorted(f"{name}.pdf" for name in PRODUCERS)
    assert report["warnings"] == [] and report["skipped"] == []
    return index


@pytest.fixture(scope="module")
def producers_pipeline(producers_index, reader):
    from qa.pipeline import Pipeline

    return Pipeline.open(producers_index, reader=reader)


@pytest.mark.slow
@pytest.mark.parametrize("name", PRODUCERS)
def test_no_figure_of_a_source_is_missing_or_altered_in_the_index(producers_pipeline, name):
    indexed = Counter()
    for chunk in producers_pipeline.index.chunks:
        if chunk.doc == f"{name}.pdf":  # 检索的是标题、章节路径（表题）和正文
            indexed.update(figures(" ".join((chunk.title, *chunk.section_path, chunk.text))))
    source = figures((FIXTURES / f"{name}.source.txt").read_text(encoding="utf-8"))
    assert not set(source) - set(indexed), sorted(set(source) - set(indexed))


# 每个来源一个正文里的数、一个表格单元格：问题是照着我们自己写的原文另写的
QUESTIONS = [
    ("writer", "2023年临江机场飞机起降多少万架次？", "12.6万架次", None),
    ("writer", "2023年临江市工业增加值是多少亿元？", "1,563.09", "工业"),
    ("docx", "2023年临江港完成货物吞吐量多少亿吨？", "2.47亿吨", None),
    ("docx", "2023年临江港南港区货物吞吐量是多少万吨？", "7,048.1", "南港区"),
    # 折成三行的行标签，数值在它的第一行（.docx 的表格，单元格顶端对齐）
    ("docx", "临江港务集团2023年经营活动产生的现金流量净额是多少元？", "2,318,904,776.63", "经营活动产生的现金流量净额"),
    ("calc", "东湖区2023年一般公共预算收入是多少万元？", "974,218.30", "东湖区"),
    ("calc", "临江市2023年梅岭镇户籍人口有多少人？", "28,122", "梅岭镇"),
    ("chromium", "2023年临江市科技金融贷款余额是多少？", "624.19亿元", None),
    ("chromium", "2023年临江市高等学校研发经费是多少亿元？", "9.47", "高等学校"),
    ("xelatex", "2023年临江市罚没款金额是多少万元？", "4,218.6万元", None),
    ("xelatex", "沙溪口断面的总磷年均浓度是多少？", "0.152", "沙溪口"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "question", "figure", "row"), QUESTIONS)
def test_a_sentence_figure_and_a_table_cell_of_each_producer_are_answered_with_their_page(producers_pipeline, name, question, figure, row):
    answer = producers_pipeline.ask(question).answer
    assert not answer.abstained and figure in answer.answer and figures(figure) == figures(answer.span), (answer.span, answer.answer, answer.veto)
    citation = answer.citations[0]
    assert citation.doc == f"{name}.pdf"
    assert citation.location.page == _page_of(name, figure)
    if row:
        assert row in citation.location.row


# 检索与引用这一半是 PDF 读取的事：每个表格问题，答案所在的单元格都在前几段里，带着对的页码、行和列
TABLE_CELLS = [
    ("writer", "2023年临江市工业增加值是多少亿元？", "1,563.09", "工业"),
    ("docx", "2023年临江港南港区货物吞吐量是多少万吨？", "7,048.1", "南港区"),
    # 折成三行的行标签，数值在它的第一行（.docx 的表格，单元格顶端对齐）
    ("docx", "临江港务集团2023年经营活动产生的现金流量净额是多少元？", "2,318,904,776.63", "经营活动产生的现金流量净额"),
    ("calc", "东湖区2023年一般公共预算收入是多少万元？", "974,218.30", "东湖区"),
    ("chromium", "2023年临江市高等学校研发经费是多少亿元？", "9.47", "高等学校"),
    ("xelatex", "沙溪口断面的总磷年均浓度是多少？", "0.152", "沙溪口"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "question", "figure", "row"), TABLE_CELLS)
def test_the_asked_table_cell_is_retrieved_with_its_page_row_and_column(producers_pipeline, name, question, figure, row):
    hits = producers_pipeline.index.search(question, k=5)
    located = producers_pipeline.locations[f"{name}.pdf"]
    for hit in hits:
        if hit.chunk.doc != f"{name}.pdf" or figure not in hit.chunk.text:
            continue
        start = hit.chunk.start + hit.chunk.text.index(figure)
        cell = next(location for location in located if location.cell and location.start <= start < location.end)
        assert row in cell.row and cell.page == _page_of(name, figure)
        return
    pytest.fail(f"前 5 段里没有 {figure}")
