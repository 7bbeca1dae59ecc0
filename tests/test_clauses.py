import pytest

from qa.text.clauses import breakdown_context, clause_bounds, figure_years, respective_label
from qa.text.figures import find_figures

TOTAL = "据统计，2020年全市主动公开信息1000条。"


def test_the_first_item_of_a_breakdown_refers_to_the_total_before_it():
    assert breakdown_context("其中，政策类信息120条，占12%；", 3, TOTAL) == "据统计，2020年全市主动公开信息1000条"


def test_a_later_item_after_a_semicolon_refers_to_the_same_total():
    before = TOTAL + "其中，政策类信息120条，占12%；规划类信息30条，占3%；"
    assert breakdown_context("业务类信息500条，占50%；", 3, before) == "据统计，2020年全市主动公开信息1000条"


def test_a_total_in_the_same_sentence():
    assert breakdown_context("全市共有企业300家，其中国有企业20家；", 12, "") == "全市共有企业300家"


def test_no_breakdown_no_context():
    assert breakdown_context("工业增加值增长5%。", 3, "上年全市经济平稳。") == ""


def _items(sentence: str, position: int = 0) -> list[str]:
    from qa.text.clauses import breakdown_items
    from qa.text.figures import find_figures

    return breakdown_items(sentence, find_figures(sentence), position)


def test_breakdown_items_are_the_parts_with_the_totals_unit():
    sentence = "全市建成服务站总计120个，其中，城区45个，县(市)75个，服务群众8000人次；另有流动站20个。"
    assert _items(sentence) == ["城区", "县(市)"]  # 「服务群众8000人次」不是服务站的一部分，分号后也不是
    assert _items(sentence, 1) == []  # 分项本身没有分项


def test_a_count_right_after_a_list_counts_its_items():
    from qa.text.clauses import enumerated_items
    from qa.text.figures import find_figures

    sentence = "全市粮食、棉花、原油等三十多种主要产品产量增长，钢材产量1200万吨。"
    figures = {figure.text: figure for figure in find_figures(sentence)}
    assert enumerated_items(sentence, figures["三十多种"]) == ["全市粮食", "棉花", "原油"]
    assert enumerated_items(sentence, figures["1200万吨"]) == []


def test_a_decade_right_before_a_figure_is_its_own_time():
    from qa.text.clauses import own_years

    sentence = "固定职工的比例，已由五十年代的50%左右，上升到80%以上。"
    figures = find_figures(sentence)
    assert own_years(sentence, figures, 0, "") == {str(year) for year in range(1950, 1960)}
    assert own_years(sentence, figures, 1, "") == set()


def test_a_figure_without_its_own_breakdown_has_no_items():
    assert _items("全市企业300家，比上年增加20家，其中示范企业80家。") == []  # 「其中」之前先有别的数：不是它的分项
    assert _items("全市企业300家。") == []


def test_a_comparison_base_is_not_the_year_of_the_sentences_figures():
    sentence = "城镇居民每百户拥有家用汽车21.5辆，比2007年增加15.5辆；"
    figures = find_figures(sentence)
    position = next(i for i, figure in enumerate(figures) if figure.text == "21.5辆")
    assert figure_years(sentence, figures, position, "") == set()
    # 前一句的年份不由这里定（开句的时间才管到后文：qa.text.time.governing_mention）
    assert figure_years(sentence, figures, position, "2012年底，城镇人均住房面积32.9平方米。") == set()


@pytest.mark.parametrize(
    "sentence, figure, label",
    [
        ("城镇居民人均可支配收入和农村居民人均纯收入年均分别增长8.8%、9.9%。", "9.9%", "农村居民人均纯收入年均增长"),
        ("城镇居民人均可支配收入和农村居民人均纯收入年均分别增长8.8%、9.9%。", "8.8%", "城镇居民人均可支配收入增长"),
        ("粮食产量和棉花产量分别为6.5亿吨和600万吨。", "600万吨", "棉花产量为"),
        # 前几项只写序数，说明写在最后一项里
        ("第一、二、三产业增加值分别增长3.5%、8.0%和7.8%。", "8.0%", "二产业增加值增长"),
        # 不写「分别」，项和数并排；「分别」开头的分句，项在前一个分句里
        ("2012年底，城镇和农村人均住房面积32.9平方米、37.1平方米，分别比2007年增加2.8平方米和5.5平方米。", "37.1平方米", "农村人均住房面积"),
        ("2012年底，城镇和农村人均住房面积32.9平方米、37.1平方米，分别比2007年增加2.8平方米和5.5平方米。", "32.9平方米", "城镇人均住房面积"),
        ("2012年底，城镇和农村人均住房面积32.9平方米、37.1平方米，分别比2007年增加2.8平方米和5.5平方米。", "5.5平方米", "农村人均住房面积比2007年增加"),
    ],
)
def test_a_figure_listed_after_respectively_is_its_own_items(sentence: str, figure: str, label: str):
    figures = find_figures(sentence)
    chosen = next(f for f in figures if f.text == figure)
    assert respective_label(sentence, *clause_bounds(sentence, chosen), figures, chosen) == label


@pytest.mark.parametrize(
    "sentence",
    ["出口、进口和外汇储备分别增长5%、3%。", "两项收入分别增长5%。", "出口增长8%、进口增长5%。", "城乡居民收入增长8.8%、9.9%。", "全年粮食产量6亿吨、棉花600万吨。"],
)
def test_no_respective_label_when_items_and_figures_do_not_pair_up(sentence: str):
    figures = find_figures(sentence)
    assert all(respective_label(sentence, *clause_bounds(sentence, f), figures, f) is None for f in figures)
