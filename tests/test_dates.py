"""Publication dates: read from real files (fpdf2, python-docx, openpyxl, HTML, text), weighed against the text,
kept in the manifest and used to anchor 去年. Cities and figures are invented."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

import format_files as files
from qa.indexing.build import build_index
from qa.indexing.dates import (
    DATELINE,
    EXCEL_PROPERTIES,
    HTML_META,
    PDF_METADATA,
    RELEASE_LINE,
    TITLE,
    WORD_PROPERTIES,
    document_published,
    file_date_fits,
    parse_date,
    parse_pdf_date,
    published_from_pdf_metadata,
    release_date,
    spoken_years,
)
from qa.indexing.ingest import load_document
from qa.indexing.store import MANIFEST
from qa.reading.answerer import Answerer
from qa.text.time import document_year, document_years, find_times
from qa.search.retrieve import load_index
from qa.types import Published

needs_cjk_font = pytest.mark.skipif(
    not files.NOTO_SANS.exists(), reason="Debian 的 fonts-noto-cjk 未安装，无法生成中文 PDF"
)

# 一篇新闻：2024年1月10日发布，讲的是2023年；正文只说「去年」，标题、开头、文件名都没有年份
NEWS_TITLE = "青川市经济运行情况通报"
NEWS_BODY = "去年全市地区生产总值2345.6亿元，比上年增长5.1%。去年全市城镇新增就业8.7万人。"


def _news_page(head: str = "", bar: str = "") -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{NEWS_TITLE}</title>{head}</head><body>'
        f"{bar}<main><h1>{NEWS_TITLE}</h1><p>{NEWS_BODY}</p></main></body></html>"
    )


# ---- 读日期 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("D:20210330153000+08'00'", "2021-03-30"),
        ("D:20210330153000Z", "2021-03-30"),
        ("D:20210330", "2021-03-30"),
        ("20210330153000", "2021-03-30"),  # 没有「D:」
        ("D: 2021-03-30T15:30:00+08:00", "2021-03-30"),  # 写成了 ISO
        ("D:2021", "2021"),  # 只有年
        ("D:20211345", "2021"),  # 月、日不成立：只信年份
        ("D:191210330153000+08'00'", "2021-03-30"),  # 千年虫：19 + 121
        ("Tue Mar 30 15:30:00 2021", "2021-03-30"),
        ("D:00000101000000", None),
        ("", None),
        (None, None),
        ("unknown", None),
    ],
)
def test_pdf_dates_and_their_malformed_variants(value, expected):
    assert parse_pdf_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-01-10 09:30", "2024-01-10"),
        ("2024/1/10", "2024-01-10"),
        ("2024.01.10", "2024-01-10"),
        ("２０２４－０１－１０", "2024-01-10"),
        ("2024年1月10日 09:30", "2024-01-10"),
        ("二〇二四年一月十日", "2024-01-10"),
        ("Wed, 10 Jan 2024 09:30:00 GMT", "2024-01-10"),
        ("2024-02-30", "2024"),
        ("3 days ago", None),
    ],
)
def test_dates_as_metadata_and_release_lines_write_them(value, expected):
    assert parse_date(value) == expected


def test_release_lines_are_read_and_other_dates_are_not():
    assert release_date("青川市通报\n发布时间：2024-01-10 09:30  来源：市统计局\n正文") == "2024-01-10"
    assert release_date("【发布日期】：2024年1月9日") == "2024-01-09"
    assert release_date("日期：2024/01/08") == "2024-01-08"
    assert release_date("发布于 2024-01-07") == "2024-01-07"
    assert release_date("申报截止日期：2024-03-01\n会议时间：2024年3月5日") is None
    # 落款式：机关名、日期、「发布」
    assert release_date("青川市2023年统计公报\n青川市统计局 2024年3月20日发布\n一、综合") == "2024-03-20"
    assert release_date("全年完成2024年3月20日发布的计划任务的一半。") is None  # 句子里的日期不算


@needs_cjk_font
def test_a_pdf_made_by_fpdf2_with_a_set_creation_date(tmp_path: Path):
    import pypdfium2
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("noto", fname=str(files.NOTO_SANS), collection_font_number=files.NOTO_SC)
    pdf.set_creation_date(datetime(2024, 1, 10, 15, 30, tzinfo=timezone.utc))
    pdf.add_page()
    pdf.set_font("noto", size=11)
    pdf.multi_cell(0, 7, NEWS_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, NEWS_BODY, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "news.pdf"))
    document = pypdfium2.PdfDocument(str(tmp_path / "news.pdf"))
    creation, modified = document.get_metadata_value("CreationDate"), document.get_metadata_value("ModDate")
    document.close()
    assert creation.startswith("D:20240110")
    published = published_from_pdf_metadata(creation, modified)
    assert published == Published("2024-01-10", PDF_METADATA)
    text = load_document(tmp_path / "news.pdf").text
    assert document_published(NEWS_TITLE, text, published, "news.pdf") == published


@needs_cjk_font
def test_a_pdf_converted_today_from_an_old_report_keeps_the_year_its_title_gives(tmp_path: Path):
    """tests/format_files.py's fpdf2 PDF carries today's creation date; its title says 2022年统计公报."""
    import pypdfium2

    path = files.write_pdf(tmp_path / "gongbao.pdf")
    document = pypdfium2.PdfDocument(str(path))
    from_file = published_from_pdf_metadata(
        document.get_metadata_value("CreationDate"), document.get_metadata_value("ModDate")
    )
    document.close()
    assert from_file is not None and from_file.year >= 2026
    loaded = load_document(path)
    assert document_published(loaded.title, loaded.text, from_file, path.name) == Published("2023", TITLE)


def test_a_word_file_with_a_creation_date(tmp_path: Path):
    import docx

    document = docx.Document()
    document.core_properties.created = datetime(2024, 1, 10, 9, 30, tzinfo=timezone.utc)
    document.add_heading(NEWS_TITLE, level=0)
    document.add_paragraph(NEWS_BODY)
    document.save(str(tmp_path / "news.docx"))
    assert load_document(tmp_path / "news.docx").published == Published("2024-01-10", WORD_PROPERTIES)


def test_a_word_file_keeps_no_date_inherited_from_its_template(tmp_path: Path):
    """python-docx's template was created 2013-12-23; a text about 2022 was not written then."""
    path = files.write_docx(tmp_path / "report.docx")
    import docx

    assert docx.Document(str(path)).core_properties.created.year == 2013
    assert load_document(path).published is None


def test_a_spreadsheet_with_a_creation_date(tmp_path: Path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.created = datetime(2024, 1, 10, 9, 30)
    workbook.active.append(["指标", "数值"])
    workbook.active.append(["地区生产总值（亿元）", 2345.6])
    workbook.save(str(tmp_path / "指标.xlsx"))
    assert load_document(tmp_path / "指标.xlsx").published == Published("2024-01-10", EXCEL_PROPERTIES)


def test_a_spreadsheet_saved_today_about_2021_and_2022_keeps_its_title_year(tmp_path: Path):
    path = files.write_xlsx(tmp_path / "指标.xlsx")  # openpyxl 写的创建时间是今天
    assert load_document(path).published == Published("2023", TITLE)  # 「2022年……主要经济指标」：次年发布


@pytest.mark.parametrize("name", ["PubDate", "article:published_time", "dc.date", "publishdate"])
def test_a_web_page_with_a_meta_date(tmp_path: Path, name: str):
    attribute = "property" if ":" in name else "name"
    (tmp_path / "news.html").write_text(
        _news_page(f'<meta {attribute}="{name}" content="2024-01-10 09:30:00">'), encoding="utf-8"
    )
    assert load_document(tmp_path / "news.html").published == Published("2024-01-10", HTML_META)


def test_a_web_page_with_a_release_line_in_its_information_bar(tmp_path: Path):
    """The bar is page furniture (left out of the text), but its 发布时间 is the page's date."""
    bar = '<div class="article-header">发布时间：<span>2024-01-10</span> 来源：青川市统计局</div>'
    (tmp_path / "news.html").write_text(_news_page(bar=bar), encoding="utf-8")
    document = load_document(tmp_path / "news.html")
    assert "发布时间" not in document.text
    assert document.published == Published("2024-01-10", RELEASE_LINE)


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"{NEWS_TITLE}\n（2024年1月10日）\n{NEWS_BODY}\n", Published("2024-01-10", DATELINE)),
        (
            "青川市政府工作报告\n——2024年1月10日在青川市第十届人民代表大会第三次会议上\n各位代表：\n",
            Published("2024-01-10", DATELINE),
        ),
        ("青川市政府工作报告\n二〇二四年一月十日\n各位代表：\n", Published("2024-01-10", DATELINE)),
        (f"{NEWS_TITLE}\n发布时间：2024-01-10 来源：青川日报\n{NEWS_BODY}\n", Published("2024-01-10", RELEASE_LINE)),
        ("青川市2023年城市建设工作总结\n全年新建道路12条。\n", Published("2023", TITLE)),
        ("青川市2023年国民经济和社会发展统计公报\n全年地区生产总值2345.6亿元。\n", Published("2024", TITLE)),
        (f"{NEWS_TITLE}\n{NEWS_BODY}\n", None),
    ],
)
def test_text_files_date_lines_and_titles(tmp_path: Path, text: str, expected):
    (tmp_path / "news.txt").write_text(text, encoding="utf-8")
    assert load_document(tmp_path / "news.txt").published == expected


# ---- 文件日期与正文核对 ---------------------------------------------------------


def test_a_file_date_must_have_the_year_the_text_dates_itself():
    assert file_date_fits(2024, "2024-01-10", set())
    assert not file_date_fits(2026, "2024-01-10", {2023, 2024})


def test_a_file_date_may_be_a_year_away_from_what_the_text_speaks_of_but_no_more():
    assert file_date_fits(2024, None, {2023})  # 讲2023年的新闻，次年1月发布
    assert file_date_fits(2022, None, {2023})  # 2023年的计划，前一年印发
    assert not file_date_fits(2026, None, {2012, 2013})  # 2013年的报告，2026年另存为 PDF
    assert not file_date_fits(2013, None, {2022})  # 2013年的模板写出的2022年报告
    assert file_date_fits(2026, None, set())  # 正文没有年份：没什么可以反驳它


def test_spoken_years_are_the_years_of_title_file_name_and_opening_both_ends_of_a_span():
    text = "青川市发展规划（2021—2025年）\n到2035年基本实现现代化。\n" + "正文。\n" * 20 + "1999年以来……\n"
    assert spoken_years("青川市发展规划（2021—2025年）", text, "规划2020.txt") == {2020, 2021, 2025, 2035}


@pytest.mark.parametrize(
    "text, from_file, expected",
    [
        # 正文自己的题下日期与文件日期不同年：信正文
        (
            "青川市政府工作报告\n（2013年1月10日）\n过去五年……\n",
            Published("2026-12-06", PDF_METADATA),
            Published("2013-01-10", DATELINE),
        ),
        # 同年：文件日期（更具体、也更靠得住）
        (
            "青川市政府工作报告\n（2024年1月8日）\n",
            Published("2024-01-10", PDF_METADATA),
            Published("2024-01-10", PDF_METADATA),
        ),
        # 正文没有日期：标题只说到2013年，文件是2026年做的
        ("2013年青川市政府工作报告\n今年全市……\n", Published("2026-12-06", PDF_METADATA), Published("2013", TITLE)),
        # 标题说2023年的新闻，次年1月发布：文件日期可信
        (
            "青川市2023年经济运行情况\n去年全市……\n",
            Published("2024-01-10", HTML_META),
            Published("2024-01-10", HTML_META),
        ),
    ],
)
def test_document_published_weighs_the_file_date_against_the_text(text: str, from_file: Published, expected: Published):
    title = text.splitlines()[0]
    assert document_published(title, text, from_file) == expected


# ---- 锚定「去年」 -------------------------------------------------------------------


def test_the_publication_year_comes_first_and_the_old_guesses_stay_the_fallback():
    assert document_year(NEWS_TITLE, NEWS_BODY, "news.html", published=2024) == 2024
    assert document_year(NEWS_TITLE, NEWS_BODY, "news.html") is None
    assert document_year("2013年青川市政府工作报告", "", "") == 2013
    mention = find_times(NEWS_BODY, document_year(NEWS_TITLE, NEWS_BODY, published=2024))[0]
    assert (mention.text, mention.span.start) == ("去年", 2023)


# ---- 清单 ---------------------------------------------------------------------


def _news_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "news.html").write_text(_news_page('<meta name="PubDate" content="2024-01-10 09:30">'), encoding="utf-8")
    (folder / "report.txt").write_text(
        "青川市政府工作报告\n（2013年1月10日）\n去年全市新建公园12个。\n", encoding="utf-8"
    )
    (folder / "notes.txt").write_text("青川市公园名录\n全市共有公园35个。\n", encoding="utf-8")
    return folder


def test_the_manifest_and_the_index_report_keep_the_publication_date(tmp_path: Path, fake_encoder):
    corpus = _news_corpus(tmp_path / "corpus")
    report = build_index(corpus, tmp_path / "index", encoder=fake_encoder)
    expected = {
        "news.html": {"date": "2024-01-10", "source": HTML_META},
        "notes.txt": None,
        "report.txt": {"date": "2013-01-10", "source": DATELINE},
    }
    assert report.published == expected and report.as_dict()["published"] == expected
    manifest = json.loads((tmp_path / "index" / MANIFEST).read_text(encoding="utf-8"))
    assert {doc: entry.get("published") for doc, entry in manifest["documents"].items()} == expected
    assert "published" not in manifest["documents"]["notes.txt"]
    index = load_index(tmp_path / "index", encoder=fake_encoder)
    assert Answerer(index, reader=None).document_years == {"news.html": 2024, "report.txt": 2013, "notes.txt": None}
    # BM25 记下了「去年」所指的年份：按发布日期推算
    assert index.search("2023年地区生产总值", k=1, retriever="bm25")[0].chunk.doc == "news.html"


def test_an_old_manifest_without_dates_still_loads_and_the_next_index_fills_them_in(tmp_path: Path, fake_encoder):
    corpus = _news_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, encoder=fake_encoder)
    path = index_dir / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["documents"].values():
        entry.pop("published", None)
    manifest["tokenizer_version"] -= 1  # 记日期之前的版本写的清单
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    index = load_index(index_dir, encoder=fake_encoder)
    assert Answerer(index, reader=None).document_years == {"news.html": None, "report.txt": 2013, "notes.txt": None}  # 旧的推断
    again = build_index(corpus, index_dir, encoder=fake_encoder)
    assert again.docs_changed == [] and again.chunks_embedded == 0
    assert again.published["news.html"] == {"date": "2024-01-10", "source": HTML_META}
    assert Answerer(load_index(index_dir, encoder=fake_encoder), reader=None).document_years["news.html"] == 2024


def test_a_new_date_on_the_same_text_counts_as_a_change(tmp_path: Path, fake_encoder):
    corpus = _news_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", encoder=fake_encoder)
    (corpus / "news.html").write_text(_news_page('<meta name="PubDate" content="2025-01-09">'), encoding="utf-8")
    again = build_index(corpus, tmp_path / "index", encoder=fake_encoder)
    assert again.docs_changed == ["news.html"] and again.chunks_embedded == 0  # 文字没变，向量照用
    assert again.published["news.html"]["date"] == "2025-01-09"


def test_document_years_take_the_published_year_by_file_name(tmp_path: Path, fake_encoder):
    corpus = _news_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index", encoder=fake_encoder)
    chunks = load_index(tmp_path / "index", encoder=fake_encoder).chunks
    assert document_years(chunks)["news.html"] is None
    assert document_years(chunks, {"news.html": 2024})["news.html"] == 2024


def test_the_knowledge_base_table_shows_the_date_and_its_source():
    from qa.app.webapp import published_cell

    assert published_cell({"date": "2024-01-10", "source": HTML_META}) == "2024-01-10（网页 meta）"
    assert published_cell({"date": "2023", "source": TITLE}) == "2023年（标题）"
    assert published_cell(None) == "—"


# ---- 真实问答 -------------------------------------------------------------------


@pytest.mark.slow
def test_last_year_in_a_news_page_published_in_january_2024_is_2023(tmp_path: Path, reader):
    from qa.pipeline import Pipeline

    corpus = _news_corpus(tmp_path / "corpus")
    build_index(corpus, tmp_path / "index")
    answer = Pipeline.open(tmp_path / "index", reader=reader).ask("2023年青川市地区生产总值是多少？").answer
    assert not answer.abstained and answer.span == "2345.6亿元"
    citation = answer.citations[0]
    assert citation.doc == "news.html"
    assert citation.time == {"text": "去年", "label": "去年（2023年）", "start": 2023, "end": 2023}
