from qa.text.clauses import breakdown_context, figure_years
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


def test_a_figure_without_its_own_breakdown_has_no_items():
    assert _items("全市企业300家，比上年增加20家，其中示范企业80家。") == []  # 「其中」之前先有别的数：不是它的分项
    assert _items("全市企业300家。") == []


def test_a_comparison_base_is_not_the_year_of_the_sentences_figures():
    sentence = "城镇居民每百户拥有家用汽车21.5辆，比2007年增加15.5辆；"
    figures = find_figures(sentence)
    position = next(i for i, figure in enumerate(figures) if figure.text == "21.5辆")
    assert figure_years(sentence, figures, position, "") == set()
    # 前一句的年份不由这里定（开句的时间才管到后文：qa.reading.time.governing_mention）
    assert figure_years(sentence, figures, position, "2012年底，城镇人均住房面积32.9平方米。") == set()
