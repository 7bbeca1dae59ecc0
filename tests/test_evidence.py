"""Evidence, bands and computation on invented sentences: what a candidate's passage says about the asked year and
place becomes features; only the candidate's own clause can veto it; answers are shown by how sure they are."""
import pytest

from qa.evaluate import confidence_metrics
from qa.reading.answerer import asked_times
from qa.reading.candidates import figure_candidates
from qa.reading.cells import TableCells
from qa.reading.compute import compute
from qa.reading.evidence import Evidence, place_names
from qa.reading.intent import analyse_question
from qa.reading.records import band_of, shown, with_plain_value
from qa.reading.terms import QuestionTerms, TermWeigher
from qa.text.figures import find_figures
from qa.text.synonyms import Thesaurus
from qa.types import Chunk, Hit

NO_TERMS = QuestionTerms({}, (), 0.0, False)


def _judged(question: str, text: str, title: str = "滨海市统计公报", year: int | None = None, sections: tuple[str, ...] = ()):
    """(figure text, features, veto) of every figure candidate of one passage (under `sections` of the title)."""
    hit = Hit(Chunk("c1", "doc.txt", title, (title, *sections), text, 0, len(text)), 1.0, 1)
    intent = analyse_question(question)
    evidence = Evidence({"doc.txt": year}, TableCells({}))
    return [
        (candidate.figure.text, judged.features, judged.veto)
        for candidate in figure_candidates(intent, [hit], NO_TERMS, {"doc.txt": year})
        for judged in [evidence.figure(intent, candidate)]
    ]


def test_a_year_the_paragraph_does_not_name_is_evidence_not_a_veto():
    ((figure, features, veto),) = _judged("2014年滨海市零售物价上涨了多少？", "全年零售物价上涨百分之五。")
    assert figure == "百分之五" and veto is None
    # 段落自己没说时间（只有标题的年份）：是较弱的一种证据，与「段落说的是别的年份」分开加权
    assert features["year_unstated"] == 1.0 and features["year_unmentioned"] == 0.0


def test_a_paragraph_that_names_another_year_is_the_stronger_evidence():
    ((figure, features, veto),) = _judged("2014年滨海市零售物价上涨了多少？", "2012年，全市零售物价上涨百分之五。", year=2015)
    assert veto is None or veto.name == "year"
    assert features["year_unmentioned"] == 1.0 and features["year_unstated"] == 0.0


def test_a_year_the_question_compares_with_is_met_by_the_paragraphs_comparison():
    # 「比2000年」在原文里写作「比上年」：2000 年是比较的基期，段落说到了
    ((figure, features, veto),) = _judged("2001年全国粮食产量比2000年增长了多少？", "2001年全国粮食产量比上年增长7.3%。", year=2002)
    assert figure == "7.3%" and veto is None
    assert features["year_unmentioned"] == 0.0 and features["year_unstated"] == 0.0


def test_a_comparison_year_just_before_the_asked_year_is_met_by_a_paragraph_about_the_asked_year():
    # 年度增速默认比上年：「2001年……增长6.8%」回答「2001年……比2000年多了百分之几」；隔了几年的基期不算
    text = "2001年，全国出口2662亿美元，增长6.8%。"
    features = {f: found for f, found, _ in _judged("2001年全国出口比2000年增长了多少？", text, year=2002)}["6.8%"]
    assert features["year_unmentioned"] == 0.0 and features["year_unstated"] == 0.0
    features = {f: found for f, found, _ in _judged("2001年全国出口比1995年增长了多少？", text, year=2002)}["6.8%"]
    assert features["year_unmentioned"] + features["year_unstated"] > 0.0


def test_a_year_written_in_chinese_numerals_is_a_year_the_paragraph_names():
    ((_, features, veto),) = _judged("1962年全国粮食产量是多少？", "一九六二年，全国粮食产量达到３２００亿斤。")
    assert veto is None and features["year_unmentioned"] == 0.0


def test_another_year_in_the_figures_own_words_is_a_veto():
    judged = _judged("2007年人均收入是多少？", "人均收入从2006年的1200元增加到2008年的2000元。")
    vetoes = {figure: veto for figure, _, veto in judged}
    assert vetoes["1200元"].name == "year" and vetoes["2000元"].name == "year"


def test_a_place_the_passage_does_not_name_is_evidence_another_place_in_the_clause_is_a_veto():
    ((_, features, veto),) = _judged("温州常住人口有多少？", "全市常住人口940万人。", title="宁波概况")
    assert veto is None and features["place_unmentioned"] == 1.0 and features["place_elsewhere"] == 1.0
    ((_, _, veto),) = _judged("温州常住人口有多少？", "宁波常住人口940万人。", title="浙江概况")
    assert veto.name == "place" and "宁波" in veto.reason
    ((_, features, veto),) = _judged("宁波常住人口有多少？", "宁波常住人口940万人。", title="浙江概况")
    assert veto is None and features["place_unmentioned"] == 0.0 and features["place_elsewhere"] == 0.0


def test_a_title_about_another_place_is_evidence_against_every_figure_under_it():
    # 「北京……」问的是北京；杭州的报告顺带提到北京，也不是北京的数字
    text = "软件产业规模位居北京、上海之后。全市共有632家企业通过软件企业认定。"
    judged = _judged("北京有多少家企业通过软件企业认定？", text, title="杭州信息化发展报告")
    assert {figure: features["place_other_title"] for figure, features, _ in judged} == {"632家": 1.0}
    ((_, features, _),) = _judged("杭州有多少家企业通过软件企业认定？", text, title="杭州信息化发展报告")
    assert features["place_other_title"] == 0.0


def test_a_place_inside_an_organisations_name_names_the_organisation():
    assert place_names("杭州银行2021年的营业收入是多少？") == []
    ((_, features, veto),) = _judged("杭州银行2021年的营业收入是多少？", "2021年，本行实现营业收入293.61亿元。", title="杭州银行2021年年度报告")
    assert veto is None and features["place_unmentioned"] == 0.0


def test_bands_from_the_calibrated_confidence():
    assert [band_of(p, 0.3, 0.7) for p in (0.95, 0.7, 0.5, 0.3, 0.1)] == ["high", "high", "check", "check", "none"]
    assert band_of(None, 0.3, 0.7) == "high"  # 算出来的答案
    assert shown("至2007年底，全市因特网注册用户148.13万户。[1]", "check") == (
        "可能是：至2007年底，全市因特网注册用户148.13万户（把握不足，请核对原文）。[1]"
    )
    assert shown("全市因特网注册用户148.13万户。[1]", "high") == "全市因特网注册用户148.13万户。[1]"


def test_every_way_of_writing_a_figure_computes_alike():
    (before,) = find_figures("一千二百三十万吨")
    (after,) = find_figures("5 6 3 0 万吨")
    assert compute("difference", before, after)[:2] == ("4400万吨", "5630万吨 − 1230万吨 = 4400万吨")
    (mixed,) = find_figures("４亿５０００万元")
    (plain,) = find_figures("3.5亿元")
    assert compute("difference", plain, mixed)[0] == "1亿元"
    assert compute("rate", plain, mixed)[0] == "28.57%"


def test_an_unusually_written_figure_is_shown_with_its_value():
    (figure,) = find_figures("5 6 3 0 万吨")
    assert with_plain_value("粮食产量5 6 3 0 万吨", figure) == "粮食产量5 6 3 0 万吨（5630万吨）"
    (usual,) = find_figures("1,086家")
    assert with_plain_value("企业1,086家", usual) == "企业1,086家"
    (one_digit,) = find_figures("七年时间")  # 一个汉字的小数目是平常写法
    assert with_plain_value("用七年时间", one_digit) == "用七年时间"
    (numerals,) = find_figures("十二个")
    assert with_plain_value("建成十二个", numerals) == "建成十二个（12个）"


def test_the_reliability_table_and_the_share_of_sure_answers_that_are_wrong():
    records = [
        {"abstained": False, "confidence": 0.95, "confidence_band": "high", "answer_correct": True},
        {"abstained": False, "confidence": 0.9, "confidence_band": "high", "answer_correct": False},
        {"abstained": False, "confidence": 0.5, "confidence_band": "check", "answer_correct": True},
        {"abstained": True, "confidence": 0.1, "confidence_band": "none", "answer_correct": False},
    ]
    metrics = confidence_metrics(records)
    assert metrics["bands"] == {"high": {"answers": 2, "right": 0.5}, "check": {"answers": 1, "right": 1.0}, "none": {"questions": 1}}
    assert metrics["high_band_wrong"] == 0.5
    assert metrics["reliability"] == [
        {"bin": "0.4–0.6", "answers": 1, "predicted": 0.5, "observed": 1.0},
        {"bin": "0.8–1.0", "answers": 2, "predicted": 0.925, "observed": 0.5},
    ]


def test_a_breakdown_in_parentheses_does_not_make_a_figure_about_another_place():
    ((figure, _, veto), *_) = _judged("杭州有多少家上市企业？", "18家上市企业(其中中国香港上市6家，新加坡上市1家)。", title="杭州信息化报告")
    assert figure == "18家" and veto is None


def _candidate_features(question: str, text: str, weigh_terms: bool = False) -> dict[str, dict[str, float]]:
    """The wording features of each figure candidate of one passage (what the ranker weighs beside the evidence);
    the overlap features need `weigh_terms` (the question's bigrams weighed over the passage, as the answerer does)."""
    import jieba

    hit = Hit(Chunk("c1", "doc.txt", "滨海市统计公报", ("滨海市统计公报",), text, 0, len(text)), 1.0, 1)
    intent = analyse_question(question)
    terms = TermWeigher([text, "滨海市统计公报"], jieba, Thesaurus()).terms(intent.content) if weigh_terms else NO_TERMS
    return {c.figure.text: c.features for c in figure_candidates(intent, [hit], terms, {"doc.txt": None})}


def test_a_change_asked_for_meets_figures_written_as_changes_or_as_levels():
    features = _candidate_features("2001年国内生产总值比上年增长了多少？", "国内生产总值达到95933亿元，比上年增长7.3%。")
    assert features["7.3%"]["change_written"] == 1.0 and features["95933亿元"]["level_written"] == 1.0
    features = _candidate_features("2001年国内生产总值是多少？", "国内生产总值达到95933亿元，比上年增长7.3%。")
    assert features["95933亿元"]["change_written"] == features["95933亿元"]["level_written"] == 0.0


def test_a_change_with_no_subject_of_its_own_is_about_the_measure_before_it():
    text = "国内生产总值达到95933亿元，比上年增长7.3%；工业企业利润4657亿元，增长8.1%。"
    features = _candidate_features("国内生产总值比上年增长了多少？", text, weigh_terms=True)
    # 「比上年增长7.3%」说的是前一分句的国内生产总值；不算「比上年增长」，8.1%说的指标对不上
    assert features["7.3%"]["label_overlap"] >= features["95933亿元"]["label_overlap"]
    assert features["7.3%"]["measure_overlap"] > 0.5 > features["8.1%"]["measure_overlap"]
    level = _candidate_features("全国财政收入是多少？", "全国财政收入达到16371亿元，按可比口径增加2400亿元。")
    assert level["2400亿元"]["change_unasked"] == 1.0 and level["16371亿元"]["change_unasked"] == 0.0


def test_a_figure_in_another_unit_than_the_one_asked_is_marked():
    features = _candidate_features("电子信息产业利税是多少？", "电子信息产业企业1085家，实现利税114.07亿元。")
    assert features["114.07亿元"]["unit_match"] == 1.0 and features["1085家"]["unit_mismatch"] == 1.0
    # 数人的量词互答：「多少位」问的人数写成「29人」
    people = _candidate_features("专家委员会新增了多少位专家？", "专家委新增成员29人，举办讲座12场。")
    assert people["29人"]["unit_match"] == 1.0 and people["29人"]["kind_fit"] == 0.5 and people["12场"]["unit_mismatch"] == 1.0


def test_a_total_and_its_parts_are_marked():
    text = "全市共有示范、试点企业202家，其中示范企业88家，试点企业114家。"
    features = _candidate_features("有多少家示范、试点企业？", text)
    assert features["202家"]["breakdown_total"] == 1.0 and features["114家"]["breakdown_part"] == 1.0


def test_a_part_named_in_the_question_rules_out_the_total_unless_the_question_names_every_part():
    text = "全市共有示范、试点企业202家，其中示范企业88家，试点企业114家。"
    part = {figure: veto for figure, _, veto in _judged("有多少家试点企业？", "全市共有企业202家，其中示范企业88家，试点企业114家。")}
    assert part["202家"] is not None and part["202家"].name == "part" and part["114家"] is None
    # 「示范、试点企业」点到了每一项：问的是总数
    whole = {figure: veto for figure, _, veto in _judged("有多少家示范、试点企业？", text)}
    assert whole["202家"] is None
    one = {figure: veto for figure, _, veto in _judged("有多少家试点企业？", text)}
    assert one["202家"] is not None and one["202家"].name == "part"


def test_a_count_of_listed_items_does_not_answer_for_one_of_them():
    text = "全市粮食、棉花、原煤、原油、钢材等二十多种主要产品产量比上年增长。"
    one = {figure: veto for figure, _, veto in _judged("滨海市原油产量是多少？", text)}
    assert one["二十多种"] is not None and one["二十多种"].name == "part"  # 数的是列了几样，不是原油的量
    kinds = {figure: veto for figure, _, veto in _judged("原油等多少种主要产品产量增长了？", text)}
    assert kinds["二十多种"] is None  # 问的就是几种


def test_a_year_in_another_clause_of_the_sentence_is_evidence_not_a_veto():
    # 「面向2030年的……项目」说的是项目，不是后一个分句里新设的示范区
    text = "部署启动面向2030年的科技创新重大项目，新设6个国家自主创新示范区。"
    ((figure, features, veto),) = _judged("2016年新设了几个国家自主创新示范区？", text, year=2017)
    assert figure == "6个" and veto is None
    ((_, _, veto),) = _judged("2013年城镇新增就业多少人？", "去年，城镇新增就业1266万人。", year=2017)
    assert veto is not None and veto.name == "year"  # 开句的时间管到整句


def test_the_start_of_a_change_from_one_figure_to_another_is_marked():
    features = _candidate_features("2012年城镇化率达到了多少？", "城镇化率由45.9%提高到52.6%，城乡结构发生了历史性变化。")
    assert features["45.9%"]["change_from"] == 1.0 and features["52.6%"]["change_from"] == 0.0
    # 终点在下一个分句
    features = _candidate_features("固定职工的比例是多少？", "固定职工的比例，已由五十年代的50%左右，上升到80%以上，包袱重。")
    assert features["50%左右"]["change_from"] == 1.0 and features["80%以上"]["change_from"] == 0.0


def test_a_time_before_another_figure_of_the_clause_is_that_figures_not_this_ones():
    judged = {f: veto for f, _, veto in _judged("2016年工业企业利润增长了多少？", "工业企业利润由上年下降2.3%转为增长8.5%。", year=2016)}
    assert judged["8.5%"] is None and judged["2.3%"] is not None


def test_a_percent_is_an_answer_to_a_level_reached_by_falling():
    judged = [f for f, _, _ in _judged("关税总水平降到了多少？", "关税总水平已由15.3%降到12%。")]
    assert "12%" in judged


def test_the_start_of_a_planned_change_is_the_level_of_the_year_before():
    # 2017年的计划：420元是定计划时（2016年）已有的水平，不是目标，也不算「段落没提到2016年」
    text = "今年要推进健康中国建设，城乡居民医保财政补助要由每人每年420元提高到450元。"
    judged = {f: (features, veto) for f, features, veto in _judged("2016年城乡居民医保财政补助每人每年多少钱？", text, year=2017)}
    features, veto = judged["420元"]
    assert veto is None and features["year_unmentioned"] == 0.0
    assert judged["450元"][1] is not None  # 450元是2017年的目标
    target = {f: veto for f, _, veto in _judged("2017年城乡居民医保财政补助要提高到多少？", text, year=2017)}
    assert target["450元"] is None


def _time_fit(question: str, section_path: tuple[str, ...], text: str, year: int = 2021) -> tuple[float, float]:
    """How a passage under `section_path` of a 2021 report stands to the times the question asks about."""
    chunk = Chunk("c1", "doc.txt", "2021年政府工作报告", ("2021年政府工作报告", *section_path), text, 0, len(text))
    return Evidence({"doc.txt": year}, TableCells({})).time_fit(chunk, asked_times(analyse_question(question)))


def test_a_passage_about_one_year_covers_only_its_share_of_a_span_asked():
    """「2016年到2020年……累计」 asks for the five years' total: a passage about 2020 alone speaks of a fifth of it, a
    section on the 13th five-year plan (2016–2020) of all of it, and its heading names it among two plan periods."""
    question = "2016年到2020年全国城镇新增就业累计有多少人？"
    one_year, one_year_heading = _time_fit(question, ("一、2020年工作回顾",), "城镇新增就业1186万人。")
    plan, plan_heading = _time_fit(question, ("二、“十三五”时期发展成就和“十四五”时期主要目标任务",), "城镇新增就业6000万人以上。")
    assert one_year == pytest.approx(0.1) and one_year_heading == 0.0
    assert plan == 1.0 and plan_heading == 0.5


def test_a_span_that_holds_the_year_asked_is_half_a_fit():
    fit, heading = _time_fit("2018年城镇新增就业多少人？", ("二、“十三五”时期发展成就",), "城镇新增就业6000万人以上。")
    assert fit == 0.5 and heading == 0.0
    fit, heading = _time_fit("2020年城镇新增就业多少人？", ("一、2020年工作回顾",), "城镇新增就业1186万人。")
    assert fit == 1.0 and heading == 1.0


def test_a_target_beside_a_review_is_not_a_figure_of_the_reviewed_years():
    """A 2021 report's section on the 13th plan's results (2016–2020) and the 14th plan's targets (2021–2025): a
    target there is for the years ahead, so a question about 2018 finds its year unmentioned, one about 2023 does not."""
    sections = ("二、“十三五”时期发展成就和“十四五”时期主要目标任务",)
    text = "经济运行保持在合理区间，城镇调查失业率控制在5.5%以内，物价水平保持总体平稳。"
    ((_, past, _),) = _judged("2018年末全国城镇调查失业率是多少？", text, "2021年政府工作报告", 2021, sections)
    ((_, ahead, _),) = _judged("2023年全国城镇调查失业率要控制在多少？", text, "2021年政府工作报告", 2021, sections)
    assert past["year_unmentioned"] == 1.0
    assert ahead["year_unmentioned"] == 0.0 and ahead["year_unstated"] == 0.0
    # 计划一节里段落自己说的过去（「两年来」）仍是它的时间：只有标题带来的过去时段才不算
    text = "从国债投资的效果看，两年来通过财政向银行发行2100亿元长期国债。"
    ((_, own, _),) = _judged("1998年和1999年两年发行了多少长期国债？", text, "2000年政府工作报告", 2000, ("二、2000年的主要任务",))
    assert own["year_unmentioned"] == 0.0 and own["year_unstated"] == 0.0
    # 同一节里的实际数（回顾）照样算说到了2018年
    ((_, actual, _),) = _judged("2018年末全国城镇调查失业率是多少？", "城镇调查失业率保持在5.5%左右。", "2021年政府工作报告", 2021, sections)
    assert actual["year_unmentioned"] == 0.0
