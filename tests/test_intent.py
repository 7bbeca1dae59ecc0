"""Question intent on invented questions: one per lexicon entry class (what kind of answer, which unit)."""
import pytest

from qa.reading.intent import Wants, analyse_question


@pytest.mark.parametrize(
    "question, wants",
    [
        ("滨海市有多少家医院？", Wants.NUMBER),
        ("滨海市医院有几家？", Wants.NUMBER),
        ("滨海港的吞吐规模多大？", Wants.NUMBER),
        ("滨海市工业增加值占地区生产总值的比重是多少？", Wants.PERCENT),
        ("滨海市宽带的覆盖率是多少？", Wants.PERCENT),
        ("滨海市城镇化率是多少？", Wants.PERCENT),
        ("滨海市今年赤字率拟按多少安排？", Wants.PERCENT),
        ("滨海市的汇率按多少折算？", Wants.NUMBER),
        ("滨海市的软件业收入排名第几？", Wants.ORDINAL),
        ("滨海大桥是哪一年建成的？", Wants.YEAR),
        ("滨海古城是在公元几年建成的？", Wants.YEAR),
        ("濱海古城在西元幾年的時候毀於戰火?", Wants.YEAR),
        ("滨海大桥是几几年建成的？", Wants.YEAR),
        ("滨海大桥建了几年？", Wants.NUMBER),
        ("滨海博览会什么时候开幕？", Wants.DATE),
        ("滨海博览会在哪一天闭幕？", Wants.DATE),
        ("滨海培训班第二、三期是哪几天办的？", Wants.DATE),
        ("滨海市生产总值增长率是多少？", Wants.RATE),
        ("滨海市生产总值增速是多少？", Wants.RATE),
        ("滨海市人口增加了多少？", Wants.DIFFERENCE),
        ("两年的出口额相差多少？", Wants.DIFFERENCE),
        ("滨海市的普及率提高了多少个百分点？", Wants.DIFFERENCE),
        ("滨海市表彰了哪些企业？", Wants.ENTITY),
        ("滨海大桥由谁设计？", Wants.ENTITY),
        ("滨海市哪两种产业规模全省第一？", Wants.ENTITY),  # 「规模」不让它变成问数量
        ("滨海市有哪几家企业入选百强？", Wants.ENTITY),
        ("滨海市的债务规模控制在什么水平？", Wants.ENTITY),  # 问的是说法，不是数
        ("滨海市的债务规模有多大？", Wants.NUMBER),
    ],
)
def test_question_words_decide_the_kind_of_answer(question: str, wants: Wants):
    assert analyse_question(question).wants == wants


@pytest.mark.parametrize(
    "question, unit",
    [
        ("滨海市有多少家医院？", "家"),
        ("滨海市有多少名医生？", "名"),
        ("滨海市接待游客多少人次？", "人次"),
        ("滨海市的财政收入是多少？", "元"),  # 钱的词：答案的单位是元
        ("滨海市的软件产值是多少？", "元"),
        ("滨海市有多少条公交线路？", "条"),
    ],
)
def test_expected_unit_comes_from_the_measure_word_or_money_words(question: str, unit: str):
    assert analyse_question(question).unit == unit


def test_years_and_approximation_and_measure():
    intent = analyse_question("2012年滨海港的码头岸线大约多长？")
    assert intent.years == ("2012",) and intent.approximate and intent.measure


def test_unknown_kind_lists_the_choices():
    with pytest.raises(ValueError, match="可选：rate"):
        Wants.parse("weight")


def test_the_year_of_a_named_report_is_not_a_year_asked():
    intent = analyse_question("根据2013年政府工作报告，2012年城镇新增就业多少人？")
    assert intent.years == ("2012",)


@pytest.mark.parametrize(
    "question, wants, unit",
    [
        ("臺北捷運共有幾條路線？", Wants.NUMBER, "条"),
        ("曹魏在什麼時候結束征剿？", Wants.DATE, None),
        ("該公司哪一年成立？", Wants.YEAR, None),
        ("伊爾庫茨克提供的是甚麼東西？", Wants.ENTITY, None),
    ],
)
def test_traditional_questions_are_classified_like_simplified_ones(question, wants, unit):
    intent = analyse_question(question)
    assert (intent.wants, intent.unit) == (wants, unit)
    assert intent.text == question and "幾" not in intent.content and "什麼" not in intent.content


@pytest.mark.parametrize(
    "question, years",
    [
        ("根据2012年滨海市政府工作报告，去年城镇新增就业多少人？", ("2011",)),  # 「去年」按点名的报告解析
        ("2013年政府工作报告说过去五年累计新增就业多少人？", ("2008", "2012")),
        ("去年城镇新增就业多少人？", ()),  # 没有参照：不猜
        ("二〇〇七年全市网民有多少？", ("2007",)),
        ("2009中国杭州电子信息博览会的成交额是多少？", ("2009",)),  # 名称里的年份也要在段落里出现
    ],
)
def test_years_a_question_asks_about(question, years):
    assert analyse_question(question).years == years


def test_the_phrase_that_names_a_report_is_not_content():
    intent = analyse_question("根据2012年某市政府工作报告，去年城镇新增就业多少人？")
    assert intent.content == "去年城镇新增就业 人" and intent.years == ("2011",)
