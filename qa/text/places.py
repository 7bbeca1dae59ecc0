"""Place names in text: China's provinces, prefectures, counties and districts, the world's countries and some
well-known foreign regions and cities (lexicon in places.tsv), found by a left-to-right longest-match scan.

Not by part-of-speech tags: jieba tags ordinary nouns and organisations as places (ns/nt). Here a place is a name from
the division table, and the rules below keep out what only looks like one — common words (「朝阳产业」), generic scopes
(「全国」), organisations named after a place (「杭州银行」) and streets (「南京路」). Traditional script is folded to
simplified before matching (「臺灣」 is 台湾); offsets are those of the text as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qa.text.script import to_simplified

LEXICON_PATH = Path(__file__).with_name("places.tsv")
LEVELS = ("country", "region", "province", "city", "county", "district")

# ---- 简称：去掉后缀后的名字 ------------------------------------------------------------------------

# 每一级的后缀，长的在前（「自治区」先于「区」）
SUFFIXES: dict[str, tuple[str, ...]] = {
    "province": ("自治区", "省", "市"),
    "region": ("特别行政区", "省"),
    "city": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "自治旗", "林区", "特区", "县", "旗", "市"),
    "district": ("新区", "区"),
}
# 自治区、州、县、旗名里的民族名（「黔东南苗族侗族自治州」的简称是「黔东南」）：五十六个民族中除汉族外的五十五个
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克",
    "傣", "黎", "傈僳", "佤", "畲", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌",
    "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂",
    "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "高山",
)  # fmt: skip
# 不带「族」字也写进区划名的民族名（「伊犁哈萨克自治州」「新疆维吾尔自治区」）只认两字以上的：一字的「回」「白」会吃掉地名的字
_ETHNIC_NAMES = [group + "族" for group in ETHNIC_GROUPS] + [group for group in ETHNIC_GROUPS if len(group) >= 2]
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(_ETHNIC_NAMES, key=len, reverse=True)) + ")$")
# 自治州、县、旗和特别行政区的常用短称：简称加「州」「县」「旗」「特区」（「黔南州」「兰坪县」「香港特区」）
SHORT_SUFFIXES = {"自治州": "州", "自治县": "县", "自治旗": "旗", "特别行政区": "特区"}
# 简称至少两个字：「和县」「沙县」的「和」「沙」不是地名
MIN_BARE_CHARS = 2

# ---- 规则 1：什么时候不带后缀也算 -------------------------------------------------------------------

# 省、地级市、国家、外国地区不带后缀也算（「浙江」「杭州」）；区县要三个字以上才算：两字的「余杭」「和平」「城中」
# 多半也是普通词，只认带后缀的「余杭区」
BARE_ALWAYS_LEVELS = frozenset({"country", "region", "province", "city"})
BARE_MIN_CHARS_COUNTY = 3
# 简称是常用词或常被跨词读出的地级市：只认带后缀的（「中山市」「朝阳市」「白银市」）；「台中」多见于「平台中」，
# 「大同」见于「扩大同」「大同小异」，「定西」见于「制定西部」，「新北」见于「创新北京」
COMMON_WORD_NAMES = frozenset({"中山", "朝阳", "白银", "安康", "来宾", "阿里", "台中", "大同", "定西", "新北"})
# 泛指的区名不是地名：「新城区」「城区」「郊区」「市中区」说的是城市里的一片，不是哪一个区；「大社区」「新社区」是常用词
GENERIC_DIVISION_NAMES = frozenset(
    {
        "城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区", "南郊区", "新区", "新城区", "老城区", "新市区",
        "西市区", "市中区", "市南区", "市北区", "城中区", "城东区", "城西区", "城南区", "城北区", "中西区", "新社区",
        "大社区", "开发区", "高新区",
    }
)  # fmt: skip
# 一字简称的县（「滑县」「范县」「高县」）和常在音译词里的「西亚」「马里」：只在前面不是汉字，或是省市名的后缀、介词连词时算；
# 「示范县」「提高县城」里的「范县」「高县」是前一个词的尾巴，「布雷西亚」「阿马里洛」里没有西亚、马里
TRANSLITERATION_TAILS = frozenset({"西亚", "马里"})
LEFT_OK = frozenset("省市州盟区县国在于从到至赴和与及同、的是对向往")

# ---- 规则 2：泛指的范围和含地名的常用词，整个跳过 -------------------------------------------------------

# 泛指的范围不是地名；「中国」是全国性报告的默认范围，不作地名
GENERIC_SCOPES = frozenset(
    {
        "中国", "全国", "全省", "全市", "国内", "国际", "各地", "本地", "当地", "农村", "城乡", "城市", "地方", "国家",
        "东部", "中部", "西部", "中西部", "中东部", "沿海", "内地",
    }
)  # fmt: skip
# 以地名开头的常用词：「三明治」不是三明，「小兴安岭」不是兴安盟；「东北」「江南」「长江」不在词表里，跳过它们
# 「东北美」「长江西岸」里就没有北美、江西
COMMON_WORDS_WITH_PLACES = frozenset(
    {
        "三明治", "大理石", "马里奥", "长治久安", "大同小异", "四平八稳", "白山黑水", "文山会海", "中山装", "阿里巴巴",
        "阿里云", "北京时间", "朝阳产业", "东方红", "小兴安岭", "太平洋", "大西洋", "印度洋", "北冰洋", "苏丹红",
        "日照时数", "东北", "西北", "华北", "东南", "西南", "华南", "华东", "华中", "江南", "长江", "黄河",
    }
)  # fmt: skip
# 以地名首字结尾的常用词：那个字属于前一个词（「方法国家」里没有法国，「重大理论」里没有大理，「其中东部」里没有中东，
# 「平台中」里没有台中，「中俄国家元首」里没有俄国）。只收前面也少有字跟它连成词的（「开放大连」是大连，所以不收「放大」「加大」；「以上海为中心」
# 是上海，所以不收「以上」）
WORDS_ENDING_IN_PLACE_START = frozenset(
    {
        "方法", "办法", "无法", "宪法", "做法", "说法", "合法", "依法", "立法", "执法", "违法", "司法", "想法", "看法",
        "其中", "集中", "之中", "心中", "手中", "当中",
        "重大", "最大", "扩大", "巨大", "伟大", "很大", "更大", "较大", "宏大", "庞大", "壮大",
        "平台", "舞台", "出台", "后台", "前台", "柜台", "阳台", "站台", "经济", "道德", "东西", "幸福", "巩固", "隆重",
        "中美", "中俄", "中日", "中英", "中法", "中德", "中韩", "中朝", "中越", "中印", "中苏", "中葡", "中巴",
    }
)  # fmt: skip

# ---- 规则 3：地名开头的机构名 -------------------------------------------------------------------------

# 紧跟在地名后面时整个是机构、品牌或舰船的名字（「杭州银行」「贵州茅台」「北京大学」「宁波港」「辽宁舰」），地名不单独算
ORGANISATION_HEADS = (
    "银行", "电气", "集团", "股份", "有限公司", "公司", "证券", "保险", "信托", "基金", "大学", "学院", "日报", "晚报",
    "电视台", "广电", "交易所", "茅台", "港务", "港", "机场集团", "控股", "实业", "农商", "银保监", "电信", "联通",
    "建工", "交投", "城投", "合作组织", "经合组织", "舰",
)  # fmt: skip
# 行业词：「上海汽车」「浙江能源」是公司，「杭州汽车保有量」「浙江能源消费」说的是那个地方的行业，后接下面的词时地名照算
SECTOR_HEADS = ("航空", "汽车", "钢铁", "医药", "能源", "电力")
SECTOR_TOPICS = (
    "产",
    "消费",
    "保有",
    "市场",
    "企业",
    "工业",
    "需求",
    "供",
    "发展",
    "总量",
    "领域",
    "价格",
    "结构",
    "安全",
)
# 机构头后接这些字时不是机构：「银行业」「保险业」是行业，「大学生」是人，「浙江省能源局」是政府部门，「杭州港口」是港口
NOT_ORGANISATION_AFTER_HEAD = "业生局厅委办署口区澳"
_ORGANISATION = re.compile(
    "(?:" + "|".join(sorted(ORGANISATION_HEADS, key=len, reverse=True)) + f")(?![{NOT_ORGANISATION_AFTER_HEAD}])"
    "|(?:" + "|".join(SECTOR_HEADS) + ")(?!" + "|".join(SECTOR_TOPICS) + f"|[{NOT_ORGANISATION_AFTER_HEAD}])"
)
# 地名后 8 个汉字以内以公司形式结尾的是公司名（「贵州茅台酒股份有限公司」「杭州娃哈哈集团」），6 个字以内以「大学」「学院」
# 结尾的是学校（「上海交通大学」「浙江经贸职业技术学院」）；中间有「以及」「和」「的」时是两个名字（「滨江区以及杭州恒生电子
# 股份有限公司」里的滨江区是地名），「大学生」是人
_NAME_CHAR = r"(?:(?!以及|和|与|及|的)[\u4e00-\u9fff])"
COMPANY_FORM = re.compile(_NAME_CHAR + r"{0,8}?(?:股份有限公司|有限责任公司|有限公司|集团)")
SCHOOL_FORM = re.compile(_NAME_CHAR + r"{0,6}?(?:大学|学院)(?!生)")
# 机构名最长看到地名后这么多字（8 个字加最长的公司形式）
_AFTER_CHARS = 16

# ---- 规则 4 及其他：地名后面的字说明它是别的东西 ------------------------------------------------------

# 地名后接路、街：街道名（「南京路」「北京东路」），不是那个城市；「路演」「街头」「街道」不是
STREET = re.compile(r"[东西南北中]?(?:路|街|大道|大街|巷)(?!演|径|线|网|头|道|区)")
# 地名后接「族」是民族名（「朝鲜族」「蒙古族」「俄罗斯族」）
ETHNIC_MARK = "族"
# 地名的最后一字和后一字连成词：那个字属于后面的词，有更短的写法时退一步（「杭州市场」是杭州＋市场，「渤海地区」里没有海地，
# 「增加纳税」里没有加纳，「均衡水平」里没有衡水）
SPLIT_WORDS = frozenset(
    {
        "市场", "市民", "市值", "区域", "区间", "区别", "区分", "区块", "区位", "地区", "地带", "地方", "纳税", "纳入",
        "纳米", "水平", "庆祝", "理论", "连续",
    }
)  # fmt: skip

# 简称归哪一级：国家、地区、省一档，地级市一档，区县一档
_TIER = {"country": 0, "region": 0, "province": 0, "city": 1, "county": 2, "district": 2}


@dataclass(frozen=True)
class Place:
    """A place name found in a text: as written, its canonical simplified name, where, and its level."""

    text: str
    name: str
    start: int
    end: int
    level: str


@dataclass(frozen=True)
class _Form:
    """One way a place is written: the canonical name and the level it stands for."""

    name: str
    level: str


@dataclass(frozen=True)
class _Lexicon:
    forms: dict[str, _Form]
    blocked: frozenset[str]
    lengths: dict[str, tuple[int, ...]]  # 首字 → 以它开头的写法和常用词的长度，长的在前


def bare_name(official: str, level: str) -> tuple[str, str]:
    """The name without its suffix and the suffix (「杭州市」→ 杭州, 市; 「黔东南苗族侗族自治州」→ 黔东南, 自治州)."""
    for suffix in SUFFIXES.get(level, ()):
        if official.endswith(suffix) and len(official) - len(suffix) >= 1:
            bare = official[: -len(suffix)]
            if suffix.startswith("自治"):
                while (tail := _ETHNIC_TAIL.search(bare)) and tail.start() >= MIN_BARE_CHARS:
                    bare = bare[: tail.start()]
                if _ETHNIC_TAIL.fullmatch(bare):
                    return official, ""  # 「鄂温克族自治旗」：去掉后只剩民族名
            return bare, suffix
    return official, ""


def _bare_matches(bare: str, level: str) -> bool:
    """Whether the name without suffix is itself taken as the place."""
    if len(bare) < MIN_BARE_CHARS or bare in COMMON_WORD_NAMES:
        return False
    return level in BARE_ALWAYS_LEVELS or len(bare) >= BARE_MIN_CHARS_COUNTY


def _read_lexicon(path: Path) -> list[tuple[str, str, str]]:
    """(name, level, current name) per line; the current name only on a former name (「临安市」→ 临安区), else ""."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, level, *current = line.split("\t")
            if level not in LEVELS:
                raise ValueError(f"{path}: unknown level {level!r} for {name}; choose from {', '.join(LEVELS)}")
            entries.append((name, level, current[0] if current else ""))
    return entries


def _bare_owners(entries: list[tuple[str, str]], bares: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The level each short name stands for: the highest tier's, if all of that tier are one level (「吉林」→ province,
    「长沙」→ city); none for 「朝阳区」「朝阳县」 (two places of one tier)."""
    claimants: dict[str, dict[int, set[str]]] = {}
    for official, level in entries:
        claimants.setdefault(bares[official][0], {}).setdefault(_TIER[level], set()).add(level)
    return {bare: next(iter(tiers[min(tiers)])) for bare, tiers in claimants.items() if len(tiers[min(tiers)]) == 1}


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    rows = [row for row in _read_lexicon(LEXICON_PATH) if row[0] not in GENERIC_DIVISION_NAMES]
    entries = [(name, level) for name, level, current in rows if not current]
    bares = {official: bare_name(official, level) for official, level in entries}
    # 简称归最高一级的地方，它的规范名去掉后缀（「余杭区」→ 余杭）；不归它的留着后缀（「长沙县」，「长沙」是长沙市）
    owners = _bare_owners(entries, bares)
    forms: dict[str, _Form] = {}
    for official, level in entries:
        bare, suffix = bares[official]
        owns_bare = owners.get(bare) == level and len(bare) >= MIN_BARE_CHARS
        form = _Form(bare if owns_bare else official, level)
        forms[official] = form
        if suffix in SHORT_SUFFIXES and bare != official:
            forms.setdefault(bare + SHORT_SUFFIXES[suffix], form)
        if suffix and owns_bare and _bare_matches(bare, level):
            forms.setdefault(bare, form)
    # 撤销、改名的旧名（「临安市」「那曲地区」）算作现在那个地方
    for former, _level, current in rows:
        if current:
            forms.setdefault(former, forms[current])

    blocked = GENERIC_SCOPES | COMMON_WORDS_WITH_PLACES | WORDS_ENDING_IN_PLACE_START
    lengths: dict[str, set[int]] = {}
    for text in [*forms, *blocked]:
        lengths.setdefault(text[0], set()).add(len(text))
    return _Lexicon(forms, frozenset(blocked), {c: tuple(sorted(ns, reverse=True)) for c, ns in lengths.items()})


def _fold(text: str) -> str:
    """Simplified characters, one for one, so offsets carry over (OpenCC t2s; char by char if a phrase changed length)."""
    folded = to_simplified(text)
    if len(folded) == len(text):
        return folded
    return "".join(to_simplified(char) if len(to_simplified(char)) == 1 else char for char in text)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _names_organisation(after: str) -> bool:
    """Whether the text right after a place makes it the start of an organisation's or brand's name."""
    return any(pattern.match(after) for pattern in (_ORGANISATION, COMPANY_FORM, SCHOOL_FORM))


def _names_street(after: str) -> bool:
    """Whether the place is the first part of a street name (「南京路」「北京东路」)."""
    return STREET.match(after) is not None


def _left_boundary_ok(folded: str, start: int, form: str, level: str) -> bool:
    """A two-character county name (「滑县」) or 「西亚」 only where the character before it cannot end another word."""
    short_county = len(form) <= MIN_BARE_CHARS and level in ("county", "district")
    if start == 0 or not (short_county or form in TRANSLITERATION_TAILS):
        return True
    before = folded[start - 1]
    return not _is_cjk(before) or before in LEFT_OK


def find_places(text: str) -> list[Place]:
    """The place names in the text, left to right, longest match first, not overlapping."""
    lexicon = _lexicon()
    folded = _fold(text)
    places: list[Place] = []
    position = 0
    while position < len(folded):
        step = 1
        for length in lexicon.lengths.get(folded[position], ()):
            end = position + length
            if end > len(folded):
                continue
            candidate = folded[position:end]
            if candidate in lexicon.blocked:
                step = length
                break
            form = lexicon.forms.get(candidate)
            if form is None:
                continue
            after = folded[end : end + _AFTER_CHARS]
            if folded[end - 1 : end + 1] in SPLIT_WORDS:
                continue  # 最后一字属于后面的词：试更短的写法
            if not _left_boundary_ok(folded, position, candidate, form.level):
                continue
            step = length
            if not (after.startswith(ETHNIC_MARK) or _names_organisation(after) or _names_street(after)):
                places.append(Place(text[position:end], form.name, position, end, form.level))
            break
        position += step
    return places


def is_place(word: str) -> bool:
    """Whether the whole word is a place name, with or without its suffix (「杭州」「杭州市」「余杭区」, not 「余杭」)."""
    places = find_places(word)
    return len(places) == 1 and places[0].start == 0 and places[0].end == len(word)
