from qa.text.clauses import breakdown_context

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
