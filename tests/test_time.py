"""Time anchoring: document years, time expressions, question years, and the year that governs a figure."""

from __future__ import annotations


import pytest

from qa.lab.paths import GWR, SEEDS
from qa.text.time import (
    FIVE_YEAR_PLANS,
    TimeMention,
    TimeSpan,
    document_year,
    find_times,
    question_times,
    resolve_label,
    section_year,
    sentence_time,
    years_meant,
)

needs_gwr = pytest.mark.skipif(not GWR.is_dir(), reason="government work reports not available")
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed documents not available")


def years(text: str, doc_year: int | None = 2013) -> list[tuple[str, str]]:
    """(text, span) of every mention, for compact assertions."""
    return [(mention.text, str(mention.span)) for mention in find_times(text, doc_year)]


def gwr_line(year: int, phrase: str) -> str:
    """The one line of the report of `year` that contains `phrase`."""
    lines = [line for line in (GWR / f"gwr-{year}.txt").read_text(encoding="utf-8").splitlines() if phrase in line]
    assert len(lines) == 1, lines
    return lines[0]


# --- TimeSpan --------------------------------------------------------------------------------------------------


def test_span_prints_a_year_or_a_range():
    assert str(TimeSpan(2007, 2007)) == "2007年"
    assert str(TimeSpan(2008, 2012)) == "2008—2012年"


def test_span_contains_and_overlaps():
    five_years = TimeSpan(2008, 2012)
    assert five_years.contains(TimeSpan(2012, 2012))
    assert five_years.contains(five_years)
    assert not five_years.contains(TimeSpan(2012, 2013))
    assert five_years.overlaps(TimeSpan(2012, 2013))
    assert not five_years.overlaps(TimeSpan(2013, 2013))
    assert TimeSpan(2012, 2012).overlaps(five_years)


def test_span_cannot_end_before_it_starts():
    with pytest.raises(ValueError):
        TimeSpan(2012, 2008)


# --- absolute years --------------------------------------------------------------------------------------------


def test_arabic_year_with_offsets():
    assert find_times("至2007年底，本地电话交换设备容量614.98万门", None) == [
        TimeMention("2007年底", 1, 7, TimeSpan(2007, 2007), relative=False)
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2012年国内生产总值", [("2012年", "2012年")]),
        ("2012年底", [("2012年底", "2012年")]),
        ("2012年末", [("2012年末", "2012年")]),
        ("2007年度国家规划布局内重点软件企业", [("2007年度", "2007年")]),
        ("2012年以来", [("2012年", "2012年")]),
        ("2010年初步建成", [("2010年", "2010年")]),
        ("2013年中华人民共和国国务院政府工作报告", [("2013年", "2013年")]),
        ("一九八三年，农业生产", [("一九八三年", "1983年")]),
        ("二〇一二年", [("二〇一二年", "2012年")]),
        ("二〇三五年远景目标", [("二〇三五年", "2035年")]),
        ("１９９３年国内工作的回顾", [("１９９３年", "1993年")]),
    ],
)
def test_single_years(text, expected):
    assert years(text, None) == expected


@pytest.mark.parametrize(
    "text",
    ["2008年至2012年", "2008至2012年", "2008—2012年", "2008到2012年", "2008年到2012年", "2008-2012年", "2008～2012年"],
)
def test_year_ranges(text):
    assert years(text, None) == [(text, "2008—2012年")]


def test_chinese_numeral_range():
    assert years("一九八一年至一九八五年", None) == [("一九八一年至一九八五年", "1981—1985年")]


def test_range_in_a_document_title_keeps_its_brackets_outside():
    assert years("《杭州市信息化发展总体规划(2004—2010年)》", None) == [("2004—2010年", "2004—2010年")]


def test_backwards_range_is_not_a_range():
    assert years("2012—2008年", None) == [("2008年", "2008年")]


@pytest.mark.parametrize(
    "text", ["5000年文明", "缩短五年", "连续四年增产", "两年新增4万亿元投资", "三十五周年", "3月5日"]
)
def test_quantities_and_dates_without_a_year_are_not_times(text):
    assert find_times(text, 2013) == []


# --- relative to the document year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("去年国内生产总值51.9万亿元", ("去年", "2012年")),
        ("去年底", ("去年底", "2012年")),
        ("去年上半年", ("去年上半年", "2012年")),
        ("上年全市实现", ("上年", "2012年")),
        ("上一年的利润", ("上一年", "2012年")),
        ("今年经济社会发展的主要预期目标", ("今年", "2013年")),
        ("本年度预算", ("本年度", "2013年")),
        ("明年将召开", ("明年", "2014年")),
        ("前年开始试点", ("前年", "2011年")),
    ],
)
def test_relative_words(text, expected):
    mentions = find_times(text, 2013)
    assert [(mention.text, str(mention.span)) for mention in mentions] == [expected]
    assert mentions[0].relative


@pytest.mark.parametrize(
    "text",
    [
        "过去年均增长",  # 过去 + 年均
        "如今年轻人",  # 如今 + 年轻
        "至今年均增长",  # 至今 + 年均
        "基本年",  # 基本 + 年
        "资本年收益",
        "说明年度计划",  # 说明 + 年度
        "文明年代",
        "目前年产量",  # 目前 + 年产量
        "提前年度",
        "以上年龄",  # 以上 + 年龄
        "马上年底",
        "相当年轻",  # 相当 + 年轻
    ],
)
def test_relative_words_inside_other_words_are_not_times(text):
    assert find_times(text, 2013) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("过去五年，我们", ("过去五年", "2008—2012年")),
        ("五年来，新建各类保障性住房", ("五年来", "2008—2012年")),
        ("近五年工作的体会", ("近五年", "2008—2012年")),
        ("近五年来的最高水平", ("近五年来", "2008—2012年")),
        ("这五年，我国宏观经济", ("这五年", "2008—2012年")),
        ("五年间", ("五年间", "2008—2012年")),
        ("过去五年中", ("过去五年中", "2008—2012年")),
        ("过去三年", ("过去三年", "2010—2012年")),
        ("过去十年", ("过去十年", "2003—2012年")),
        ("三十年来", ("三十年来", "1983—2012年")),
        ("近两年", ("近两年", "2011—2012年")),
        ("两年来", ("两年来", "2011—2012年")),
        ("过去一年", ("过去一年", "2012年")),
        ("过去的一年", ("过去的一年", "2012年")),
        ("一年来", ("一年来", "2012年")),
        ("7年来最低", ("7年来", "2006—2012年")),
        ("今后五年", ("今后五年", "2013—2017年")),
        ("未来五年", ("未来五年", "2013—2017年")),
        ("今后10年", ("今后10年", "2013—2022年")),
        ("本届政府", ("本届政府", "2008—2012年")),
        ("本届政府任期内", ("本届政府任期", "2008—2012年")),
    ],
)
def test_counted_years_and_the_government_term(text, expected):
    mentions = find_times(text, 2013)
    assert [(mention.text, str(mention.span)) for mention in mentions] == [expected]
    assert mentions[0].relative


@pytest.mark.parametrize(
    "text",
    [
        "缩短五年",
        "五年计划",
        "极不平凡的五年",
        "一年中",
        "这一年",
        "十五年",
        "多年来",
        "近年来",
        "三五年内",
        "今后几年",
    ],
)
def test_counts_of_years_that_are_not_periods(text):
    assert find_times(text, 2013) == []


def test_relative_words_need_the_document_year():
    assert find_times("去年国内生产总值增长7.8%，过去五年，今后五年，本届政府", None) == []


# --- 上年 and 当年 refer back to the year just named ---------------------------------------------------------------


def test_previous_year_follows_the_year_named_before_it():
    text = "一九八三年，职工收入达到526元，比上年增长6.4%；农民纯收入达到309.8元，比上年增长14.7%。"
    assert years(text, 1984) == [("一九八三年", "1983年"), ("上年", "1982年"), ("上年", "1982年")]


def test_previous_year_after_last_year_is_the_year_before():
    assert years("去年国内生产总值51.9万亿元，比上年增长7.8%。", 2013) == [("去年", "2012年"), ("上年", "2011年")]


def test_previous_year_as_a_comparison_base_without_an_anchor_is_left_unresolved():
    # 回顾部分的「全年……比上年增长」比的是前年，不能当成去年
    assert years("全年工业企业实现利润2202亿元，比上年增长52%。", 2000) == []


def test_that_year_follows_the_year_named_before_it():
    assert years("2009年启动试点，当年完成投资3亿元。", 2013) == [("2009年", "2009年"), ("当年", "2009年")]


def test_that_year_without_an_anchor_is_left_unresolved():
    assert years("仅中央财政当年就增加支出621亿元。", 2002) == []


def test_that_year_after_a_range_is_left_unresolved():
    assert years("2002年至2007年，当年新增企业120家。", 2013) == [("2002年至2007年", "2002—2007年")]


def test_anchor_does_not_cross_a_paragraph():
    assert years("2009年启动试点。\n上年全市实现", 2013) == [("2009年", "2009年"), ("上年", "2012年")]


def test_previous_year_resolves_from_an_anchor_even_without_a_document_year():
    assert years("2012年比上年增长多少", None) == [("2012年", "2012年"), ("上年", "2011年")]


# --- comparison bases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, base",
    [
        ("今年第一季度，工业生产又比去年同期增长12%", "去年"),
        ("比2007年增加2.8平方米", "2007年"),
        ("2012年产量较上年下降", "上年"),
        ("与去年相比", "去年"),
        ("同2012年相比", "2012年"),
        ("相对于2012年", "2012年"),
    ],
)
def test_comparison_bases_are_marked(text, base):
    marked = [mention.text for mention in find_times(text, 2013) if mention.comparison]
    assert marked == [base]


# --- five-year plans -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, name",
    [
        (1, "一五"),
        (2, "二五"),
        (3, "三五"),
        (4, "四五"),
        (5, "五五"),
        (6, "六五"),
        (7, "七五"),
        (8, "八五"),
        (9, "九五"),
        (10, "十五"),
        (11, "十一五"),
        (12, "十二五"),
        (13, "十三五"),
        (14, "十四五"),
        (15, "十五五"),
    ],
)
def test_every_quoted_plan(number, name):
    first, last = FIVE_YEAR_PLANS[number]
    mentions = find_times(f"“{name}”", 2013)
    assert [(mention.text, mention.span, mention.relative) for mention in mentions] == [
        (f"“{name}”", TimeSpan(first, last), False)
    ]


def test_plan_years():
    assert FIVE_YEAR_PLANS[1] == (1953, 1957)
    assert FIVE_YEAR_PLANS[2] == (1958, 1962)
    assert FIVE_YEAR_PLANS[3] == (1966, 1970)
    assert FIVE_YEAR_PLANS[9] == (1996, 2000)
    assert FIVE_YEAR_PLANS[10] == (2001, 2005)
    assert FIVE_YEAR_PLANS[14] == (2021, 2025)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“十一五”期间", ("“十一五”期间", "2006—2010年")),
        ("十二五时期", ("十二五时期", "2011—2015年")),
        ("“十五”期间", ("“十五”期间", "2001—2005年")),
        ("“九五”计划", ("“九五”计划", "1996—2000年")),
        ("实施“十二五”规划承前启后的关键一年", ("“十二五”规划", "2011—2015年")),
        ("“十三五”时期发展成就", ("“十三五”时期", "2016—2020年")),
        ("到“十一五”期末,信息化总体水平", ("“十一五”期末", "2010年")),
        ("“十二五”初", ("“十二五”初", "2011年")),
        ("第六个五年计划规定的任务", ("第六个五年计划", "1981—1985年")),
        ("国民经济和社会发展第十个五年计划", ("第十个五年计划", "2001—2005年")),
        ("第十四个五年规划", ("第十四个五年规划", "2021—2025年")),
    ],
)
def test_plan_periods(text, expected):
    assert years(text, None) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "五年计划",
        "党的十五大",
        "党的十五届六中全会",
        "中华人民共和国成立三十五周年",
        "三五年内",
        "十五年",
        "启动实施“八五”普法规划",  # 普法规划另有编号
        "第三步战略部署开始实施后的第一个五年计划",  # 序数相对于「开始实施后」
    ],
)
def test_plan_lookalikes_are_not_plans(text):
    assert find_times(text, 2021) == []


# --- questions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, expected",
    [
        ("2012年国内生产总值是多少？", [TimeSpan(2012, 2012)]),
        ("2008到2012年这五年累计新增就业多少？", [TimeSpan(2008, 2012)]),
        ("2008年至2012年城镇新增就业多少？", [TimeSpan(2008, 2012)]),
        ("“十一五”期间信息产业增长多少？", [TimeSpan(2006, 2010)]),
        ("一九八三年粮食产量是多少？", [TimeSpan(1983, 1983)]),
        ("二〇一二年和2013年的预期目标各是多少？", [TimeSpan(2012, 2012), TimeSpan(2013, 2013)]),
        ("2007年底本地电话交换设备容量是多少？", [TimeSpan(2007, 2007)]),
        ("2007年和2007年底有何不同？", [TimeSpan(2007, 2007)]),
        ("去年国内生产总值是多少？", []),
        ("过去五年新增就业多少？", []),
        ("杭州有多少家软件企业？", []),
    ],
)
def test_question_times(question, expected):
    assert question_times(question) == expected


# --- citation labels -------------------------------------------------------------------------------------------


def test_labels_show_the_years_of_relative_mentions_only():
    last_year, five_years = find_times("去年增长7.8%，过去五年累计新增", 2013)
    assert resolve_label(last_year) == "去年（2012年）"
    assert resolve_label(five_years) == "过去五年（2008—2012年）"
    (plan,) = find_times("“十一五”期间", 2013)
    assert resolve_label(plan) == "“十一五”期间"
    (year,) = find_times("2012年底", 2013)
    assert resolve_label(year) == "2012年底"


# --- the time that governs a figure ----------------------------------------------------------------------------


def test_figure_takes_the_year_of_its_sentence():
    text = "去年国内生产总值51.9万亿元，增长7.8%。"
    assert sentence_time(text, text.index("51.9万亿元"), 2013) == TimeSpan(2012, 2012)
    assert sentence_time(text, text.index("7.8%"), 2013) == TimeSpan(2012, 2012)


def test_nearest_mention_before_the_figure_wins():
    text = "资本充足率从2007年底的8.4%提升到去年底的13.3%。今年预期增长7.5%左右。"
    assert sentence_time(text, text.index("8.4%"), 2013) == TimeSpan(2007, 2007)
    assert sentence_time(text, text.index("13.3%"), 2013) == TimeSpan(2012, 2012)
    assert sentence_time(text, text.index("7.5%"), 2013) == TimeSpan(2013, 2013)


def test_mentions_after_the_figure_do_not_count():
    text = "国内生产总值51.9万亿元，为2013年打下基础。"
    assert sentence_time(text, text.index("51.9"), 2013) is None


def test_sentence_without_a_time_takes_the_paragraph_time():
    text = "2012年，经济平稳增长。城镇新增就业1266万人。"
    assert sentence_time(text, text.index("1266万人"), 2013) == TimeSpan(2012, 2012)


def test_time_does_not_cross_a_newline():
    text = "2012年，经济平稳增长。\n城镇新增就业1266万人。"
    assert sentence_time(text, text.index("1266万人"), 2013) is None


def test_paragraph_start_limits_the_search():
    text = "2012年，经济平稳增长。城镇新增就业1266万人。"
    assert sentence_time(text, text.index("1266万人"), 2013, paragraph_start=text.index("城镇")) is None


def test_comparison_base_does_not_govern_a_figure():
    text = "今年第一季度，工业生产又比去年同期增长12%。"
    assert sentence_time(text, text.index("12%"), 1984) == TimeSpan(1984, 1984)


def test_year_inside_a_document_title_does_not_govern_a_figure():
    text = "2007年，依据《杭州市信息化发展总体规划(2004—2010年)》安排资金2.5亿元。"
    assert sentence_time(text, text.index("2.5亿元"), None) == TimeSpan(2007, 2007)


def test_relative_time_without_a_document_year_governs_nothing():
    text = "去年国内生产总值51.9万亿元。"
    assert sentence_time(text, text.index("51.9"), None) is None


# --- document years --------------------------------------------------------------------------------------------


@needs_gwr
@pytest.mark.parametrize("year", [1984, 1994, 2000, 2002, 2013, 2017, 2021])
def test_report_year_from_its_title(year):
    path = GWR / f"gwr-{year}.txt"
    text = path.read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert title == f"{year}年中华人民共和国国务院政府工作报告"
    assert document_year(title, text, path.name) == year
    assert document_year(title, text) == year
    assert document_year("", text) == year  # 没给标题时用第一行


@needs_gwr
@pytest.mark.parametrize("year, expected", [(2017, 2017), (2021, 2021), (2013, None), (1984, None)])
def test_report_year_from_its_dateline(year, expected):
    # 去掉标题行：2017、2021年的报告开头有「——2017年3月5日在……会议上」，2013、1984年的没有
    body = "\n".join((GWR / f"gwr-{year}.txt").read_text(encoding="utf-8").splitlines()[1:])
    assert document_year("政府工作报告", body) == expected


@needs_gwr
@pytest.mark.parametrize("year", [1984, 1994, 2000, 2002, 2013, 2017, 2021])
def test_report_year_from_its_file_name(year):
    body = "\n".join((GWR / f"gwr-{year}.txt").read_text(encoding="utf-8").splitlines()[1:])
    if year not in (2017, 2021):  # 这两篇正文开头已有落款日期
        assert document_year("政府工作报告", body) is None
    assert document_year("政府工作报告", body, f"gwr-{year}.txt") == year


@needs_seeds
@pytest.mark.parametrize("name", ["000_7c521dbcc8602230.txt", "003_c06bb3e7b6855ebf.txt"])
def test_seed_documents_have_no_certain_year(name):
    # 000 写于2008年（「今年8月」「2008年9月3日……将在杭州……举办」），003 是2009年的年鉴条目；
    # 标题和开头都没有年份或落款，正文里的「至2007年底」不是落款，所以宁可不给年份
    text = (SEEDS / name).read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert title in ("杭州大步挺进国际一流信息化城市", "杭州信息化发展环境")
    assert document_year(title, text, name) is None


@pytest.mark.parametrize(
    "title, text, filename, expected",
    [
        ("二〇一三年政府工作报告", "", "", 2013),
        ("2009年杭州市信息化工作总结", "", "", 2009),
        ("政府工作报告", "政府工作报告\n——2013年3月5日在第十二届全国人民代表大会第一次会议上\n各位代表：", "", 2013),
        ("政府工作报告", "政府工作报告\n（二〇一三年三月五日）\n各位代表：", "", 2013),
        ("关于印发通知", "各区政府：\n现印发……\n杭州市人民政府\n2009年5月26日", "", 2009),
        (
            "杭州信息化",
            "2008年9月3日至9月6日，第二届中国杭州电子信息博览会将在杭州和平国际会展中心隆重举办。",
            "",
            None,
        ),
        ("杭州信息化", "至2007年底，本地电话交换设备容量已发展到614.98万门。", "", None),
        ("信息化发展总体规划（2004—2010年）", "", "", None),
        ("政府工作报告", "", "gwr-2013.txt", 2013),
        ("政府工作报告", "", "corpus/2008年政府工作报告.txt", 2008),
        ("政府工作报告", "", "000_7c521dbcc8602230.txt", None),
        ("政府工作报告", "", "report2013.txt", None),
        ("政府工作报告", "", "2008-2012.txt", None),
        ("2013年政府工作报告", "", "gwr-2008.txt", 2013),
    ],
)
def test_document_year(title, text, filename, expected):
    assert document_year(title, text, filename) == expected


# --- real lines ------------------------------------------------------------------------------------------------


@needs_gwr
def test_real_2013_opening_line():
    line = gwr_line(2013, "向大会报告过去五年的政府工作")
    assert years(line, 2013) == [("过去五年", "2008—2012年"), ("今年", "2013年")]


@needs_gwr
def test_real_2013_plans():
    line = gwr_line(2013, "我们圆满完成“十一五”规划")
    assert [(text, span) for text, span in years(line, 2013)] == [
        ("“十一五”规划", "2006—2010年"),
        ("“十二五”规划", "2011—2015年"),
    ]


@needs_gwr
def test_real_2013_figures_take_their_years():
    line = gwr_line(2013, "资本充足率从2007年底的8.4%提升到去年底的13.3%")
    assert sentence_time(line, line.index("8.4%"), 2013) == TimeSpan(2007, 2007)
    assert sentence_time(line, line.index("13.3%"), 2013) == TimeSpan(2012, 2012)
    assert sentence_time(line, line.index("7.8%"), 2013) == TimeSpan(2012, 2012)
    assert sentence_time(line, line.index("1266万人"), 2013) == TimeSpan(2012, 2012)
    line = gwr_line(2013, "去年居民消费价格涨幅回落到2.6%")
    assert sentence_time(line, line.index("2.6%"), 2013) == TimeSpan(2012, 2012)
    line = gwr_line(2013, "五年来，新建各类保障性住房")
    assert sentence_time(line, line.index("1800多万套"), 2013) == TimeSpan(2008, 2012)


@needs_gwr
def test_real_2013_comparisons_with_2007():
    line = gwr_line(2013, "城镇居民每百户拥有家用汽车21.5辆")
    bases = [mention.text for mention in find_times(line, 2013) if mention.comparison]
    assert bases == ["2007年", "2007年"]


@needs_gwr
def test_real_1984_figures_take_their_years():
    line = gwr_line(1984, "职工家庭按人口平均的生活费收入达到５２６元")
    assert sentence_time(line, line.index("５２６元"), 1984) == TimeSpan(1983, 1983)
    assert sentence_time(line, line.index("６．４％"), 1984) == TimeSpan(1983, 1983)
    assert sentence_time(line, line.index("１０．５％"), 1984) == TimeSpan(1983, 1983)
    # 「今年第一季度，工业生产又比去年同期增长１２％」：去年是比较基期，数字属于今年
    assert sentence_time(line, line.index("１２％"), 1984) == TimeSpan(1984, 1984)


@needs_gwr
def test_real_1984_line_mentions():
    line = gwr_line(1984, "职工家庭按人口平均的生活费收入达到５２６元")
    assert years(line, 1984) == [
        ("一九八三年", "1983年"),
        ("一九八三年", "1983年"),
        ("上年", "1982年"),
        ("上年", "1982年"),
        ("一九八三年", "1983年"),
        ("第六个五年计划", "1981—1985年"),
        ("一九八五年", "1985年"),
        ("今年", "1984年"),
        ("去年", "1983年"),
        ("第六个五年计划", "1981—1985年"),
    ]


@needs_gwr
def test_real_1994_fullwidth_heading():
    line = gwr_line(1994, "国内工作的回顾和")
    assert years(line, 1994) == [("１９９３年", "1993年"), ("１９９４年", "1994年")]


@pytest.mark.parametrize(
    "question, asked",
    [
        ("根据2002年政府工作报告，2000年全国普通高校招生多少人？", [(2000, 2000)]),
        ("2009年统计公报里全年粮食产量是多少？", []),
        ("2012年国内生产总值是多少？", [(2012, 2012)]),
    ],
)
def test_a_year_that_names_a_document_is_not_the_time_asked(question, asked):
    assert [(span.start, span.end) for span in question_times(question)] == asked


# --- years_meant (what BM25 also indexes) ----------------------------------------------------------------------


def test_years_meant_are_the_unwritten_times_resolved():
    text = "过去五年，城镇新增就业5870万人。去年国内生产总值增长7.8%，比上年提高。“十三五”时期要继续努力。"
    assert years_meant(text, 2013) == [2008, 2009, 2010, 2011, 2012, 2016, 2017, 2018, 2019, 2020]


def test_written_years_comparison_bases_and_long_eras_add_little():
    assert years_meant("2008年至2012年，比上年增长", 2013) == []
    assert years_meant("一九九三年粮食增产", None) == [1993]  # 汉字写的年份，搜索「1993年」也该找到
    assert years_meant("去年增长", None) == []  # 不知道文件年份，「去年」无从解析


def test_a_comparison_by_higher_or_larger_than_is_not_the_figures_time():
    text = "今年安排专项资金500亿元，规模明显大于去年，将120亿元用于农村学校。"
    assert sentence_time(text, text.index("120亿元"), 2021) == TimeSpan(2021, 2021)


def test_the_previous_year_is_counted_from_the_year_the_section_heading_names():
    text = "全年工业增加值增长6%。企业利润由上年下降3.1%转为增长7.2%。"
    heading_year = section_year(("一、2016年工作回顾",), 2017)
    assert heading_year == 2016
    assert sentence_time(text, text.index("3.1%"), 2017, section_year=heading_year) == TimeSpan(2015, 2015)
    # 没有标题年份：上年仍按报告年份的去年解析
    assert sentence_time(text, text.index("3.1%"), 2017) == TimeSpan(2016, 2016)


def test_a_heading_with_a_span_of_years_gives_no_section_year():
    assert section_year(("一、过去五年工作回顾",), 2013) is None
    assert section_year(("三、2017年重点工作任务", "（一）推进改革"), 2017) == 2017
    assert section_year(("关于国内建设",), 1984) is None


def test_a_year_inside_an_earlier_sentence_does_not_govern_the_next_one():
    text = "去年，我们隆重庆祝了建党纪念日。北京赢得了2008年奥运会举办权。我国成功举办第九次领导人会议。"
    assert sentence_time(text, text.index("第九次"), 2002) == TimeSpan(2001, 2001)
    # 本句里的年份照样管本句
    assert sentence_time(text, text.index("举办权"), 2002) == TimeSpan(2008, 2008)


def test_a_year_that_opens_an_earlier_sentence_governs_the_next_one():
    text = "截至2012年底，全市有企业500家。其中外资企业120家。"
    assert sentence_time(text, text.index("120家"), 2013) == TimeSpan(2012, 2012)


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("东江市2022年国民经济和社会发展统计公报", 2023),  # 说的是2022年，写于2023年
        ("2019年东江统计年鉴", 2020),
        ("2021年东江市主要经济指标（单位：亿元）", 2022),
        ("东江集团2020年度报告", 2021),
        ("2022年东江市政府工作报告", 2022),  # 政府工作报告：标题年份就是写作之年
        ("东江市“十四五”规划", None),
    ],
)
def test_a_title_that_reviews_a_year_was_written_the_year_after(title, year):
    assert document_year(title, "全年地区生产总值比上年增长5%。") == year



def test_the_year_a_development_builds_on_is_a_base_not_the_time_spoken_of():
    mentions = find_times("在１９９２年快速增长的基础上，１９９３年我国经济继续蓬勃发展。在2012年，全市新增就业。", 1994)
    assert [(m.text, m.comparison) for m in mentions] == [("１９９２年", True), ("１９９３年", False), ("2012年", False)]
