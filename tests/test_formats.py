"""PDF, Word, web pages, spreadsheets and bad files: real files written by real tools, read by the format readers,
indexed beside the seeds with the real encoder and asked through the real pipeline."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import format_files as files
from conftest import run_qa
from qa.app.accounts import Caller, Role
from qa.indexing.formats.builder import TextBuilder, locate
from qa.indexing.formats.tables import Table, table_facts, unit_in
from qa.indexing.ingest import load_corpus, load_document
from qa.indexing.sections import split_sections
from qa.types import Location

needs_cjk_font = pytest.mark.skipif(not files.NOTO_SANS.exists(), reason="Debian 的 fonts-noto-cjk 未安装，无法生成中文 PDF")

ADMIN = Caller("zhang", Role.ADMIN)  # 调用服务的管理员（网页版由登录名和角色得出）


def _cell(row: int, column: int) -> str:
    return f"R{row + 1}C{column + 1}"


# ---- 表格 -> 事实 ---------------------------------------------------------


def test_a_table_with_a_header_row_and_a_label_column_gives_one_fact_per_value_with_the_caption_unit():
    table = Table((("指标", "2021年", "2022年"), ("粮食产量", "60.1", "61.3")), "表3 农业（单位：万吨）", _cell)
    heading, facts = table_facts(table)
    assert heading == "表3 农业（单位：万吨）"
    assert [fact.text for fact in facts] == ["粮食产量 2021年为60.1万吨。", "粮食产量 2022年为61.3万吨。"]
    assert (facts[1].row, facts[1].column, facts[1].cell, facts[1].cell_index) == ("粮食产量", "2022年", "R2C3", 2)


def test_a_unit_in_a_column_header_wins_over_the_caption_and_leaves_the_label():
    table = Table((("项目", "金额（亿元）", "增长（%）"), ("出口", "88", "3.5")), "表1（单位：万元）", _cell)
    assert [fact.text for fact in table_facts(table)[1]] == ["出口 金额为88亿元。", "出口 增长为3.5%。"]


def test_merged_title_rows_join_the_heading_and_multi_row_headers_join_the_column_label():
    rows = (
        ("2022年各区人口（单位：万人）",) * 3,
        ("区", "常住人口", "常住人口"),
        ("区", "年初", "年末"),
        ("东区", "50.2", "51.0"),
    )
    heading, facts = table_facts(Table(rows, "Sheet1", _cell))
    assert heading == "Sheet1 2022年各区人口（单位：万人）"
    assert facts[1].text == "东区 常住人口 年末为51.0万人。"
    assert facts[1].cell == "R4C3"  # 单元格名字仍按原表的行列数


def test_a_table_of_text_reads_each_row_label_with_each_column():
    rows = (("项目", "牵头单位"), ("城市大脑", "数据资源局"))
    assert [fact.text for fact in table_facts(Table(rows, "表2", _cell))[1]] == ["城市大脑 牵头单位为数据资源局。"]


def test_a_table_without_headers_is_read_row_by_row():
    rows = (("12", "34"), ("56", "78"))
    assert [fact.text for fact in table_facts(Table(rows, "表4", _cell))[1]] == ["12 | 34。", "56 | 78。"]


def test_empty_edges_are_trimmed_and_cell_names_keep_the_sheet_positions():
    rows = (("", "", ""), ("", "指标", "2022年"), ("", "产量", "7"))
    facts = table_facts(Table(rows, "表", _cell))[1]
    assert [(fact.text, fact.cell) for fact in facts] == [("产量 2022年为7。", "R3C3")]


@pytest.mark.parametrize(
    ("text", "unit"),
    [("（单位：亿元）", "亿元"), ("增长(%)", "%"), ("单位：万人", "万人"), ("人口（城镇）", ""), ("（2022年）", "")],
)
def test_unit_in_accepts_only_real_units(text, unit):
    assert unit_in(text) == unit


def test_locate_names_the_cell_a_quote_comes_from_or_the_pages_it_spans():
    locations = (Location(0, 10, "第1页", page=1), Location(12, 30, "第2页", page=2), Location(40, 50, "表", table="表", cell="B2"))
    assert locate(locations, 2, 8).label == "第1页"
    assert locate(locations, 5, 20).label == "第1–2页"
    assert locate(locations, 41, 49).cell == "B2"
    assert locate(locations, 31, 39) is None


def test_the_builder_writes_headings_as_markdown_and_merges_page_runs():
    builder = TextBuilder()
    builder.heading(2, "一、综合", page=1)
    builder.paragraph([("第一段前半", 1), ("后半在第二页。", 2)])
    extracted = builder.extracted("题目", pages=2)
    assert extracted.text == "## 一、综合\n\n第一段前半后半在第二页。"
    assert [(loc.label, extracted.text[loc.start : loc.end]) for loc in extracted.locations] == [
        ("第1页", "## 一、综合\n\n第一段前半"),
        ("第2页", "后半在第二页。"),
    ]


# ---- 各种格式的读取 --------------------------------------------------------


@needs_cjk_font
def test_a_pdf_drops_running_headers_and_page_numbers_joins_lines_across_pages_and_keeps_page_numbers(tmp_path):
    document = load_document(files.write_pdf(tmp_path / "bulletin.pdf"))
    assert (document.kind, document.pages, document.title) == ("pdf", 3, files.PDF_TITLE)
    assert files.PDF_TITLE not in document.text  # 每页的页眉
    assert "— 2 —" not in document.text and "—" not in document.text  # 页脚页码
    long = document.text.index(files.PDF_LONG_PARAGRAPH)  # 跨行、跨页的段落接成一段
    assert locate(document.locations, long, long + len(files.PDF_LONG_PARAGRAPH)).label == "第1–2页"
    last = document.text.index(files.PDF_PAGE_THREE)
    assert locate(document.locations, last, last + 10).page == 3
    paths = {section.path for section in split_sections(document)}
    assert ("三、旅游",) in paths  # 书签给出的标题


@needs_cjk_font
def test_a_pdf_without_bookmarks_takes_its_headings_from_the_larger_bold_lines(tmp_path):
    document = load_document(files.write_pdf(tmp_path / "plain.pdf", outline=False))
    assert "# 二、工业和建筑业" in document.text
    assert ("二、工业和建筑业",) in {section.path for section in split_sections(document)}


@needs_cjk_font
def test_a_two_column_pdf_page_is_read_left_column_first(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(files.NOTO_SANS), collection_font_number=files.NOTO_SC)
    pdf.add_page()
    pdf.set_font("noto", size=11)
    left = "左栏说的是工业：全年工业增加值增长百分之六，规模以上企业利润增长百分之四，新开工项目一百二十个。" * 2
    right = "右栏说的是农业：粮食总产量六十一万吨，蔬菜产量三十五万吨，水果产量二十万吨，均比上年增加。" * 2
    # 先写右栏再写左栏：内容流的顺序与阅读顺序相反，读出来仍要先左后右
    pdf.set_xy(110, 20)
    pdf.multi_cell(90, 7, right)
    pdf.set_xy(10, 20)
    pdf.multi_cell(90, 7, left)
    pdf.output(str(tmp_path / "columns.pdf"))
    text = load_document(tmp_path / "columns.pdf").text
    assert left in text and right in text
    assert text.index(left) < text.index(right)


@needs_cjk_font
def test_a_table_in_a_pdf_is_read_as_cells_with_its_caption_unit_and_page(tmp_path):
    document = load_document(files.write_pdf_with_table(tmp_path / "farm.pdf"))
    assert document.tables == 1
    assert "# 表2 主要农产品产量（单位：万吨）" in document.text
    assert "粮食 2022年为61.3万吨。" in document.text and "水果 增长为-2.9%。" in document.text
    fact = document.text.index("蔬菜 2022年")
    cell = locate(document.locations, fact, fact + 4)
    assert (cell.page, cell.row, cell.column, cell.cell, cell.cells) == (1, "蔬菜", "2022年", "第3行第3列", ("蔬菜", "35.2", "36.0", "2.3"))
    assert document.text.index("如下表") < fact < document.text.index("全年水产品产量12.5万吨")  # 表格留在原位


@needs_cjk_font
def test_a_pdf_of_only_a_table_is_read(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(files.NOTO_SANS), collection_font_number=files.NOTO_SC)
    pdf.add_font("noto", style="B", fname=str(files.NOTO_SANS_BOLD), collection_font_number=files.NOTO_SC)
    pdf.add_page()
    pdf.set_font("noto", size=11)
    with pdf.table() as table:
        for cells in (("区县", "面积（平方公里）"), ("东城区", "41.8"), ("西湖区", "309.4")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.output(str(tmp_path / "areas.pdf"))
    document = load_document(tmp_path / "areas.pdf")
    assert "西湖区 面积为309.4平方公里。" in document.text and document.tables == 1


def test_a_word_file_has_heading_sections_list_items_and_table_facts(tmp_path):
    document = load_document(files.write_docx(tmp_path / "population.docx"))
    assert (document.kind, document.tables, document.title) == ("docx", 1, "青溪市人口发展报告")
    assert "- 外来人口持续流入" in document.text
    assert "城镇 常住人口 2022年为1031.9万人。" in document.text
    fact = document.text.index("城镇 常住人口 2022年")
    cell = locate(document.locations, fact, fact + 5)
    assert (cell.table, cell.row, cell.column, cell.cell) == ("表1 城乡人口（单位：万人）", "城镇", "常住人口 2022年", "第3行第3列")
    assert cell.cells == ("城镇", "1015.3", "1031.9") and cell.cell_index == 2
    sections = {section.path for section in split_sections(document)}
    assert ("二、城乡分布", "表1 城乡人口（单位：万人）") in sections  # 表题是所在章节下的一节
    after = next(section for section in split_sections(document) if "城镇化率继续提高" in section.text)
    assert after.path == ("二、城乡分布",)  # 表格之后的正文回到表格上面的标题下


def test_an_excel_sheet_gives_cited_cells_with_the_unit_of_its_title_row(tmp_path):
    document = load_document(files.write_xlsx(tmp_path / "indicators.xlsx"))
    assert document.kind == "xlsx" and document.tables == 1
    assert document.title == "2022年青溪市主要经济指标（单位：亿元）"  # 合并的表题行
    assert "地区生产总值 2022年为18753亿元。" in document.text
    assert "地区生产总值 增长为6.0%。" in document.text  # 单元格格式「0.0」照原样显示，列标题的单位优先
    fact = document.text.index("社会消费品零售总额 2022年")
    assert locate(document.locations, fact, fact + 3).cell == "主要指标!C5"


def test_a_csv_file_is_one_table(tmp_path):
    document = load_document(files.write_csv(tmp_path / "districts.csv"))
    assert "东城区 2022年户籍人口为86.5万人。" in document.text
    fact = document.text.index("西湖区")
    assert locate(document.locations, fact, fact + 3).cell == "B3"


def test_a_web_page_keeps_its_main_text_and_tables_and_drops_navigation_scripts_and_footers(tmp_path):
    document = load_document(files.write_html(tmp_path / "digital.html"))
    assert document.title == "青溪市数字经济发展情况"
    assert "2022年，全市数字经济核心产业增加值达到2905亿元" in document.text  # 源码里的换行缩进不留空格
    assert "千兆宽带用户 2022年为286.4万户。" in document.text
    assert "### 表1 通信设施\n\n5G基站" in document.text  # 表格前的「表1 ……」段落是表题
    for boilerplate in ("首页", "新闻中心", "您的位置", "热点推荐", "版权所有", "tracker", "999万次"):
        assert boilerplate not in document.text


# ---- 坏文件 -----------------------------------------------------------------


@needs_cjk_font
def test_bad_files_are_skipped_with_a_chinese_reason_and_the_rest_is_read(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files.write_docx(corpus / "good.docx")
    files.write_scanned_pdf(corpus / "scan.pdf")
    files.write_encrypted_pdf(corpus / "secret.pdf")
    files.write_zip_bomb(corpus / "bomb.docx")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
    (corpus / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (corpus / "fake.docx").write_bytes("这是一个改了后缀的文本文件".encode("utf-8"))
    documents, skipped = load_corpus(corpus)
    assert [document.doc for document in documents] == ["good.docx"]
    reasons = {item.doc: item.reason for item in skipped}
    assert "扫描件" in reasons["scan.pdf"]
    assert "加密" in reasons["secret.pdf"]
    assert "压缩炸弹" in reasons["bomb.docx"]
    assert "损坏" in reasons["broken.pdf"]
    assert "损坏" in reasons["broken.xlsx"] and "损坏" in reasons["fake.docx"]


@needs_cjk_font
def test_a_partly_scanned_pdf_is_read_and_says_which_pages_had_no_text(tmp_path):
    document = load_document(files.write_partly_scanned_pdf(tmp_path / "parks.pdf"))
    assert "新增绿地面积320公顷" in document.text
    assert len(document.notes) == 1 and "第2页没有文字层" in document.notes[0]  # 第3页是空白页，不算扫描页


# ---- 建库与问答（真编码器、真索引） ------------------------------------------


@pytest.fixture(scope="module")
def mixed_index(real_seed_index, tmp_path_factory) -> Path:
    """The seed index with a PDF, a Word file, a sheet, a web page, a CSV and a traditional-character text added
    (and a scanned PDF that is skipped), brought up to date by the real `qa index`."""
    if not files.NOTO_SANS.exists():
        pytest.skip("Debian 的 fonts-noto-cjk 未安装，无法生成中文 PDF")
    folder = tmp_path_factory.mktemp("formats")
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(real_seed_index.parent / "corpus", corpus)
    shutil.copytree(real_seed_index, index)
    files.write_pdf(corpus / "bulletin.pdf")
    files.write_pdf_with_table(corpus / "farm.pdf")
    files.write_docx(corpus / "population.docx")
    files.write_xlsx(corpus / "indicators.xlsx")
    files.write_html(corpus / "digital.html")
    files.write_csv(corpus / "districts.csv")
    files.write_traditional(corpus / "ecommerce.txt")
    files.write_scanned_pdf(corpus / "scan.pdf")
    files.write_partly_scanned_pdf(corpus / "parks.pdf")
    report = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert sorted(report["docs_added"]) == sorted(
        ["bulletin.pdf", "farm.pdf", "parks.pdf", "population.docx", "indicators.xlsx", "digital.html", "districts.csv", "ecommerce.txt"]
    )
    assert [item["doc"] for item in report["skipped"]] == ["scan.pdf"]
    assert [(item["doc"], "第2页没有文字层" in item["reason"]) for item in report["warnings"]] == [("parks.pdf", True)]
    return index


def test_what_was_not_read_is_kept_in_the_manifest_for_the_knowledge_base_table(mixed_index):
    manifest = json.loads((mixed_index / "manifest.json").read_text(encoding="utf-8"))
    notes = {doc: entry.get("notes") for doc, entry in manifest["documents"].items() if entry.get("notes")}
    assert list(notes) == ["parks.pdf"] and "第2页没有文字层" in notes["parks.pdf"][0]


@pytest.fixture(scope="module")
def mixed_pipeline(mixed_index, reader):
    from qa.pipeline import Pipeline

    return Pipeline.open(mixed_index, reader=reader)


@pytest.mark.slow
def test_a_figure_in_a_pdf_sentence_is_answered_with_its_page(mixed_pipeline):
    answer = mixed_pipeline.ask("2022年全年接待入境游客多少人次？").answer
    assert answer.span == "52.6万人次"
    citation = answer.citations[0]
    assert citation.doc == "bulletin.pdf" and citation.location.label == "第3页"


@pytest.mark.slow
def test_a_cell_of_an_excel_sheet_is_answered_with_its_row_column_and_cell(mixed_pipeline):
    answer = mixed_pipeline.ask("2022年社会消费品零售总额是多少？").answer
    assert answer.span == "7346.3亿元"
    location = answer.citations[0].location
    assert (location.table, location.row, location.column, location.cell) == ("主要指标", "社会消费品零售总额", "2022年", "主要指标!C5")


@pytest.mark.slow
def test_a_cell_of_a_pdf_table_is_answered_with_its_page_row_and_column(mixed_pipeline):
    answer = mixed_pipeline.ask("2022年青溪市蔬菜产量是多少万吨？").answer
    assert answer.span == "36.0万吨"
    location = answer.citations[0].location
    assert (location.page, location.row, location.column) == (1, "蔬菜", "2022年")


@pytest.mark.slow
def test_the_row_label_picks_the_row_not_a_total_in_the_prose(mixed_pipeline):
    # 正文里有全市总数「常住人口1237.6万人」；问的是表里「乡村」那一行
    assert mixed_pipeline.ask("2022年乡村常住人口是多少？").answer.span == "205.7万人"


@pytest.mark.slow
def test_a_cell_of_a_word_table_is_answered_with_its_row_and_column(mixed_pipeline):
    answer = mixed_pipeline.ask("2022年城镇常住人口多少万人？").answer
    assert answer.span == "1031.9万人"
    location = answer.citations[0].location
    assert (location.row, location.column, location.cell) == ("城镇", "常住人口 2022年", "第3行第3列")


@pytest.mark.slow
def test_a_web_page_figure_is_answered_and_its_navigation_is_not_in_the_index(mixed_pipeline):
    asked = mixed_pipeline.ask("2022年全市数字经济核心产业增加值是多少？")
    assert asked.answer.span == "2905亿元" and asked.answer.citations[0].doc == "digital.html"
    page_chunks = [chunk.text for chunk in mixed_pipeline.index.chunks if chunk.doc == "digital.html"]
    assert page_chunks and not any("首页" in text or "版权所有" in text for text in page_chunks)


@pytest.mark.slow
def test_a_traditional_character_document_answers_a_question_in_simplified_and_quotes_its_own_characters(mixed_pipeline):
    answer = mixed_pipeline.ask("2022年全市电子商务交易额是多少？").answer
    assert answer.span == "1250億元"
    assert "電子商務交易額" in answer.citations[0].quote


@pytest.mark.slow
def test_the_cli_prints_the_page_and_the_json_carries_the_location(mixed_index):
    record = json.loads(run_qa("ask", "--index", str(mixed_index), "--json", "2022年全年接待入境游客多少人次？").stdout)
    assert record["citations"][0]["location"]["page"] == 3
    printed = run_qa("ask", "--index", str(mixed_index), "2021年一般公共预算收入是多少？").stdout
    assert "主要指标!B4" in printed and "2100.4亿元" in printed


# ---- 网页上传 ---------------------------------------------------------------


def test_uploads_of_every_format_are_read_before_they_are_kept_and_bad_ones_leave_nothing_behind(tmp_path, e5_encoder, reader):
    from qa.app.service import QAService

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    service = QAService(corpus, tmp_path / "index", background=False, encoder=e5_encoder, reader=reader)
    made = tmp_path / "made"
    made.mkdir()
    word = files.write_docx(made / "人口.docx").read_bytes()
    result = service.add_document("人口.docx", word, ADMIN)
    assert result.ok and "Word，1 张表" in result.message
    assert (corpus / "人口.docx").read_bytes() == word  # 原样保存，不转成文本
    assert not service.add_document("副本.docx", word, ADMIN).ok  # 内容相同
    bomb = service.add_document("bomb.docx", files.write_zip_bomb(made / "bomb.docx").read_bytes(), ADMIN)
    assert not bomb.ok and "压缩炸弹" in bomb.message
    sheet = service.add_document("指标.xlsx", b"PK\x03\x04 broken", ADMIN)
    assert not sheet.ok and "损坏" in sheet.message
    assert not service.add_document("旧格式.doc", word, ADMIN).ok
    assert sorted(path.name for path in corpus.iterdir()) == ["人口.docx"]


@pytest.mark.slow
def test_the_chat_shows_the_cited_table_row_and_can_open_the_cited_pdf_page(mixed_pipeline):
    from qa.app.render import answer_html

    cell = mixed_pipeline.ask("2022年社会消费品零售总额是多少？").answer
    assert '</tr><tr><td>社会消费品零售总额</td><td>7012</td><td><mark>7346.3</mark></td>' in answer_html(cell)
    page = mixed_pipeline.ask("2022年全年接待入境游客多少人次？").answer
    texts = {("bulletin.pdf", 3): mixed_pipeline.page_text("bulletin.pdf", 3)}
    assert texts[("bulletin.pdf", 3)] == files.PDF_PAGE_THREE  # 第三页的正文，别页的不混进来
    shown = answer_html(page, None, texts)
    assert "第3页原文" in shown and "<mark>全年接待入境游客52.6万人次" in shown


def test_a_statements_note_column_holds_references_not_values():
    # 财务报表的「附注」列写的是注释编号：不是「30元」
    rows = (("项目", "附注", "2020年度", "2019年度"), ("营业收入", "30", "94,915.72", "85,429.57"), ("结算备付金", "", "", ""))
    _, facts = table_facts(Table(rows, "合并利润表 单位：元", _cell))
    texts = [fact.text for fact in facts]
    assert "营业收入 见附注30。" in texts and "营业收入 2020年度为94,915.72元。" in texts
    assert not any("30元" in text for text in texts)
    assert "结算备付金。" in texts  # 没有数值的一行，标签照写


@pytest.mark.parametrize(
    "question, doc, shown",
    [
        ("2022年全年接待入境游客多少人次？", "bulletin.pdf", "第 3 页"),
        ("2022年社会消费品零售总额是多少？", "indicators.xlsx", "<b class='cell'>7346.3</b>"),
        ("2022年城镇常住人口多少万人？", "population.docx", "1031.9"),
        ("杭州有多少家上市企业？", "000_7c521dbcc8602230.txt", "18家上市企业"),
    ],
)
def test_the_whole_document_opens_at_the_quote_for_every_format(mixed_pipeline, question, doc, shown):
    """「查看全文」: the document's text with its sections, the quote highlighted (the cell marked in a sheet), page
    markers in a PDF; never a path from outside the index."""
    from qa.app.document_view import whole_document

    citation = mixed_pipeline.ask(question).answer.citations[0]
    assert citation.doc == doc
    page = whole_document(mixed_pipeline, citation.doc, citation.start, citation.end)
    quoted = page[page.index("<mark id='quote'>") :]
    assert shown in page and quoted.index("</mark>") > 0
    assert "<h2>" in page and "<script" not in page
    assert whole_document(mixed_pipeline, "../../etc/passwd", 0, 1) is None


def test_a_table_citation_shows_its_row_under_the_column_headers(mixed_pipeline):
    from qa.app.render import table_row_html

    location = mixed_pipeline.ask("2022年社会消费品零售总额是多少？").answer.citations[0].location
    assert len(location.headers) == len(location.cells) and location.headers[location.cell_index] == location.column == "2022年"
    shown = table_row_html(location)
    assert "<th>2022年</th>" in shown and shown.index("<th>") < shown.index("<mark>")
