from pathlib import Path

from qa.indexing.ingest import load_document
from qa.indexing.sections import join_wrapped_lines, split_sections
from qa.types import Document

from conftest import DATA, SEEDS


def _paths(document: Document) -> list[tuple[str, ...]]:
    return [section.path for section in split_sections(document)]


def test_seed_000_finds_dash_short_line_and_lead_in_headings():
    document = load_document(SEEDS / "000_7c521dbcc8602230.txt")
    paths = _paths(document)
    top_level = []
    for path in paths:
        if path[0] not in top_level:
            top_level.append(path[0])
    assert top_level == [
        "杭州大步挺进国际一流信息化城市",  # 导言归在标题下
        "信息基础设施建设全国领先",
        "信息产业发展全国领先",
        "信息技术推广应用全国领先",
        "政府信息公开工作走在全国前列",
        "信息化管理、服务水平全国领先",
        "信息化发展环境建设全国领先",
        "未来展望",
        "杭州市信息化荣誉榜",
        "近期关注",
    ]
    assert ("信息产业发展全国领先", "产业地位不断提升") in paths
    assert ("信息技术推广应用全国领先", "电子商务建设持续处于全国领先地位") in paths
    assert ("信息化管理、服务水平全国领先", "技术创新方面") in paths
    lead_ins = [path[1] for path in paths if len(path) == 2]
    assert len(lead_ins) == 14


def test_seed_003_finds_eleven_bracket_sections():
    document = load_document(SEEDS / "003_c06bb3e7b6855ebf.txt")
    paths = _paths(document)
    assert len(paths) == 11
    assert paths[0] == ("信息化政策环境优化",)
    assert paths[-1] == ("信息化战略合作协议签署",)
    assert ("“网商培育”系列活动",) in paths


def test_section_offsets_point_into_the_text():
    for name in ("000_7c521dbcc8602230.txt", "003_c06bb3e7b6855ebf.txt"):
        document = load_document(SEEDS / name)
        for section in split_sections(document):
            assert document.text[section.start : section.end] == section.text
            assert section.text.strip() == section.text


def test_markdown_and_government_numbering_nest():
    document = load_document(DATA / "gongbao.md")
    by_path = {section.path: section.text for section in split_sections(document)}
    assert by_path[("一、综合",)].startswith("全年实现地区生产总值1234.5亿元")
    assert "移动电话用户530万户" in by_path[("二、信息产业", "（一）通信")]
    # 带数字的编号句是正文，不是标题
    assert "新认定软件企业45家" in by_path[("二、信息产业", "（二）软件")]
    assert "61.2亿元" in by_path[("三、科技", "第一章 研发投入")]


def test_inline_numbered_heading_takes_its_first_clause():
    text = "工作报告\n一、过去一年的工作\n（一）着力稳增长。全年完成投资500亿元。\n其他说明。\n（二）改善民生。新增就业8万人。\n"
    document = Document(doc="r.txt", title="工作报告", text=text, sha256="x")
    paths = _paths(document)
    assert paths == [
        ("一、过去一年的工作", "（一）着力稳增长"),
        ("一、过去一年的工作", "（二）改善民生"),
    ]


def test_text_without_headings_is_one_section_under_the_title(tmp_path: Path):
    path = tmp_path / "plain.txt"
    path.write_text("全市新增就业8万人，城镇登记失业率3.1%。\n第二段也没有标题。\n", encoding="utf-8")
    document = load_document(path)
    assert document.title == "plain"
    assert _paths(document) == [("plain",)]


def test_words_broken_onto_their_own_lines_in_a_web_copy_are_not_headings():
    # 网页复制来的文本：段与段空一行，链接词各占一行，零宽字符单独成行
    text = (
        "滨海市政府工作报告\n\n\n国务院总理\n　王某某\n\n\n一、2016年工作回顾\n\n\n"
        "过去一年，全市经济稳中向好。\n党的代表大会\n正式明确\n\u200b\n发展方向，意义重大。\n\n"
        "——经济运行稳中向好。地区生产总值达到74.4\n\u200b\n亿元。\n\n"
        "——\n改革开放\n深入推进。\n\n二、2017年工作安排\n\n\n全年新增就业8万人。\n"
    )
    document = Document(doc="r.txt", title="滨海市政府工作报告", text=text, sha256="x")
    paths = _paths(document)
    # 封面上的短行（「国务院总理」）不管后面的编号标题；断开的链接词、「——经济运行……」都是正文
    assert paths == [("一、2016年工作回顾",), ("二、2017年工作安排",)]
    review = next(s for s in split_sections(document) if s.path == ("一、2016年工作回顾",))
    assert "正式明确" in review.text and "改革开放" in review.text


def test_a_numbered_heading_right_after_its_title_line_stays_a_heading_in_a_blank_line_document():
    text = "报告\n\n一、综合\n全年生产总值100亿元。\n\n（一）工业\n工业增加值40亿元。\n\n二、民生\n\n新增就业8万人。\n"
    document = Document(doc="r.txt", title="报告", text=text, sha256="x")
    by_path = {section.path: section.text for section in split_sections(document)}
    assert "100亿元" in by_path[("一、综合",)]
    assert "40亿元" in by_path[("一、综合", "（一）工业")]
    assert "8万人" in by_path[("二、民生",)]


def test_link_words_on_their_own_lines_are_joined_back_into_their_sentence():
    text = "一、工作回顾\n\n\n　　新建改建\n高速公路\n6700多公里，细颗粒物（PM\n2.5\n）浓度下降，推动《\n巴黎协定\n》生效。\n\n二、今年的任务\n\n\n　　继续推进。"
    joined = join_wrapped_lines(text)
    assert "新建改建高速公路6700多公里，细颗粒物（PM2.5）浓度下降，推动《巴黎协定》生效。" in joined
    assert "一、工作回顾\n" in joined and "\n二、今年的任务\n" in joined  # 标题仍独占一行


def test_a_document_with_one_paragraph_per_line_is_unchanged():
    text = "一、工作回顾\n新建高速公路6700多公里。\n农村公路29万公里。\n"
    assert join_wrapped_lines(text) == text


def test_english_words_broken_across_lines_keep_a_space():
    text = "第一段。\n\nopen\nsource 软件\n产业\n\n第二段。\n\n第三段。"
    assert "open source 软件产业" in join_wrapped_lines(text)
