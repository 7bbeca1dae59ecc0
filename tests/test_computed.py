"""Questions whose answer combines two figures: which two, asked how, and the arithmetic on any way of writing them."""
import pytest
from conftest import pipeline_over

from qa.reading.compute import total
from qa.reading.computed import question_parts
from qa.reading.intent import Wants, analyse_question
from qa.text.figures import find_figures


def _parts(question: str):
    parts = question_parts(analyse_question(question))
    return None if parts is None else (parts.operation, [asked.text for asked in parts.questions], parts.questions)


def test_a_target_against_its_base_year_is_asked_as_two_figures():
    operation, texts, questions = _parts("按规划，2025年数字经济核心产业增加值要比2020年增加多少？")
    assert operation == "change"
    assert [asked.years for asked in questions] == [("2020",), ("2025",)]
    assert "2020" not in texts[1] and "2025" not in texts[0]
    assert "规划" in texts[1] and "规划" not in texts[0]  # 基年问实际数，目标年问计划数


def test_two_items_compared_or_added():
    operation, texts, questions = _parts("2008年至2012年，农村居民人均纯收入的年均增速比城镇居民人均可支配收入的年均增速高多少个百分点？")
    assert operation == "difference"
    assert texts == ["2008年至2012年，农村居民人均纯收入的年均增速是多少？", "2008年至2012年，城镇居民人均可支配收入的年均增速是多少？"]
    assert all(asked.wants == Wants.PERCENT for asked in questions)
    operation, texts, _ = _parts("2017年计划减少的企业税负和涉企收费合计约多少？")
    assert operation == "sum" and texts == ["2017年计划减少的企业税负是多少？", "2017年计划减少的涉企收费是多少？"]
    assert _parts("杭州和宁波的常住人口合计多少？")[1] == ["杭州的常住人口是多少？", "宁波的常住人口是多少？"]


@pytest.mark.parametrize(
    "question", ["2023年GDP比上年增长多少？", "全市一共建成多少个服务站？", "2007年底杭州因特网注册用户有多少？", "杭州的比重是多少？"]
)
def test_a_question_about_one_figure_has_no_parts(question: str):
    assert _parts(question) is None


def test_a_sum_in_the_first_figures_scale():
    (first,) = find_figures("3500亿元左右")
    (second,) = find_figures("约2000亿元")
    assert total(first, second)[:2] == ("5500亿元", "3500亿元 + 2000亿元 = 5500亿元")
    (mixed,) = find_figures("一千二百公里")
    (plain,) = find_figures("866公里")
    assert total(mixed, plain)[0] == "2066公里"
    (people,) = find_figures("30万人")
    assert total(plain, people) is None  # 单位不同不相加


@pytest.mark.slow
def test_a_target_against_its_base_year_and_a_sum_of_two_targets(tmp_path, reader):
    plan = (
        "滨海市数字经济发展“十四五”规划\n一、发展基础\n2020年，全市数字经济核心产业增加值达到520亿元，占地区生产总值的比重为8.1%。\n"
        "二、发展目标\n到2025年，全市数字经济核心产业增加值力争达到900亿元，占地区生产总值的比重达到12%。\n"
    )
    report = (
        "2017年滨海市政府工作报告\n二、2017年工作安排\n今年要进一步减轻企业负担，全年再减少企业税负35亿元左右，减少涉企收费约20亿元。\n"
        "今年发展的主要预期目标是：全市城镇新增就业12万人以上，城镇登记失业率3%以内。\n"
        "就业预期目标比去年多2万人，突出了就业优先的导向。\n"
    )
    pipeline = pipeline_over(tmp_path, {"滨海市数字经济发展规划.txt": plan, "2017年滨海市政府工作报告.txt": report}, reader)
    change = pipeline.ask("按规划，2025年滨海市数字经济核心产业增加值要比2020年增加多少？").answer
    assert change.span == "380亿元" and change.figures[0]["formula"] == "900亿元 − 520亿元 = 380亿元"
    assert [c.doc for c in change.citations] == ["滨海市数字经济发展规划.txt"] * 2
    assert "520亿元" in change.citations[0].quote and "900亿元" in change.citations[1].quote  # 先基年，后目标年
    total = pipeline.ask("2017年滨海市计划减少的企业税负和涉企收费合计约多少？").answer
    assert total.span == "55亿元" and total.figures[0]["formula"] == "35亿元 + 20亿元 = 55亿元"
    # 变化量单独成句（「就业预期目标比去年多2万人」），数量写在别的句子里：上一年的目标由两句算出，两句都引用
    before = pipeline.ask("2016年滨海市城镇新增就业的预期目标是多少人？").answer
    assert before.span == "10万人以上" and before.figures[0]["formula"] == "12万人以上 − 2万人 = 10万人以上"
    assert "12万人以上" in before.citations[0].quote and "比去年多2万人" in before.citations[1].quote
