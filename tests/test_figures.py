import pytest

from qa.text.figures import UNITS, find_figures, format_number, parse_chinese_number


def one(text: str):
    figures = find_figures(text)
    assert len(figures) == 1, [f.text for f in figures]
    return figures[0]


@pytest.mark.parametrize(
    "text, figure_text, value, unit, kind, qualifier",
    [
        ("全市因特网注册用户148.13万户", "148.13万户", 1481300, "户", "number", ""),
        ("交换设备容量已发展到614.98万门", "614.98万门", 6149800, "门", "number", ""),
        ("总产值1464.85亿元", "1464.85亿元", 146485000000, "元", "number", ""),
        ("资金4500万元", "4500万元", 45000000, "元", "number", ""),
        ("出口额12.5亿美元", "12.5亿美元", 1250000000, "美元", "number", ""),
        ("从业人数109260人", "109260人", 109260, "人", "number", ""),
        ("接待公众查阅167908人次", "167908人次", 167908, "人次", "number", ""),
        ("共有632家企业", "632家", 632, "家", "number", ""),
        ("283个查阅点", "283个", 283, "个", "number", ""),
        ("3063件产品", "3063件", 3063, "件", "number", ""),
        ("信息105454条", "105454条", 105454, "条", "number", ""),
        ("2000余名代表", "2000余名", 2000, "名", "number", "余"),
        ("150位负责人", "150位", 150, "位", "number", ""),
        ("培训20余期", "20余期", 20, "期", "number", "余"),
        ("45项重要技术标准规范", "45项", 45, "项", "number", ""),
        ("出口总带宽117.73G", "117.73G", 117.73, "G", "number", ""),
        ("总存储空间超过200太", "200太", 200, "太", "number", "超过"),
        ("线路长120公里", "120公里", 120, "公里", "number", ""),
        ("减排二氧化碳3.5万吨", "3.5万吨", 35000, "吨", "number", ""),
        ("装机容量500千瓦", "500千瓦", 500, "千瓦", "number", ""),
        ("收入1,234.5万元", "1,234.5万元", 12345000, "元", "number", ""),
        ("软件收入猛增至300多亿元", "300多亿元", 30000000000, "元", "number", "多"),
        ("由不足50亿元", "50亿元", 5000000000, "元", "number", "不足"),
        ("共有15000家左右的企业", "15000家左右", 15000, "家", "number", "左右"),
        ("全市约8万人参加", "8万人", 80000, "人", "number", "约"),
        ("近4年的努力", "4年", 4, "年", "number", "近"),
        ("比重为6.55%", "6.55%", 6.55, "%", "percent", ""),
        ("覆盖率达99％", "99％", 99, "%", "percent", ""),
        ("提高1.5个百分点", "1.5个百分点", 1.5, "个百分点", "percent", ""),
        ("百分之三十六点九的企业", "百分之三十六点九", 36.9, "%", "percent", ""),
        ("约占全国的1/6", "1/6", 1 / 6, "", "fraction", ""),
        ("超过全国的六分之一", "六分之一", 1 / 6, "", "fraction", ""),
        ("全年发电一百零八亿度", "一百零八亿度", 10800000000, "度", "number", ""),
        ("新增两千人", "两千人", 2000, "人", "number", ""),
        ("来了三千余人", "三千余人", 3000, "人", "number", "余"),
        ("11月2～8日，网商培育", "11月2～8日", 11, "日", "range", ""),
        ("9月10～13日，博览会", "9月10～13日", 9, "日", "range", ""),
        ("2008年9月3日至9月6日，博览会", "2008年9月3日至9月6日", 2008, "日", "range", ""),
        ("规划(2004—2010年)", "2004—2010年", 2004, "年", "range", ""),
        ("5月26日，论坛", "5月26日", 5, "日", "date", ""),
        ("2009年度指导意见", "2009年度", 2009, "年", "date", ""),
        ("在副省级城市中稳居第四", "第四", 4, "", "ordinal", ""),
        ("杭州市荣获第4名", "第4名", 4, "名", "ordinal", ""),
    ],
)
def test_figure_text_value_unit_kind_and_qualifier(text, figure_text, value, unit, kind, qualifier):
    figure = one(text)
    assert (figure.text, figure.unit, figure.kind, figure.qualifier) == (figure_text, unit, kind, qualifier)
    assert figure.value == pytest.approx(value)
    assert text[figure.start : figure.end] == figure.text


@pytest.mark.parametrize(
    "text",
    [
        "“十一五”专项规划",
        "“一号工程”建设",
        "“两化融合”、“五化并举”",
        "“三个代表”重要思想",
        "党的十七大提出",
        "“四网融合、天地合一”",
        "“两环支撑”的网络",
        "B2B电子商务网站",
        "C114中国通信网",
        "一、二期建设",
    ],
)
def test_names_and_slogans_are_not_figures(text):
    quantities = [f for f in find_figures(text) if f.kind in ("number", "percent", "fraction")]
    assert quantities == [], [f.text for f in quantities]


def test_a_sentence_with_several_metrics_keeps_each_span():
    text = "全市户籍人口700万人，常住人口900万人。"
    figures = find_figures(text)
    assert [(f.text, f.value) for f in figures] == [("700万人", 7000000), ("900万人", 9000000)]
    assert text[figures[1].start : figures[1].end] == "900万人"
    assert figures[1].start == text.index("900万人")


def test_span_of_a_figure_in_the_seed_text():
    text = "至2007年底，本地电话交换设备容量已发展到614.98万门，移动电话交换机容量934万户；"
    figure = next(f for f in find_figures(text) if f.text == "614.98万门")
    assert (figure.start, figure.end) == (22, 30)
    assert figure.as_dict() == {"text": "614.98万门", "value": 6149800, "unit": "门", "computed": False}


def test_year_before_a_name_is_a_date_not_a_count():
    figure = one("“2009中国杭州电子信息博览会”")
    assert (figure.kind, figure.value) == ("date", 2009)


@pytest.mark.parametrize(
    "numeral, value",
    [("一百零八亿", 10800000000), ("两千", 2000), ("三十六点九", 36.9), ("十", 10), ("十五", 15), ("一万零五", 10005), ("二〇〇八", 2008)],
)
def test_chinese_numerals(numeral, value):
    assert parse_chinese_number(numeral) == pytest.approx(value)


def test_format_number_has_no_trailing_zeros():
    assert [format_number(v) for v in (1075.85, 800.0, 0.5, 1.4700)] == ["1075.85", "800", "0.5", "1.47"]


def test_yi_and_wan_written_together_are_one_figure():
    figure = one("国家共投入4亿5000万元用于改造")
    assert (figure.text, figure.value, figure.unit) == ("4亿5000万元", 450000000, "元")


def test_a_number_before_hao_is_part_of_a_name():
    assert [f.text for f in find_figures("地铁2号线全长20公里")] == ["20公里"]


@pytest.mark.parametrize(
    "text, figure_text, value, unit, kind",
    [
        ("居民消费价格总水平上升０．７％。", "０．７％", 0.7, "%", "percent"),
        ("农民人均纯收入达到３０９．８元", "３０９．８元", 309.8, "元", "number"),
        ("全年外贸出口１９４９亿美元", "１９４９亿美元", 1949e8, "美元", "number"),
    ],
)
def test_full_width_digits_are_read_and_quoted_verbatim(text, figure_text, value, unit, kind):
    (figure,) = [f for f in find_figures(text) if f.kind == kind]
    assert (figure.text, figure.value, figure.unit) == (figure_text, value, unit)
    assert text[figure.start : figure.end] == figure_text


def test_a_full_width_comma_still_separates_figures():
    assert [f.text for f in find_figures("投资分别为100，200万")] == ["100", "200万"]


def test_a_figure_right_after_its_year_belongs_to_that_year():
    from qa.text.clauses import figure_years

    sentence = "对外直接投资从2007年的248亿美元上升到2012年的772亿美元，年均增长25.5%"
    figures = find_figures(sentence)
    years = {f.text: figure_years(sentence, figures, i, "") for i, f in enumerate(figures)}
    assert years["248亿美元"] == {"2007"} and years["772亿美元"] == {"2012"}
    assert years["25.5%"] == {"2007", "2012"}


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_of_the_lexicon_stays_with_its_figure(unit):
    figure = one(f"据统计，该项数量为37{unit}。")
    assert (figure.text, figure.value, figure.unit) == (f"37{unit}", 37, unit)


@pytest.mark.parametrize(
    "text, figure_text, unit",
    [
        ("这条河全长约1,000米，向东流", "1,000米", "米"),
        ("成年个体体长约4公分", "4公分", "公分"),
        ("保护区面积368平方英里（953平方公里）", "368平方英里", "平方英里"),
        ("这种鹿现存650头", "650头", "头"),
        ("手抄本现存36页", "36页", "页"),
        ("全线共有5列列车运行", "5列", "列"),
        ("诗集收录其诗98首", "98首", "首"),
        ("硬盘容量为512GB", "512GB", "GB"),
        ("工期为6个月", "6个月", "个月"),
    ],
)
def test_measures_and_measure_words_outside_reports(text, figure_text, unit):
    figure = find_figures(text)[0]
    assert (figure.text, figure.unit) == (figure_text, unit)


@pytest.mark.parametrize(
    ("text", "written", "value", "unit", "kind"),
    [
        ("全国粮食产量5 6 3 0 万吨", "5 6 3 0 万吨", 56300000.0, "吨", "number"),  # 老报告逐字隔开的数字
        ("全国粮食产量５ ６ ３ ０万吨", "５ ６ ３ ０万吨", 56300000.0, "吨", "number"),
        ("年末共有企业１，０８６家", "１，０８６家", 1086.0, "家", "number"),  # 全角千分位
        ("投资１，０８６，５００元", "１，０８６，５００元", 1086500.0, "元", "number"),
        ("一九六二年，国民经济开始调整", "一九六二年", 1962.0, "年", "date"),  # 汉字年份是时间，不是「多少年」
        ("总投资４亿５０００万元", "４亿５０００万元", 450000000.0, "元", "number"),
        # 汉字数字里的约数字和小数点，后面再跟量级
        ("城镇新增就业两千多万人", "两千多万人", 20000000.0, "人", "number"),
        ("全年减税一百余万元", "一百余万元", 1000000.0, "元", "number"),
        ("外汇储备十四点九亿美元", "十四点九亿美元", 1490000000.0, "美元", "number"),
        # 汉字写的年月日
        ("根据一九八三年六月第六届全国人民代表大会第一次会议的决定", "一九八三年六月", 1983.0, "日", "date"),
        ("会议于六月二十五日召开", "六月二十五日", 6.0, "日", "date"),
    ],
)
def test_numbers_as_older_reports_print_them(text, written, value, unit, kind):
    figure = next(f for f in find_figures(text) if f.text == written)
    assert (figure.value, figure.unit, figure.kind) == (value, unit, kind)


def test_spaced_digits_without_a_unit_and_a_clause_comma_stay_apart():
    assert all(" " not in f.text for f in find_figures("表中第1 2 3三行"))
    assert [f.text for f in find_figures("增长１０，比上年高")] == ["１０"]


def test_the_name_of_a_five_year_plan_is_a_period_not_a_figure():
    assert find_figures("六五期间全国工农业总产值增长百分之十一")[0].text == "百分之十一"
    assert [f.text for f in find_figures("十三五时期，七五计划，六五末")] == []
    assert [f.text for f in find_figures("增加二十五期")] == ["二十五期"]  # 一个数后面跟「期」仍是数


@pytest.mark.parametrize(
    ("text", "figure", "qualifier"),
    [
        ("控制在百分之十以内。", "百分之十以内", "以内"),
        ("增长5%以内", "5%以内", "以内"),
        ("三百人以上参加", "三百人以上", "以上"),
        ("特殊政策五十年内不变", "五十年内", "内"),
        ("两个月之内完成", "两个月之内", "之内"),
    ],
)
def test_a_bound_after_a_figure_is_part_of_it(text, figure, qualifier):
    (found,) = find_figures(text)
    assert (found.text, found.qualifier) == (figure, qualifier) and text[found.start : found.end] == figure


def test_a_one_numeral_duration_is_a_figure_and_a_one_numeral_name_is_not():
    assert [f.text for f in find_figures("用七年时间基本解决温饱，十年内不变")] == ["七年", "十年内"]
    assert [f.text for f in find_figures("实施三年行动计划，一年来，3个内地城市")] == ["3个"]


def test_a_scale_word_alone_is_not_a_figure():
    assert find_figures("有关万人以上的大会和亿元以上的项目") == []
    assert find_figures("纪念十月革命") == []  # 只有月份、没有日的汉字写法多半是名称


def test_a_decade_is_a_time_not_a_number_of_years():
    assert [f.text for f in find_figures("已由五十年代的50%左右上升到80%以上，80年代建成30个，五十年内不变")] == ["50%左右", "80%以上", "30个", "五十年内"]
