"""Place names (qa.text.places): each rule on short phrases, real sentences of the government work reports (with the
words jieba tags as places), traditional script, and the lexicon file itself."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import GWR

from qa.text.places import (
    COMMON_WORD_NAMES,
    GENERIC_SCOPES,
    LEVELS,
    LEXICON_PATH,
    Place,
    _lexicon,
    bare_name,
    find_places,
    is_place,
)


def found(text: str) -> list[tuple[str, str, str]]:
    """(as written, canonical name, level) of every place in the text."""
    return [(place.text, place.name, place.level) for place in find_places(text)]


def names(text: str) -> list[str]:
    return [place.name for place in find_places(text)]


# ---- 规则 1：省、地级市带不带后缀都算；两字的区县只认带后缀的 ------------------------------------------------


@pytest.mark.parametrize(
    "text, name, level",
    [
        ("浙江", "浙江", "province"),
        ("浙江省", "浙江", "province"),
        ("杭州", "杭州", "city"),
        ("杭州市", "杭州", "city"),
        ("北京市", "北京", "province"),  # 直辖市是省级
        ("广西壮族自治区", "广西", "province"),
        ("内蒙古", "内蒙古", "province"),  # 「蒙古」是民族名，但「内」一个字不成简称
        ("黔东南苗族侗族自治州", "黔东南", "city"),
        ("延边州", "延边", "city"),  # 自治州的短称
        ("余杭区", "余杭", "district"),
        ("义乌市", "义乌", "county"),
        ("张家港", "张家港", "county"),  # 三个字的县级市简称不带后缀也算
        ("香港特别行政区", "香港", "region"),
        ("香港特区", "香港", "region"),
        ("长沙", "长沙", "city"),  # 简称归高一级：长沙是长沙市
        ("长沙县", "长沙县", "county"),
        ("吉林", "吉林", "province"),
        ("吉林市", "吉林市", "city"),
        ("和平区", "和平区", "district"),  # 天津、沈阳各有和平区，广东有和平县：同级两个地方，留着后缀
        ("临安市", "临安", "district"),  # 旧名算作现在的临安区
        ("那曲地区", "那曲", "city"),
    ],
)
def test_names_with_and_without_suffix(text, name, level):
    assert found(text) == [(text, name, level)]


def test_division_path_gives_each_level_with_offsets():
    assert find_places("浙江省杭州市余杭区五常街道") == [
        Place("浙江省", "浙江", 0, 3, "province"),
        Place("杭州市", "杭州", 3, 6, "city"),
        Place("余杭区", "余杭", 6, 9, "district"),
    ]


@pytest.mark.parametrize(
    "word",
    ["余杭", "义乌", "和平", "新华", "朝阳", "白云", "长安", "南山", "城中", "市中", "中山", "白银", "阿里"],
)
def test_common_words_never_match_bare(word):
    assert not is_place(word)
    assert find_places(f"这里说的是{word}的事") == []


@pytest.mark.parametrize(
    "word", ["城区", "新区", "郊区", "矿区", "东区", "西区", "开发区", "高新区", "市中区", "新城区"]
)
def test_generic_district_words_are_not_places(word):
    assert not is_place(word)


@pytest.mark.parametrize("word", ["中山市", "朝阳市", "白银市", "长安区", "南山区"])
def test_common_word_names_match_with_suffix(word):
    assert is_place(word)


def test_single_character_county_needs_a_word_boundary_before_it():
    assert names("河南省滑县") == ["河南", "滑县"]
    assert names("在滑县调研") == ["滑县"]
    assert names("建设一批示范县") == []  # 「示范县」里的「范县」
    assert names("农村和县城") == []  # 「和县」


# ---- 规则 2：泛指的范围 ------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", sorted(GENERIC_SCOPES))
def test_generic_scopes_are_not_places(scope):
    assert find_places(scope) == []


def test_china_is_the_default_scope_but_hong_kong_in_it_is_a_place():
    assert find_places("中国香港") == [Place("香港", "香港", 2, 4, "region")]
    assert names("全国各地、国内国际") == []


# ---- 规则 3：地名开头的机构名 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "organisation",
    [
        "杭州银行",
        "上海电气",
        "贵州茅台",
        "贵州茅台酒股份有限公司",
        "北京大学",
        "浙江日报",
        "上海证券交易所",
        "宁波港",
        "上海交通大学",
        "杭州娃哈哈集团",
        "上海合作组织",
        "亚太经合组织",
        "辽宁舰",
        "上海汽车",
    ],
)
def test_organisation_named_after_a_place_is_not_a_place(organisation):
    assert find_places(organisation) == []
    assert not is_place(organisation)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("杭州市人民政府", ["杭州"]),
        ("杭州市政府", ["杭州"]),
        ("浙江省统计局", ["浙江"]),
        ("浙江省能源局", ["浙江"]),  # 机构头后接「局」是政府部门
        ("杭州汽车保有量", ["杭州"]),  # 行业词后接「保有」说的是杭州的汽车
        ("浙江银行业", ["浙江"]),
        ("浙江省在校大学生", ["浙江"]),
        ("拱墅区、滨江区以及杭州恒生电子股份有限公司", ["拱墅", "滨江"]),
    ],
)
def test_government_bodies_and_sectors_name_the_place(text, expected):
    assert names(text) == expected


# ---- 规则 4 及其他：街道、民族、跨词 ----------------------------------------------------------------------


@pytest.mark.parametrize("street", ["南京路", "北京东路", "中山路", "延安中路", "长安街"])
def test_street_names_are_not_places(street):
    assert find_places(street) == []


def test_roadshow_is_not_a_street():
    assert names("在上海路演") == ["上海"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("第三方", []),
        ("东西", []),
        ("和平发展", []),
        ("新华社", []),
        ("朝阳产业", []),
        ("中山装", []),
        ("三明治", []),
        ("大理石", []),
        ("朝鲜族", []),  # 民族
        ("中非合作", []),  # 中国和非洲，不是中非共和国
        ("中俄国家元首", []),  # 中俄＋国家，不是俄国
        ("平台中", []),
        ("隆重庆祝", []),
        ("均衡水平", []),
        ("重大理论", []),
        ("扩大同各国的联系", []),
        ("渤海地区", []),
        ("增加纳税", []),
        ("杭州市场", ["杭州"]),  # 「市场」：退到「杭州」
        ("开放大连、秦皇岛", ["大连", "秦皇岛"]),
    ],
)
def test_common_words_and_words_across_a_place(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text, name", [("法国", "法国"), ("美国", "美国"), ("日本", "日本"), ("苏联", "苏联")])
def test_countries(text, name):
    assert found(text) == [(text, name, "country")]


def test_foreign_regions_and_transliterations():
    assert names("东南亚、西南亚、中东、南部非洲、中美洲") == ["东南亚", "西南亚", "中东", "非洲", "中美洲"]
    assert names("布雷西亚队") == []  # 音译词尾的「西亚」


# ---- 繁体 -------------------------------------------------------------------------------------------


def test_traditional_script_keeps_offsets_and_gives_simplified_names():
    assert find_places("他從臺北市到廣州") == [
        Place("臺北市", "台北", 2, 5, "city"),
        Place("廣州", "广州", 6, 8, "city"),
    ]
    assert found("臺灣") == [("臺灣", "台湾", "region")]
    assert found("廣州市") == [("廣州市", "广州", "city")]
    assert found("香港特別行政區") == [("香港特別行政區", "香港", "region")]


# ---- 政府工作报告里的真句子 -------------------------------------------------------------------------------


# 每句：报告、句子、找到的地名（「、」连起来）、jieba 标作地名（ns）的普通词
REPORT_SENTENCES = [
    (
        "gwr-1984.txt",
        (
            "同时，进一步开放大连、秦皇岛、天津、烟台、青岛、连云港、南通、上海、宁波、温州、福州、广州、湛江、北海等"
            "十四个沿海港口城市和海南岛，实行经济特区的某些特殊政策，扩大它们的权力。"
        ),
        "大连、秦皇岛、天津、烟台、青岛、连云港、南通、上海、宁波、温州、福州、广州、湛江、北海、海南",
        ["沿海港口", "城市"],
    ),
    (
        "gwr-1984.txt",
        (
            "城市住宅区、新建工矿区及其公共设施工程的建设，由开发公司承包，按照城镇总体规划，统一办理土地征用事宜，"
            "进行设计和配套建设。"
        ),
        "",
        ["城市", "新建", "城镇"],
    ),
    ("gwr-1984.txt", "上海交通大学等院校改革管理制度，层层扩大自主权，实行定编定员，人员流动，", "", []),
    # 两字的县名只认带「县」的：「汶川」「舟曲」不算（规则 1 的代价），「玉树」是自治州的简称
    (
        "gwr-2013.txt",
        "夺取抗击汶川特大地震、玉树强烈地震、舟曲特大山洪泥石流等严重自然灾害和灾后恢复重建重大胜利。",
        "玉树",
        ["重大胜利"],
    ),
    ("gwr-2002.txt", "去年，我国同俄罗斯和中亚四国共同宣布建立“上海合作组织”；", "俄罗斯、中亚", ["四国"]),
    (
        "gwr-2017.txt",
        (
            "这再次表明，中国人民有勇气、有智慧、有能力战胜任何艰难险阻，中国经济有潜力、有韧性、有优势，"
            "中国的发展前景一定会更好。"
        ),
        "",
        ["中国"],
    ),
]


@pytest.mark.parametrize("report, sentence, expected, jieba_places", REPORT_SENTENCES)
def test_sentences_of_government_work_reports(report, sentence, expected, jieba_places):
    assert sentence in (GWR / report).read_text(encoding="utf-8")
    assert "、".join(names(sentence)) == expected
    for word in jieba_places:
        assert not is_place(word)


def test_every_place_in_a_whole_report():
    text = (GWR / "gwr-2021.txt").read_text(encoding="utf-8")
    # 「亚太经合组织」是机构；「长三角」「粤港澳大湾区」「雄安新区」不在区划表里
    assert Counter(names(text)) == {"海南": 2, "香港": 2, "澳门": 2, "台湾": 2, "东亚": 1, "北京": 1}


# ---- 词表 -------------------------------------------------------------------------------------------


def test_lexicon_file_is_sorted_with_known_levels_and_a_source_header():
    lines = LEXICON_PATH.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    rows = [line.split("\t") for line in lines if not line.startswith("#")]
    assert "MIT" in header[0] and "cpca" in header[0]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    assert {row[1] for row in rows} == set(LEVELS)
    levels = [row[1] for row in rows]
    assert levels.count("province") == 31  # 34 个省级行政区，台湾、香港、澳门记作 region
    assert "中国" not in {row[0] for row in rows}


def test_common_word_names_are_short_names_of_real_cities():
    lexicon = _lexicon()
    for name in COMMON_WORD_NAMES:
        assert any(form.name == name for form in lexicon.forms.values()), name
        assert name not in lexicon.forms


def test_blocked_words_are_never_place_forms():
    lexicon = _lexicon()
    assert not lexicon.blocked & lexicon.forms.keys()


@pytest.mark.parametrize(
    "official, level, bare",
    [
        ("新疆维吾尔自治区", "province", "新疆"),
        ("伊犁哈萨克自治州", "city", "伊犁"),
        ("双江拉祜族佤族布朗族傣族自治县", "county", "双江"),
        ("鄂温克族自治旗", "county", "鄂温克族自治旗"),  # 去掉后只剩民族名：没有简称
        ("神农架林区", "county", "神农架"),
    ],
)
def test_bare_name(official, level, bare):
    assert bare_name(official, level)[0] == bare
