"""Question -> what it asks for: the kind of answer, the expected unit, years and places it names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from qa.text.time import document_phrases, find_times, names_a_document, question_times
from qa.text.figures import UNITS
from qa.text.script import to_simplified

# 去掉疑问词后剩下的才是「问的是什么」
_QUESTION_WORDS = re.compile(
    r"请问|请告诉我|告诉我|是多少|有多少|多少|为多少|达到多少|哪几天|是几|有几|几|哪一年|哪年|哪一天|哪天|什么时候|何时|"
    r"哪些|哪个|哪家|哪里|哪儿|何处|什么|甚么|谁|怎样|怎么样|如何|是否|多大|多宽|多长|多高|第几|排名|名次|吗|呢|[？?。！!，,、\s]"
)
_RATE = re.compile(r"增长率|增幅|增速|增长(?:了)?(?:百分之几|多少%|百分之多少|几成)|(?:增长|提高|增加)了?几倍|翻了")
_DIFFERENCE = re.compile(
    r"(?:增加|增长|提高|上升|减少|下降|降低|扩大|缩小|多|少)了(?:多少|几)|(?:相差|差距|差额|差了|差)(?:多少|几)|"
    r"(?:变化|增量|净增|增加值?的?幅度)(?:是|有|为)?多少|(?:增加|增长|提高|上升|减少|下降)(?:多少|几)个百分点|"
    # 写明了比哪一年（「2025年要比2020年增加多少」「与2020年相比……增加多少」）：两年之差
    r"(?:(?:比|较)(?:19|20)\d{2}年[^，,。？?；]{0,20}?|与(?:19|20)\d{2}年相比[，,]?[^。？?；]{0,24}?)"
    r"(?:增加|增长|提高|上升|减少|下降|降低|多|少)了?(?:多少|几)|"
    # 「A比B高多少」「A比B多多少」：两项之差
    r"(?:比|较)[^，,。？?；]{1,30}?(?:高|低|多|少|快|慢)了?(?:多少|几)"
)
# 「率」字问句问的是百分数：「赤字率拟按多少安排」；汇率、频率、功率除外（答案不是百分数）
_PERCENT = re.compile(
    r"比重|占比|比例|百分之几|百分比|百分之多少|多少%|覆盖率|覆盖面(?!积)|普及率|率是|率为|率达|份额|几成|占.*多少|(?<![汇频功])率[^，,。？?；]{0,6}多少"
)
# 问大小、宽窄、长短的，答案是度量（G、太、公里……），不是个数
_MEASURE = re.compile(r"多大|多宽|多长|多高|多重|多远|多深|面积|容量|带宽|长度|里程|空间")
_RANGE = re.compile(r"哪些年|哪几年|起止|期限|从哪一?年")
_APPROXIMATE = re.compile(r"大概|大约|大致|约|左右|估计")
_ORDINAL = re.compile(r"第几|排名|名次|排第|位居|位列|排在")
# 「公元几年」「西元幾年」「几几年」问的是哪一年，不是几年的时长（那是「多少年」「几年时间」）
_YEAR = re.compile(r"哪一年|哪年|何年|什么年份|哪个年份|[公西]元前?几年|几几年")
_DATE = re.compile(r"什么时候|何时|哪[一几]?天|哪几日|几月|几号|日期|哪个月|什么日子|哪些年份|覆盖哪些年|起止")
# 「哪两种发电装机」「哪几家企业」「哪些城市」问的是哪几样东西，不是个数（「哪一年」「哪几天」先由年份、日期认走）
_WHICH_ONES = re.compile(r"哪(?:些|个|家|位|种|类|[一几两二三四五六七八九十]+)(?![年天日月号])")
_AMOUNT = re.compile(r"多少|几|多大|多宽|多长|多高|多重|多久|(?:规模|数量|总量|总额)(?![^，,。？?]*(?:什么|哪|怎样|如何))")
_MONEY_WORDS = re.compile(
    r"资金|收入|产值|金额|投资|利税|经费|多少钱|总值|增加值|交货值|利润|税收|预算|补贴|扶持款|拨款|"
    r"销售额|营业额|成交额|交易额|出口额|进口额|贸易额|营收"
)


class Wants(str, Enum):
    """What kind of answer a question asks for (a str, so it reads and serialises as its value)."""

    RATE = "rate"  # 增长率：由两端算出
    DIFFERENCE = "difference"  # 增加了多少：由两端算出
    YEAR = "year"
    DATE = "date"
    ORDINAL = "ordinal"  # 第几、排名
    PERCENT = "percent"  # 比重、占比
    NUMBER = "number"  # 多少、几
    ENTITY = "entity"  # 哪些、什么、谁：名称或短语

    @classmethod
    def parse(cls, value: str) -> Wants:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"未知的问题类型 {value!r}，可选：{', '.join(w.value for w in cls)}") from None


# 按顺序试，先中先得：「增长了多少」是计算题，不是普通的「多少」
_INTENTS = (
    (_RATE, Wants.RATE),
    (_DIFFERENCE, Wants.DIFFERENCE),
    (_YEAR, Wants.YEAR),
    (_DATE, Wants.DATE),
    (_WHICH_ONES, Wants.ENTITY),
    (_ORDINAL, Wants.ORDINAL),
    (_PERCENT, Wants.PERCENT),
    (_AMOUNT, Wants.NUMBER),
)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class QuestionIntent:
    """What a question asks for."""

    text: str
    wants: Wants
    unit: str | None  # 期望的基本单位（「多少家」→ 家，「资金」→ 元）
    counted: str | None  # 量词后面数的是什么（「多少个单位」→ 单位）
    measure: bool  # 问的是大小、宽窄、长短
    approximate: bool  # 问「大概多少」
    date_unit: str | None  # 问「哪天」要有「日」，问「几月」要有「月」
    wants_range: bool  # 问「哪些年份」「起止」：答案是「2004—2010年」这样的区间
    focus: str  # 紧挨疑问词的词（「表彰了哪些企业」→「表彰企业」）：问的到底是什么
    years: tuple[str, ...]
    content: str  # 去掉疑问词后的问题：用来和原文比对
    unit_named: bool = False  # 单位是问题写明的（「多少亿元」），不是从「资金」「产值」这类词推断的
    base_years: tuple[str, ...] = ()  # years 里作比较基期的（「比2000年增长多少」的 2000）：原文多写作「比上年」

    @property
    def wants_figure(self) -> bool:
        return self.wants != Wants.ENTITY


def analyse_question(question: str) -> QuestionIntent:
    """Classify the question by its question words; no rules tied to particular topics. A question in traditional
    characters is classified by its simplified form (「幾個」 is 「几个」); `text` and `content` keep its own characters."""
    original, question = question, to_simplified(question)
    # 问题写出的年份（「2009中国杭州……博览会」的 2009 也算），加上按点名报告解析的「去年」「过去五年」（区间只记两端）；
    # 点名报告本身的年份不算
    written = [
        match.group(1)
        for match in _YEAR_IN_TEXT.finditer(question)
        if not names_a_document(question, match.end() + (question[match.end() : match.end() + 1] == "年"))
    ]
    resolved = [str(year) for span in question_times(question) for year in (span.start, span.end)]
    years = tuple(dict.fromkeys(written + resolved))
    content = _QUESTION_WORDS.sub(" ", original if original == question else _fold_question_words(original, question))
    # 点名文件的短语决定到哪篇里找（见 Answerer.documents_named），不是答案句里会有的词
    content = _blank(content, document_phrases(question) if len(original) == len(question) else []).strip()
    wants = next((kind for pattern, kind in _INTENTS if pattern.search(question)), Wants.ENTITY)
    unit = _expected_unit(question) if wants in ("number", "difference") else None
    return QuestionIntent(
        original,
        wants,
        unit,
        _counted_noun(question, unit),
        bool(_MEASURE.search(question)),
        bool(_APPROXIMATE.search(question)),
        _date_unit(question),
        bool(_RANGE.search(question)),
        _focus(question),
        years,
        content,
        unit is not None and unit == _named_unit(question),
        tuple(str(m.span.start) for m in find_times(question, None) if m.comparison and not m.relative and str(m.span.start) in years),
    )


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _fold_question_words(original: str, simplified: str) -> str:
    """The original question with its question words blanked where the simplified form has them (same length:
    OpenCC's t2s maps character for character on these texts; otherwise the original is kept whole)."""
    if len(original) != len(simplified):
        return original
    return _blank(original, [match.span() for match in _QUESTION_WORDS.finditer(simplified)])


def _expected_unit(question: str) -> str | None:
    """The measure word right after 多少/几 (「多少家」「几个」「多少人次」), else 元 for money words."""
    named = _named_unit(question)
    if named:
        return named
    if _MONEY_WORDS.search(question):
        return "元"
    return None


def _named_unit(question: str) -> str | None:
    """The measure word written right after 多少/几, if any."""
    match = re.search(r"(?:多少|几)(?:万|亿)?(.{1,4})", question)
    if match:
        following = match.group(1)
        for unit in UNITS:
            if following.startswith(unit) and unit not in ("年", "度", "G", "T", "M"):
                return unit
    return None


def _counted_noun(question: str, unit: str | None) -> str | None:
    """「多少个单位」→「单位」: the noun the measure word counts, which follows the figure in the text."""
    if not unit:
        return None
    match = re.search(rf"(?:多少|几)(?:万|亿)?{re.escape(unit)}([\u4e00-\u9fff]{{2}})", question)
    return match.group(1) if match else None


_WH_WORD = re.compile(r"哪些|哪个|哪家|哪里|哪儿|何处|什么|甚么|谁|怎样|如何|多少|几")


def _focus(question: str) -> str:
    """The words on either side of the question word, without particles."""
    match = _WH_WORD.search(question)
    if not match:
        return ""
    before = re.sub(r"[了的是为有在由]+$", "", question[: match.start()])[-4:]
    after = re.sub(r"^[的个家位名些]", "", question[match.end() :])[:2]
    return re.sub(r"[？?，,。\s]", "", before + after)


def _date_unit(question: str) -> str | None:
    if re.search(r"哪[一几]?天|几号|几日|哪几?日", question):
        return "日"
    if re.search(r"几月|哪个月|哪月", question):
        return "月"
    return None


_FOLLOW_UP = re.compile(r"^(?:那么|那|还有|另外)?(.{0,16}?)(?:呢|怎么样|如何|又是多少|是多少)?[？?。]?$")
_ASKING_TAIL = re.compile(r"(?:是|有|为|达到)?(?:多少|几|哪|什么|谁|怎样|如何).*$")


def resolve_follow_up(question: str, previous: str | None, places_in=lambda text: []) -> str:
    """「那2002年呢？」after a question about 总产值 -> that question, asked about 2002.

    A short question that opens with 那/还有 or ends with 呢 borrows from the previous question:
    a new year or place replaces the old one; a new subject keeps the old year, place and question word.
    Anything else is returned unchanged. `places_in` finds place names (the answerer's POS tagger).
    """
    question = question.strip()
    match = _FOLLOW_UP.match(question)
    opens_like_follow_up = question.startswith(("那", "还有", "另外")) or question.rstrip("？?。").endswith("呢")
    if not previous or len(question) > 20 or not match or not opens_like_follow_up:
        return question
    subject = match.group(1).strip("，, ")
    old_years, old_places = _YEAR_IN_TEXT.findall(previous), places_in(previous)
    new_years, new_places = _YEAR_IN_TEXT.findall(subject), places_in(subject)
    if new_years and subject.rstrip("年度底末") == new_years[0]:
        if old_years:
            return previous.replace(old_years[0], new_years[0], 1)
        return f"{new_years[0]}年{previous}"
    if new_places and subject.rstrip("市省县区") in new_places[0]:
        if old_places:
            return previous.replace(old_places[0], subject, 1)
        return f"{subject}{previous}"
    if not subject:
        return previous
    tail = _ASKING_TAIL.search(previous)
    context = "".join(f"{year}年" for year in old_years[:1]) + "".join(old_places[:1])
    return f"{context}{subject}{tail.group() if tail else '是多少？'}"
