"""Figures in Chinese text: numbers, percentages, fractions, dates, ranges, ordinals, with spans and values."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.text.script import to_half_width, to_simplified

# 单位词表：量词与度量单位，按所量的东西分组。answerer 用分组判断一个数字答不答得上「几个」「多长」；
# 正则按长度从长到短试（「平方公里」先于「公里」，「人次」先于「人」，「个月」先于「个」）。
MONEY_UNITS = frozenset({"元", "美元", "港元", "欧元", "日元", "人民币"})
PERSON_UNITS = frozenset({"人", "名", "位", "人次"})
# 计件的量词：「多少处」可以用「283个」回答
COUNT_UNITS = frozenset(
    """
    个 家 件 条 项 所 座 台 套 部 种 次 辆 张 场 处 期 批 份 间 款
    册 篇 栋 只 枚 架 艘 床 头 匹 尾 颗 棵 块 本 首 集 章 卷 列 层 页 幅 票 席 球 支 队 双 株 盏 片
    档 类 轮 组
    """.split()
)
# 长度、面积、重量、容积、能量、数据量、温度
MEASURE_UNITS = frozenset(
    """
    公里 千米 米 厘米 毫米 公分 公尺 英里 英尺 英寸 英吋 海里 km cm mm
    平方公里 平方千米 平方米 平方英里 公顷 亩
    吨 千克 公斤 克 毫克 斤 磅 kg
    立方米 升 毫升
    千瓦 千瓦时 兆瓦 瓦 度
    G T M 太 GB MB TB KB Mbps Gbps
    摄氏度 ℃
    """.split()
)
POINT_UNITS = frozenset({"个百分点", "百分点"})  # 百分数之差
TIME_UNITS = frozenset({"年", "个月", "周", "周年", "天", "小时", "分钟", "秒", "岁"})
OTHER_UNITS = frozenset({"户", "户次", "门", "倍", "字", "届", "强"})
UNITS = sorted(  # 长的在前（正则先试「平方公里」再试「公里」）；同样长的按字排，每个进程里顺序都一样
    MONEY_UNITS | PERSON_UNITS | COUNT_UNITS | MEASURE_UNITS | POINT_UNITS | TIME_UNITS | OTHER_UNITS,
    key=lambda unit: (-len(unit), unit),
)
_UNIT = "|".join(map(re.escape, UNITS))
_PREFIX_QUALIFIERS = ("超过", "不足", "将近", "大约", "约", "近", "逾")
SCALES = {"万亿": 1e12, "亿": 1e8, "万": 1e4}
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_DASH = r"[～~—\-–至到]"

_DATE = re.compile(
    rf"(?<![\d.])(?:(?P<y>\d{{4}})(?:{_DASH}(?P<y2>\d{{4}}))?年度?"
    rf"(?:(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})(?:{_DASH}(?P<d2>\d{{1,2}}))?日)?)?"
    rf"|(?P<m_only>\d{{1,2}})月(?:(?P<d_only>\d{{1,2}})(?:{_DASH}(?P<d2_only>\d{{1,2}}))?日)?)"
)
_NUMBER = re.compile(
    rf"(?<![A-Za-z\d.,/])(?P<num>{_ARABIC})(?P<approx1>多|余)?(?P<scale>万亿|亿|万)?(?P<approx2>多|余)?"
    rf"(?:(?P<percent>[%％])|(?P<unit>{_UNIT}))?(?P<suffix>左右|以上|以下|以内)?(?![A-Za-z\d])"
)
# 「4亿5000万元」：亿与万两级连写的一个数
_MIXED = re.compile(rf"(?<![\d.])(?P<a>\d+)亿(?P<b>\d{{1,4}})万(?P<unit>{_UNIT})?")
# 「2号线」「1号文件」「3号楼」：数字后跟「号」是名称里的编号，不是数量
_NAME_NUMBER_FOLLOWER = "号"
_FRACTION = re.compile(r"(?<![\d.])(?P<a>\d+)/(?P<b>\d+)(?![\d/])")
_CN_FRACTION = re.compile(rf"(?P<b>[{_CN_NUM}]+)分之(?P<a>[{_CN_NUM}点]+)")
# 「两千多万人」「一百余万吨」「十四点九亿元」：约数字和小数点后面还可以再跟量级
_CN_NUMBER = re.compile(
    rf"(?P<num>[{_CN_NUM}]+(?:点[{''.join(_CN_DIGIT)}]+)?)(?P<approx>多|余)?(?P<scale>万亿|亿|万)?(?P<approx2>多|余)?"
    rf"(?:(?P<unit>{_UNIT}))?"
)
# 汉字写的日期：「一九八三年六月」「一九八三年六月二十五日」；只有月份的要有日（「十月革命」不是日期）
_CN_YEAR_DIGITS = "〇零一二三四五六七八九"
_CN_MONTH = "十[一二]?|[一二三四五六七八九]"
_CN_DAY = "三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九]"
_CN_DATE = re.compile(
    rf"(?P<y>[{_CN_YEAR_DIGITS}]{{4}})年(?P<m>{_CN_MONTH})月(?:(?P<d>{_CN_DAY})日)?"
    rf"|(?<![{_CN_NUM}])(?P<m_only>{_CN_MONTH})月(?P<d_only>{_CN_DAY})日"
)
_ORDINAL = re.compile(rf"第(?P<num>\d+|[{_CN_NUM}]+)(?P<unit>名|位|届|期|次|批|季度|个)?")
_FULL_WIDTH_SEPARATOR = re.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")
# 「5 6 3 0 万吨」：老报告排版把数字一个个隔开；至少三位、后面跟着量级或单位才算一个数（表格里的「1 2 3」不算）
_SPACED = re.compile(
    rf"(?<![\d.,])(?P<num>\d(?:[ \u3000]\d){{2,}})[ \u3000]?(?P<scale>万亿|亿|万)?(?:(?P<percent>%)|(?P<unit>{_UNIT}))?"
)
_QUOTED = re.compile(r"“[^”]{0,30}”|《[^》]{0,60}》|「[^」]{0,30}」")
# 五年计划的名字（「六五期间」「十三五时期」「七五计划」）是时期，不是数（qa.text.time 把它读作年份）
_PLAN_PERIOD = re.compile(r"(?<![一二三四五六七八九十百千万亿零〇两])[一二三四五六七八九十]{1,3}五(?=期间|时期|计划|规划|末|初|以来|前期|后期)")


@dataclass(frozen=True)
class Figure:
    """One quantity as written (`text`, `start`, `end`) and as a value with its base unit."""

    text: str
    start: int
    end: int
    value: float
    unit: str  # 基本单位：「148.13万户」的单位是「户」，「1464.85亿元」是「元」，百分数是「%」
    kind: str  # number, percent, fraction, date, range, ordinal
    qualifier: str = ""  # 超过、余、多、左右、约、近、以上……
    scale: str = ""  # 万、亿：格式化计算结果时沿用

    @property
    def is_quantity(self) -> bool:
        """An amount (number, percentage, rank…), not a date or a span of years."""
        return self.kind not in ("date", "range")

    def as_dict(self, computed: bool = False) -> dict:
        return {"text": self.text, "value": _plain_number(self.value), "unit": self.unit, "computed": computed}

    @property
    def plain(self) -> str:
        """The amount in plain Arabic digits (「5 6 3 0 万吨」 → 「5630万吨」, 「百分之三」 → 「3%」); dates and ranks as written."""
        if self.kind == "percent":
            return f"{format_number(self.value)}%"
        if self.kind != "number":
            return self.text
        return f"{format_number(self.value / SCALES.get(self.scale, 1))}{self.scale}{self.unit}"

    @property
    def unusually_written(self) -> bool:
        """Written otherwise than in plain digits (full-width, spaced, Chinese numerals, mixed scales): the answer then
        shows the plain value beside the text as written. Thousands separators and qualifiers are usual."""
        if not self.is_quantity or self.kind not in ("number", "percent"):
            return False
        written = to_half_width(self.text).replace(",", "")
        for qualifier in self.qualifier:  # 「20余期」「300多万人」的约数字不算怪写法
            written = written.replace(qualifier, "")
        if self.kind == "number" and written.removesuffix(self.unit) in _ONE_CHINESE_DIGIT:
            return False  # 「七年」「三档」是平常写法，写成「七年（7年）」反而碍眼
        return self.plain not in written


_ONE_CHINESE_DIGIT = frozenset("一二两三四五六七八九十")


def find_figures(text: str) -> list[Figure]:
    """Every figure in the text, left to right, without overlaps (the longest reading wins).
    Full-width digits are read as digits and traditional characters as simplified ones (「2300萬人」 is 2300万人);
    each figure's `text` is verbatim from the original."""
    narrow = _full_width_separators(text, to_half_width(text))
    simplified = to_simplified(narrow)
    if len(simplified) == len(narrow):  # OpenCC 几乎总是一字换一字；偶有词语换成不同长度时只按原字读
        narrow = simplified
    if narrow == text:
        return _find_figures(text)
    return [replace(figure, text=text[figure.start : figure.end]) for figure in _find_figures(narrow)]


def _full_width_separators(original: str, narrow: str) -> str:
    """「１，０８６家」: a full-width comma between full-width digits, before exactly three of them, is a thousands
    separator (older reports set whole figures in full-width type); elsewhere 「，」 is the clause comma."""
    positions = [match.start() for match in _FULL_WIDTH_SEPARATOR.finditer(original)]
    if not positions:
        return narrow
    chars = list(narrow)
    for position in positions:
        chars[position] = ","
    return "".join(chars)


def _find_figures(text: str) -> list[Figure]:
    quoted = [match.span() for match in _QUOTED.finditer(text)]
    periods = [match.span() for match in _PLAN_PERIOD.finditer(text)]
    candidates: list[Figure] = []
    candidates += _dates(text)
    candidates += _chinese_dates(text)
    candidates += _arabic_numbers(text)
    candidates += _spaced_numbers(text)
    candidates += _mixed_numbers(text)
    candidates += _fractions(text)
    candidates += _ordinals(text)
    candidates += [f for f in _chinese_numbers(text) if not _inside(f, quoted)]
    candidates = [f for f in candidates if not any(start < f.end and f.start < end for start, end in periods)]
    # 「五十年代」「80年代」是年代（时间），不是「多少年」
    candidates = [f for f in candidates if not (f.unit == "年" and f.kind == "number" and text.startswith("代", f.end))]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    chosen: list[Figure] = []
    for figure in candidates:
        if chosen and figure.start < chosen[-1].end:
            continue
        chosen.append(_with_bound(text, figure))
    return chosen


# 数字后面说它是个界限的词（「控制在百分之十以内」「８０％以上」）：是答案的一部分，不能丢
_BOUND_AFTER = ("左右", "以上", "以下", "以内", "之内")
# 时长后面的「内」也是界限（「五十年内不变」）；别的数后面的「内」多半是下一个词的头（「3个内地城市」）
_DURATION_BOUND = "内"


def _with_bound(text: str, figure: Figure) -> Figure:
    """The figure with the bound word that follows it (「百分之十」+「以内」), when its pattern did not take it."""
    if figure.kind not in ("number", "percent") or figure.text.endswith(_BOUND_AFTER):
        return figure
    bound = next((word for word in _BOUND_AFTER if text.startswith(word, figure.end)), None)
    if bound is None and figure.unit in TIME_UNITS and text.startswith(_DURATION_BOUND, figure.end):
        bound = _DURATION_BOUND
    if bound is None:
        return figure
    end = figure.end + len(bound)
    return replace(figure, text=text[figure.start : end], end=end, qualifier=figure.qualifier or bound)


def parse_chinese_number(text: str) -> float | None:
    """「一百零八亿」→ 10800000000, 「两千」→ 2000, 「三十六点九」→ 36.9; None if not a numeral."""
    if not text:
        return None
    if "点" in text:
        whole, _, decimals = text.partition("点")
        integer = parse_chinese_number(whole) if whole else 0
        if integer is None or not decimals or any(c not in _CN_DIGIT for c in decimals):
            return None
        return float(f"{int(integer)}.{''.join(str(_CN_DIGIT[c]) for c in decimals)}")
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGIT:
            if digit is not None and section == 0 and total == 0:
                # 「二〇〇八」这样逐位写的数
                digit = digit * 10 + _CN_DIGIT[char]
            else:
                digit = _CN_DIGIT[char]
        elif char in _CN_SMALL_UNIT:
            section += (1 if digit is None else digit) * _CN_SMALL_UNIT[char]
            digit = None
        elif char in ("万", "亿"):
            scale = 10_000 if char == "万" else 100_000_000
            total = (total + section + (digit or 0)) * scale
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def format_number(value: float) -> str:
    """A value without trailing zeros: 1075.85, 800, 0.5."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _arabic_numbers(text: str) -> list[Figure]:
    figures = []
    for match in _NUMBER.finditer(text):
        number = float(match["num"].replace(",", ""))
        scale = match["scale"] or ""
        approx = match["approx1"] or match["approx2"] or ""
        if match["percent"]:
            unit, kind, value = "%", "percent", number
        else:
            unit, kind, value = match["unit"] or "", "number", number * SCALES.get(scale, 1)
        if unit in ("个百分点", "百分点"):
            kind = "percent"
        elif not unit and not scale and re.fullmatch(r"(?:19|20)\d{2}", match["num"]):
            kind, unit = "date", "年"  # 「2009中国杭州电子信息博览会」里的年份
        start, end = match.start(), match.end()
        if not unit and not scale and kind == "number" and text.startswith(_NAME_NUMBER_FOLLOWER, end):
            continue
        qualifier = approx or match["suffix"] or ""
        prefix = _prefix_qualifier(text, start)
        if prefix:
            qualifier = qualifier or prefix
        figures.append(Figure(text[start:end], start, end, value, unit, kind, qualifier, scale))
    return figures


def _spaced_numbers(text: str) -> list[Figure]:
    """「5 6 3 0 万吨」 as 5630万吨 (its text as written, spaces and all)."""
    figures = []
    for match in _SPACED.finditer(text):
        scale = match["scale"] or ""
        if not (scale or match["percent"] or match["unit"]):
            continue
        number = float(re.sub(r"\s", "", match["num"]))
        if match["percent"]:
            unit, kind, value = "%", "percent", number
        else:
            unit, kind, value = match["unit"] or "", "number", number * SCALES.get(scale, 1)
        figures.append(Figure(match.group(0), match.start(), match.end(), value, unit, kind, _prefix_qualifier(text, match.start()), scale))
    return figures


def _mixed_numbers(text: str) -> list[Figure]:
    """「4亿5000万元」 as one figure (450000000 元), not 4 and 5000万元."""
    figures = []
    for match in _MIXED.finditer(text):
        value = int(match["a"]) * SCALES["亿"] + int(match["b"]) * SCALES["万"]
        unit = match["unit"] or ""
        figures.append(Figure(match.group(0), match.start(), match.end(), value, unit, "number", _prefix_qualifier(text, match.start()), "亿"))
    return figures


def _dates(text: str) -> list[Figure]:
    figures = []
    for match in _DATE.finditer(text):
        if match["m_only"] and not 1 <= int(match["m_only"]) <= 12:
            continue
        year = match["y"]
        ranged = match["y2"] or match["d2"] or match["d2_only"]
        value = float(year) if year else float(match["m_only"])
        unit = "年" if year and not (match["m"]) else ("日" if (match["d"] or match["d_only"]) else ("月" if not year else "日"))
        figures.append(Figure(match.group(0), match.start(), match.end(), value, unit, "range" if ranged else "date"))
    return _join_date_ranges(text, figures)


def _chinese_dates(text: str) -> list[Figure]:
    """「一九八三年六月」「六月二十五日」 as dates (the year alone, 「一九八三年」, is read with the numerals)."""
    figures = []
    for match in _CN_DATE.finditer(text):
        year = match["y"]
        value = parse_chinese_number(year) if year else parse_chinese_number(match["m_only"])
        unit = "日" if (match["d"] or match["d_only"]) else ("月" if not year else "日")
        figures.append(Figure(match.group(0), match.start(), match.end(), float(value), unit, "date"))
    return figures


def _join_date_ranges(text: str, dates: list[Figure]) -> list[Figure]:
    """「2008年9月3日至9月6日」: two dates joined by 至/到/～ are one range."""
    joined: list[Figure] = []
    for figure in dates:
        if joined and re.fullmatch(_DASH, text[joined[-1].end : figure.start]) and joined[-1].kind in ("date", "range"):
            first = joined.pop()
            joined.append(Figure(text[first.start : figure.end], first.start, figure.end, first.value, first.unit, "range"))
        else:
            joined.append(figure)
    return joined


def _fractions(text: str) -> list[Figure]:
    figures = []
    for match in _FRACTION.finditer(text):
        a, b = int(match["a"]), int(match["b"])
        if b:
            figures.append(Figure(match.group(0), match.start(), match.end(), a / b, "", "fraction"))
    for match in _CN_FRACTION.finditer(text):
        denominator, numerator = parse_chinese_number(match["b"]), parse_chinese_number(match["a"])
        if denominator is None or numerator is None or not denominator:
            continue
        if match["b"] == "百":  # 百分之三十六点九
            figures.append(Figure(match.group(0), match.start(), match.end(), numerator, "%", "percent"))
        else:
            figures.append(Figure(match.group(0), match.start(), match.end(), numerator / denominator, "", "fraction"))
    return figures


def _ordinals(text: str) -> list[Figure]:
    figures = []
    for match in _ORDINAL.finditer(text):
        number = match["num"]
        value = float(number) if number.isdigit() else parse_chinese_number(number)
        if value is not None:
            figures.append(Figure(match.group(0), match.start(), match.end(), value, match["unit"] or "", "ordinal"))
    return figures


def _chinese_numbers(text: str) -> list[Figure]:
    """Chinese numerals count only as quantities: with a unit, or a scale word and no word after."""
    figures = []
    for match in _CN_NUMBER.finditer(text):
        numeral, unit = match["num"], match["unit"] or ""
        if not any(char in _CN_DIGIT or char in _CN_SMALL_UNIT for char in numeral):
            continue  # 「万人」「亿元」：只有量级，没有数
        scale = match["scale"] or ""
        for word in ("万亿", "亿", "万"):
            if not scale and numeral.endswith(word) and len(numeral) > len(word):
                scale = word
                break
        value = parse_chinese_number(numeral)
        if value is None:
            continue
        if match["scale"]:
            value *= SCALES[match["scale"]]
            numeral += match["scale"]
        start, end = match.start(), match.end()
        following = text[end : end + 1]
        has_scale_word = any(char in "十百千万亿" for char in numeral)
        if not unit:
            # 「十七大」「两化融合」「一号工程」：数字后面紧跟别的字，不是数量
            if not has_scale_word or len(numeral) < 2 or _is_cjk(following):
                continue
        elif len(numeral) == 1 and not _unit_is_measure(unit) and not _is_duration(text, unit, end):
            continue
        if start > 0 and text[start - 1] == "第":
            continue  # 序数另行处理
        if unit == "年" and len(numeral) == 4 and all(char in _CN_DIGIT for char in numeral):
            # 「一九六二年」「二〇一二年」：逐位写的年份，是时间，不是「多少年」
            figures.append(Figure(text[start:end], start, end, value, "年", "date"))
            continue
        qualifier = match["approx"] or match["approx2"] or _prefix_qualifier(text, start)
        figures.append(Figure(text[start:end], start, end, value, unit, "number", qualifier, scale))
    return figures


# 单个汉字数字 +「年」「个月」后面跟着这些词，是时长（「用七年时间」「十年内」），不是名称（「三年行动计划」）
_DURATION_AFTER = ("时间", "之内", "以内", "内")


def _is_duration(text: str, unit: str, end: int) -> bool:
    return unit in ("年", "个月") and text.startswith(_DURATION_AFTER, end)


def _unit_is_measure(unit: str) -> bool:
    # 单个汉字数字 +「年」「届」「强」之类多半是名称（「一年」除外也无妨）
    return unit not in {"年", "届", "强", "批", "度", "期", "次", "个"}


def _prefix_qualifier(text: str, start: int) -> str:
    for word in _PREFIX_QUALIFIERS:
        if text.endswith(word, max(0, start - len(word)), start):
            return word
    return ""


def _inside(figure: Figure, spans: list[tuple[int, int]]) -> bool:
    return any(start < figure.start and figure.end < end for start, end in spans)


def _is_cjk(char: str) -> bool:
    return bool(char) and "\u4e00" <= char <= "\u9fff"


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 6)
