"""Time anchoring: when a document was written, its time expressions, and the years a figure or question is about."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import PurePath

from qa.text.script import to_simplified
from qa.types import Chunk, Published

# 视为年份的四位数范围：「5000年文明」「1000年」是数量，不是年份
EARLIEST_YEAR = 1800
LATEST_YEAR = 2100
# 「本届政府」：政府一届五年；届末的报告（如2013年）回顾的是此前五年
GOVERNMENT_TERM_YEARS = 5
# 文件开头几行里找落款日期（「——2017年3月5日在……会议上」），行太长就是正文
DATELINE_LINES = 8
DATELINE_MAX_CHARS = 60
SENTENCE_ENDS = "。！？\n"
# 「比上年增长」「较2012年」「与去年同期相比」「规模明显大于去年」：比较的基期，不是所述数字的时间
COMPARISON_MARKERS = ("相对于", "比", "较", "与", "同", *(f"{word}于" for word in "高低大小多少快慢好优"), "超过")
# 「在1992年快速增长的基础上」：时间后面、同一分句里的「基础上」
_BASE_AFTER = re.compile(r"[^，,。；;！？\n]{0,16}基础上")
# 句首时间前可以有的介词：「在去年，」「截至2012年底，」
SENTENCE_OPENING_PREPOSITIONS = ("", "在", "到", "至", "截至", "截止", "截止到", "从", "自", "于")
# 也用「“八五”」这类编号、但不是国民经济五年计划的规划：「“八五”普法规划」是2021—2025年
OTHER_NUMBERED_PROGRAMMES = ("普法",)

# 五年计划（规划）的起止年份；1963—1965年是调整时期，不属于任何五年计划
FIVE_YEAR_PLANS: dict[int, tuple[int, int]] = {
    1: (1953, 1957),
    2: (1958, 1962),
    3: (1966, 1970),
    4: (1971, 1975),
    5: (1976, 1980),
    6: (1981, 1985),
    7: (1986, 1990),
    8: (1991, 1995),
    9: (1996, 2000),
    10: (2001, 2005),
    11: (2006, 2010),
    12: (2011, 2015),
    13: (2016, 2020),
    14: (2021, 2025),
    15: (2026, 2030),
}

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
MAX_YEARS_MEANT = 10  # 更长的时段（「改革开放以来」）只记两端：逐年列出会让它匹配每一个年份
_BLANKS = " \t\r\n\u3000\u200b\ufeff\xa0"
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMERAL = "〇零一二两三四五六七八九十百千万"

_ARABIC_YEAR = r"(?<![0-9.])[12][0-9]{3}"
# 「一九八三年」「二〇一二年」：四个数字字，前面不能再接数字字
_CN_YEAR = rf"(?<![{_CN_NUMERAL}])[〇零一二三四五六七八九]{{4}}"
_YEAR = rf"(?:{_ARABIC_YEAR}|{_CN_YEAR})"
_DASH = r"(?:[—–\-－―~～]{1,2}|至|到)"
# 「2012年底」「本年度」「今年上半年」仍是那一年；「2010年初步建成」的「初」不是年初
_YEAR_PART = r"(?:底|末|初(?!步)|度|上半年|下半年)?"

_SINGLE_YEAR = re.compile(rf"(?P<first>{_YEAR})年{_YEAR_PART}")
_YEAR_RANGE = re.compile(rf"(?P<first>{_YEAR})年?{_DASH}(?P<last>{_YEAR})年{_YEAR_PART}")
# 「“十一五”」「十二五时期」「“十五”期间」：不带引号时必须有「时期、规划」之类，否则「十五大」「三五年」都会误中
_PLAN = re.compile(
    r"(?P<open>[“\"「『])?(?<![〇零一二两三四五六七八九十百千])(?P<number>十[一二三四五]?|[一二三四五六七八九])五"
    r"(?![〇零一二两三四五六七八九十])(?P<close>[”\"」』])?"
    r"(?P<part>时期|期间|规划|计划|期末|末期|期初|初期|末|初(?!步))?"
)
# 「第六个五年计划」；「……后的第一个五年计划」的序数是相对的，不算
_ORDINAL_PLAN = re.compile(r"(?<!的)第(?P<number>[一二三四五六七八九十]{1,3})个五年(?:计划|规划)")
# 「过去五年」「五年来」「近五年」「这五年」「五年间」「今后五年」「未来五年」；单说「五年」是数量（「缩短五年」）
_COUNTED_YEARS = re.compile(
    rf"(?P<prefix>过去的?|最近|(?<![将接])近|这|今后|未来)?(?<![{_CN_NUMERAL}0-9])"
    r"(?P<count>[一二两三四五六七八九十]{1,3}|[0-9]{1,2})年(?P<suffix>以来|来|间|中|里)?"
)
_PAST_PREFIXES = {"过去", "过去的", "最近", "近", "这"}
_FUTURE_PREFIXES = {"今后", "未来"}
_PAST_SUFFIXES = {"以来", "来", "间"}
_GOVERNMENT_TERM = re.compile(r"本届政府(?:任期)?")


@dataclass(frozen=True)
class _RelativeWord:
    """A word for a year relative to the document year, or, if anaphoric, to the year just mentioned."""

    pattern: re.Pattern
    offset: int
    anaphoric: bool = False


# 每个词前面的排除字防止跨词误中：「过去年均」「如今年轻」「说明年度」「基本年」「目前年」「以上年龄」「相当年轻」
_RELATIVE_WORDS = (
    _RelativeWord(re.compile(rf"(?<![过失])去年{_YEAR_PART}"), -1),
    _RelativeWord(re.compile(rf"(?<!如)今年(?!均){_YEAR_PART}"), 0),
    _RelativeWord(re.compile(rf"(?<![基资成根日样版读文剧课脚范账原])本年{_YEAR_PART}"), 0),
    _RelativeWord(re.compile(rf"(?<![说表证文声标阐查简发光透聪鲜分清申])明年{_YEAR_PART}"), 1),
    _RelativeWord(re.compile(rf"(?<![目提以之此先空从当眼])前年(?!度){_YEAR_PART}"), -2),
    # 「上年」「当年」指上文说到的那一年的上一年、那一年：「一九八三年……比上年增长」的上年是1982年
    _RelativeWord(re.compile(rf"(?<![以马])上一?年{_YEAR_PART}"), -1, anaphoric=True),
    _RelativeWord(re.compile(rf"(?<![相应担])当年{_YEAR_PART}"), 0, anaphoric=True),
)

_DATE = (
    rf"(?P<year>{_YEAR})年(?P<month>[0-9]{{1,2}}|[一二三四五六七八九十]{{1,2}})月"
    r"(?P<day>[0-9]{1,2}|[一二三四五六七八九十]{1,3})日"
)
_DATELINE = re.compile(rf"^[—\-－―(（【\[]*{_DATE}")
_CLOSING_DATE = re.compile(rf"^[(（]?{_DATE}[)）]?$")
_DATE_AT_START = re.compile(_DATE)
_FILENAME_YEAR = re.compile(r"(?<![0-9A-Za-z])(?P<year>1[89][0-9]{2}|20[0-9]{2}|2100)(?![0-9A-Za-z])")
_SENTENCE_PUNCTUATION = "，。；：！？,;:!?"
_BOOK_TITLE = re.compile(r"《[^《》\n]*》")


@dataclass(frozen=True)
class TimeSpan:
    """A span of whole years, both ends included; a single year has start == end."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"TimeSpan starts after it ends: {self.start} > {self.end}")

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.start}年"
        return f"{self.start}—{self.end}年"

    def contains(self, other: TimeSpan) -> bool:
        """Whether every year of `other` is in this span."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: TimeSpan) -> bool:
        """Whether the two spans share at least one year."""
        return self.start <= other.end and other.start <= self.end


# 回顾一年的文件体裁：标题里的年份是它所说的那一年（政府工作报告、规划的标题年份则是写作之年）。
# 「工作总结」不在内：年终总结多写于当年年底
RETROSPECTIVE_GENRES = ("统计公报", "年鉴", "年报", "年度报告", "主要指标", "经济指标", "统计数据", "决算")


@dataclass(frozen=True)
class TimeMention:
    """A time expression at characters [start, end) of a text, resolved to the years it means."""

    text: str
    start: int
    end: int
    span: TimeSpan
    relative: bool  # 「去年」「过去五年」依赖文档年份；「2012年」「“十一五”」不依赖
    comparison: bool = False  # 「比上年」「较2012年」：比较的基期


def document_year(title: str, text: str, filename: str = "", published: int | None = None) -> int | None:
    """The year a document was written: the year it was published when that is known (qa.indexing.dates), else
    from its title, else a dateline near its start or end, else its file name. A title that reviews a year
    (「2022年国民经济和社会发展统计公报」, 「…年鉴」, 「…主要经济指标」) names the year it covers; such a document is written
    the year after, so its own figures for that year are results, not plans."""
    if published is not None:
        return published
    lines = _lines(text)
    if not title.strip(_BLANKS) and lines:
        title = lines[0]
    for year in (
        title_written_year(title),
        _dateline_year(lines[:DATELINE_LINES], _DATELINE),
        _dateline_year(lines[-DATELINE_LINES:], _CLOSING_DATE),
        filename_year(filename),
    ):
        if year is not None:
            return year
    return None


def document_years(chunks: list[Chunk], published: dict[str, int] | None = None) -> dict[str, int | None]:
    """The year each document was written: the year it was published (`published`, by file name) where known,
    else from its title, its opening lines (its first chunk) or its file name."""
    published = published or {}
    first: dict[str, Chunk] = {}
    for chunk in chunks:
        if chunk.doc not in first or chunk.start < first[chunk.doc].start:
            first[chunk.doc] = chunk
    return {doc: document_year(chunk.title, chunk.text, doc, published.get(doc)) for doc, chunk in first.items()}


def published_years(entries: dict[str, dict]) -> dict[str, int]:
    """The publication year of each document whose manifest entry records one (an older index records none)."""
    years = {}
    for doc, entry in entries.items():
        published = Published.from_dict(entry.get("published"))
        if published is not None:
            years[doc] = published.year
    return years


def title_written_year(title: str) -> int | None:
    """The year a title says its document was written: the one year it names, plus one for a genre that reviews
    that year (RETROSPECTIVE_GENRES); None when it names no single year."""
    covered = _title_year(title)
    if covered is not None and any(genre in to_simplified(title) for genre in RETROSPECTIVE_GENRES):  # 「年報」是年报
        return covered + 1
    return covered


def opening_dateline(text: str) -> tuple[int, int, int] | None:
    """The date line among a document's first lines (「（2024年1月10日）」「——2017年3月5日在……会议上」) as
    (year, month, day); the latest when there are several, None when there is none or it is no real date."""
    dates = [_match_date(match) for match in _dateline_matches(_lines(text)[:DATELINE_LINES], _DATELINE)]
    dates = [found for found in dates if found is not None]
    return max(dates) if dates else None


def written_date(text: str) -> tuple[int, int, int] | None:
    """The date written at the start of `text` (「2024年1月10日」「二〇二四年一月十日」) as (year, month, day), if real."""
    match = _DATE_AT_START.match(text.translate(_FULLWIDTH_DIGITS))
    return _match_date(match) if match else None


def years_meant(text: str, doc_year: int | None) -> list[int]:
    """The years that the text's unwritten times stand for (「去年」 in a 2013 report: 2012; 「过去五年」: 2008–2012;
    「“十三五”时期」: 2016–2020), in order, so a search for 「2012年」 finds them. Written years are not repeated,
    comparison bases (「比上年」) are left out, and a span longer than MAX_YEARS_MEANT gives only its two ends."""
    years: list[int] = []
    for mention in find_times(text, doc_year):
        span = mention.span
        if mention.comparison or str(span.start) in mention.text:
            continue
        wide = span.end - span.start + 1 > MAX_YEARS_MEANT
        for year in (span.start, span.end) if wide else range(span.start, span.end + 1):
            if year not in years:
                years.append(year)
    return years


def find_times(text: str, doc_year: int | None, section_year: int | None = None) -> list[TimeMention]:
    """Every time expression in the text, left to right, without overlaps; relative ones only if they resolve.
    `section_year`: the year the text's section heading names (「一、2016年工作回顾」), which 「上年」 and 「当年」
    refer to when their paragraph names no year before them."""
    normalized = text.translate(_FULLWIDTH_DIGITS)  # 「１９９３年」：逐字替换，偏移不变
    candidates = (
        _absolute_candidates(normalized) + _plan_candidates(normalized) + _relative_candidates(normalized, doc_year)
    )
    candidates.sort(key=lambda candidate: (candidate[0], -(candidate[1] - candidate[0])))
    mentions: list[TimeMention] = []
    anchors: list[TimeMention] = []  # 能给「上年」「当年」作参照的：不是比较基期、本身也不是照应词
    last_end = 0
    for start, end, span, relative, anaphora in candidates:
        if start < last_end:
            continue
        comparison = _is_comparison_base(normalized, start, end)
        if anaphora is not None:
            span = _resolve_anaphora(normalized, start, anaphora, anchors, doc_year, comparison, section_year)
        if span is None:
            continue
        mention = TimeMention(text[start:end], start, end, span, relative, comparison)
        mentions.append(mention)
        if anaphora is None and not mention.comparison:
            anchors.append(mention)
        last_end = end
    return mentions


# 「2013年政府工作报告」「2007年统计公报」里的年份是文件的名字，不是问题问的时间
# 年份之后、文件名之内的文字：「2013年」+「政府工作报告」
_DOCUMENT_NAME = r"[^\d，。？！?,；;]{0,16}?(?:报告|公报|年鉴|白皮书|规划纲要)"
DOCUMENT_NAME_AFTER_YEAR = re.compile("^" + _DOCUMENT_NAME)


def names_a_document(text: str, end: int) -> bool:
    """Whether the year mention ending at `end` is part of a document's name (「2013年政府工作报告」)."""
    return bool(DOCUMENT_NAME_AFTER_YEAR.match(text[end:]))


# 点名文件的整个短语：「根据2012年政府工作报告，」「在2013年政府工作报告里」
_DOCUMENT_PHRASE = re.compile(rf"(?:根据|按照|依据|据|在|从)?\d{{4}}年{_DOCUMENT_NAME}(?:中|里|里面|上)?[，,]?")


def document_phrases(question: str) -> list[tuple[int, int]]:
    """Spans of the phrases that name a document (「根据2012年政府工作报告，」): they say where to look, not what."""
    return [match.span() for match in _DOCUMENT_PHRASE.finditer(question)]


def named_document_years(question: str) -> set[int]:
    """Years of the documents a question names (「根据2002年政府工作报告」 → {2002})."""
    return {
        mention.span.start
        for mention in find_times(question, None)
        if not mention.relative and mention.span.start == mention.span.end and names_a_document(question, mention.end)
    }


def question_times(question: str) -> list[TimeSpan]:
    """The years and ranges a question asks about, in order, without repeats. Years that name a document
    (「根据2002年政府工作报告」) are not asked about, but they anchor the question's 去年/今年/过去五年; without
    such a document those words are skipped."""
    named = named_document_years(question)
    anchor = next(iter(named)) if len(named) == 1 else None
    spans: list[TimeSpan] = []
    for mention in find_times(question, anchor):
        if names_a_document(question, mention.end) or (mention.relative and anchor is None):
            continue
        if mention.span not in spans:
            spans.append(mention.span)
    return spans


def resolve_label(mention: TimeMention) -> str:
    """How to cite a mention: 「去年（2012年）」 for relative ones, the text itself for absolute ones."""
    if mention.relative:
        return f"{mention.text}（{mention.span}）"
    return mention.text


def sentence_time(
    text: str, position: int, doc_year: int | None, paragraph_start: int = 0, section_year: int | None = None
) -> TimeSpan | None:
    """The time governing a position: the nearest mention before it in its sentence, else in its paragraph."""
    mention = governing_mention(text, position, doc_year, paragraph_start, section_year)
    return mention.span if mention else None


def governing_mention(
    text: str, position: int, doc_year: int | None, paragraph_start: int = 0, section_year: int | None = None
) -> TimeMention | None:
    """The mention behind `sentence_time`, with offsets into `text` (for citing 「去年（2012年）」)."""
    begin = max(paragraph_start, text.rfind("\n", 0, position) + 1)
    # 句末之前的文字都交给 find_times，让「十二五时期」这类词看得到后文
    stop = position
    while stop < len(text) and text[stop] not in SENTENCE_ENDS:
        stop += 1
    window = text[begin:stop]
    titles = [match.span() for match in _BOOK_TITLE.finditer(window)]
    sentence_start = _sentence_start(window, position - begin)
    for mention in reversed(find_times(window, doc_year, section_year)):
        if begin + mention.end > position or mention.comparison:
            continue
        # 《……(2004—2010年)》里的年份是文件名的一部分，不是这句话的时间
        if any(left <= mention.start < right for left, right in titles):
            continue
        # 前面句子里的时间只有开句的（「去年，」「1999年，」）管到后文；句中的（「北京赢得了2008年奥运会举办权」）只管本句
        if mention.start < sentence_start and not opens_sentence(window, mention.start):
            continue
        # 先在本句里找，找不到再往前到段首：两者都是「段内、位置之前最近的一个」
        return TimeMention(
            mention.text, begin + mention.start, begin + mention.end, mention.span, mention.relative, mention.comparison
        )
    return None


def _sentence_start(text: str, position: int) -> int:
    """Where the sentence that holds `position` begins."""
    return max(text.rfind(end, 0, position) for end in SENTENCE_ENDS) + 1


def opens_sentence(text: str, start: int) -> bool:
    """Whether a time mention at `start` opens its sentence (after at most a preposition: 「在」「截至」「从」)."""
    return text[_sentence_start(text, start) : start].strip(_BLANKS + "—") in SENTENCE_OPENING_PREPOSITIONS


# 候选：(start, end, span, relative, anaphora)；anaphora 是「上年」「当年」的年份差，要等上文定了再解析
_Candidate = tuple[int, int, TimeSpan | None, bool, int | None]


def _absolute_candidates(text: str) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for match in _YEAR_RANGE.finditer(text):
        first, last = _year_value(match["first"]), _year_value(match["last"])
        if first is not None and last is not None and first < last:
            candidates.append((match.start(), match.end(), TimeSpan(first, last), False, None))
    for match in _SINGLE_YEAR.finditer(text):
        year = _year_value(match["first"])
        if year is not None:
            candidates.append((match.start(), match.end(), TimeSpan(year, year), False, None))
    return candidates


def _plan_candidates(text: str) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for match in _PLAN.finditer(text):
        quoted = bool(match["open"]) and bool(match["close"])
        if not (quoted or match["part"]) or text.startswith(OTHER_NUMBERED_PROGRAMMES, match.end()):
            continue
        number = _small_number(match["number"])
        if number not in FIVE_YEAR_PLANS:
            continue
        first, last = FIVE_YEAR_PLANS[number]
        part = match["part"] or ""
        # 「“十一五”期末」是末年，「“十二五”初」是首年
        if part in ("末", "期末", "末期"):
            first = last
        elif part in ("初", "期初", "初期"):
            last = first
        start = match.start("open") if quoted else match.start("number")
        candidates.append((start, match.end(), TimeSpan(first, last), False, None))
    for match in _ORDINAL_PLAN.finditer(text):
        number = _small_number(match["number"])
        if number in FIVE_YEAR_PLANS:
            candidates.append((match.start(), match.end(), TimeSpan(*FIVE_YEAR_PLANS[number]), False, None))
    return candidates


def _relative_candidates(text: str, doc_year: int | None) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for word in _RELATIVE_WORDS:
        for match in word.pattern.finditer(text):
            if word.anaphoric:
                candidates.append((match.start(), match.end(), None, True, word.offset))
            elif doc_year is not None:
                year = doc_year + word.offset
                candidates.append((match.start(), match.end(), TimeSpan(year, year), True, None))
    if doc_year is None:
        return candidates
    for match in _COUNTED_YEARS.finditer(text):
        span = _counted_span(match, doc_year)
        if span is not None:
            candidates.append((match.start(), match.end(), span, True, None))
    for match in _GOVERNMENT_TERM.finditer(text):
        span = TimeSpan(doc_year - GOVERNMENT_TERM_YEARS, doc_year - 1)
        candidates.append((match.start(), match.end(), span, True, None))
    return candidates


def _counted_span(match: re.Match, doc_year: int) -> TimeSpan | None:
    """「过去五年」→ the five years before the document year; 「今后五年」→ five years from it; else None."""
    count = _small_number(match["count"])
    prefix, suffix = match["prefix"], match["suffix"]
    if count is None or count < 1:
        return None
    # 「这一年」指上文说的某一年，不是去年
    if prefix == "这" and count == 1:
        return None
    if prefix in _FUTURE_PREFIXES and suffix not in _PAST_SUFFIXES:
        return TimeSpan(doc_year, doc_year + count - 1)
    if prefix in _PAST_PREFIXES or (prefix is None and suffix in _PAST_SUFFIXES):
        return TimeSpan(doc_year - count, doc_year - 1)
    return None


def _resolve_anaphora(
    text: str,
    start: int,
    offset: int,
    anchors: list[TimeMention],
    doc_year: int | None,
    comparison: bool,
    section_year: int | None = None,
) -> TimeSpan | None:
    """「上年」「当年」: relative to the last year named earlier in the paragraph, else to the year of the section
    heading; without either, 上年 is 去年."""
    paragraph_begin = text.rfind("\n", 0, start) + 1
    if anchors and anchors[-1].start >= paragraph_begin:
        anchor = anchors[-1].span
        if anchor.start != anchor.end:
            return None  # 上文是一段年份，「当年」指哪一年说不准
        return TimeSpan(anchor.start + offset, anchor.start + offset)
    # 「一、2016年工作回顾」下的「工业企业利润由上年下降2.3%」：上年是2015年，不是报告年份的去年
    if section_year is not None:
        return TimeSpan(section_year + offset, section_year + offset)
    # 没有上文时：「上年全市……」就是去年；但回顾部分的「全年……比上年增长」比的是前年，「当年」也说不准是哪年
    if doc_year is None or offset >= 0 or comparison:
        return None
    return TimeSpan(doc_year + offset, doc_year + offset)


def _is_comparison_base(text: str, start: int, end: int) -> bool:
    """「比上年」「较2012年」, and the background of 「在1992年快速增长的基础上，1993年……」: a base, not the time spoken of."""
    before = text[:start].rstrip(_BLANKS)
    return before.endswith(COMPARISON_MARKERS) or (before.endswith("在") and bool(_BASE_AFTER.match(text, end)))


@lru_cache(maxsize=4096)
def section_year(section_path: tuple[str, ...], doc_year: int | None) -> int | None:
    """The one year the innermost heading that names a time speaks of (「一、2016年工作回顾」: 2016; 「今年工作」 in a
    2017 report: 2017); None when that heading names a span of years (「过去五年工作回顾」) or several."""
    return single_year(heading_times(section_path, doc_year))


def single_year(spans: frozenset[TimeSpan]) -> int | None:
    """The year when `spans` is one span of one year, else None."""
    span = next(iter(spans)) if len(spans) == 1 else None
    return span.start if span is not None and span.start == span.end else None


def heading_times(section_path: tuple[str, ...], doc_year: int | None) -> frozenset[TimeSpan]:
    """The years and spans the innermost heading that names a time speaks of (「二、“十三五”时期发展成就和“十四五”时期
    主要目标任务」: 2016–2020 and 2021–2025), comparison bases left out; empty when no heading names one."""
    for heading in reversed(section_path):
        spans = frozenset(mention.span for mention in find_times(heading, doc_year) if not mention.comparison)
        if spans:
            return spans
    return frozenset()


def _title_year(title: str) -> int | None:
    spans = {mention.span for mention in find_times(title, None)}
    if len(spans) != 1:
        return None  # 没有年份，或有好几个、有一段年份（「规划（2004—2010年）」）：标题说不准
    span = spans.pop()
    return span.start if span.start == span.end else None


def _dateline_year(lines: list[str], dateline: re.Pattern) -> int | None:
    years = [_year_value(match["year"]) for match in _dateline_matches(lines, dateline)]
    years = [year for year in years if year is not None]
    return max(years) if years else None


def _dateline_matches(lines: list[str], dateline: re.Pattern) -> list[re.Match]:
    """The lines that are a date line (a date, then at most 「在……会议上」), matched on their half-width digits."""
    matches = []
    for line in lines:
        match = dateline.match(line.translate(_FULLWIDTH_DIGITS))
        if not match or len(line) > DATELINE_MAX_CHARS:
            continue
        # 落款后面至多是「在……会议上」；「2008年9月3日至9月6日，……将举办」是正文
        rest = line[match.end() :]
        if any(mark in rest for mark in _SENTENCE_PUNCTUATION) or re.match(_DASH, rest):
            continue
        matches.append(match)
    return matches


def _lines(text: str) -> list[str]:
    """The text's non-empty lines, without surrounding blanks."""
    return [line for line in (line.strip(_BLANKS) for line in text.splitlines()) if line]


def _match_date(match: re.Match) -> tuple[int, int, int] | None:
    """(year, month, day) of a `_DATE` match; None for a day no calendar has (「2023年2月30日」)."""
    year, month, day = _year_value(match["year"]), _small_number(match["month"]), _small_number(match["day"])
    if year is None or month is None or day is None:
        return None
    try:
        date(year, month, day)
    except ValueError:
        return None
    return year, month, day


def filename_year(filename: str) -> int | None:
    """The one plausible year a file name names (「青溪市2022年报.pdf」: 2022), else None."""
    name = PurePath(filename).name.translate(_FULLWIDTH_DIGITS) if filename else ""
    years = {int(match["year"]) for match in _FILENAME_YEAR.finditer(name)}
    years |= {span.start for span in {m.span for m in find_times(name, None)} if span.start == span.end}
    years = {year for year in years if EARLIEST_YEAR <= year <= LATEST_YEAR}
    return years.pop() if len(years) == 1 else None


def _year_value(digits: str) -> int | None:
    """「2012」「二〇一二」→ 2012, if it is a plausible year."""
    if digits.isascii():
        year = int(digits)
    else:
        year = int("".join(str(_CN_DIGITS[char]) for char in digits))
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None


def _small_number(numeral: str) -> int | None:
    """「5」「五」「十」「十一」「二十」「三十五」→ the number; any other form → None."""
    if numeral.isdigit():
        return int(numeral)
    if len(numeral) == 1:
        return 10 if numeral == "十" else _CN_DIGITS.get(numeral)
    tens, ten, ones = numeral.partition("十")
    if not ten or (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
        return None
    value = (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return value if value >= 10 else None
