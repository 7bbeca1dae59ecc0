"""Where a figure sits in its sentence: clause bounds, neighbouring words, the time and year it belongs to."""
from __future__ import annotations

import re

from qa.text.figures import Figure, find_figures, parse_chinese_number

CLAUSE_BREAK = re.compile(r"[，,；;：:。！？!?（）()\n]")
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})年?(?:至|到|—|-|～|~)((?:19|20)\d{2})年")
# 句子说到的年份，比较的基期除外：「汽车21.5辆，比2007年增加15.5辆」说的不是2007年的汽车
_SENTENCE_YEAR = re.compile(r"(?<![比较与同])(?<!相对于)(?<!\d)((?:19|20)\d{2})年")
_OWN_YEAR = re.compile(r"((?:19|20)\d{2})年(?:度)?(?:的|底|末|初)?$")
# 「已由五十年代的50%左右，上升到80%以上」：老报告用年代说时间（二十世纪的年代）
_OWN_DECADE = re.compile(r"(?:上世纪|上个世纪|二十世纪)?([二三四五六七八九]十|[2-9]0)年代(?:初|末|中期|初期|末期)?(?:的)?$")


SENTENCE_MARKS = "。！？\n"


def sentence_around(text: str, position: int) -> tuple[int, int]:
    """[start, end) of the sentence holding a position; the end includes its closing mark."""
    start = max(text.rfind(mark, 0, position) for mark in SENTENCE_MARKS) + 1
    ends = [i for i in (text.find(mark, position) for mark in SENTENCE_MARKS) if i >= 0]
    return start, (min(ends) + 1 if ends else len(text))


def clause_breaks(sentence: str) -> list[int]:
    """Positions of clause punctuation; brackets count only around figures (「(其中……120.44万户)」, not 「(市)」)."""
    breaks = []
    for match in CLAUSE_BREAK.finditer(sentence):
        char, position = match.group(), match.start()
        if char in "(（":
            close = re.search(r"[)）]", sentence[position:])
            inner = sentence[position : position + close.start()] if close else sentence[position:]
            if not re.search(r"\d", inner):
                continue
        elif char in ")）":
            open_at = max(sentence.rfind("(", 0, position), sentence.rfind("（", 0, position))
            if open_at < 0 or not re.search(r"\d", sentence[open_at:position]):
                continue
        breaks.append(position)
    return breaks


def clause_bounds(sentence: str, figure: Figure | None, start: int = 0) -> tuple[int, int]:
    """The clause around a figure (or starting at `start`): between clause punctuation, figures included."""
    breaks = clause_breaks(sentence)
    if figure is not None:
        before = [position for position in breaks if position < figure.start]
        start = before[-1] + 1 if before else 0
        search_from = figure.end
    else:
        search_from = start
    after = [position for position in breaks if position >= search_from]
    end = after[0] if after else len(sentence)
    return start, max(start, end)


# 「A和B分别增长8.8%、9.9%」：「分别」前列了几项，后面就列几个数，一一对应
_RESPECTIVELY = "分别"
_LIST_JOINERS = r"、|以及|和|与|及"
_LISTED_ITEMS = re.compile(_LIST_JOINERS)
_BETWEEN_LISTED_FIGURES = re.compile(rf"^\s*(?:{_LIST_JOINERS})\s*$")
# 「第一、二、三产业增加值」：前几项只写了序数，说明写在最后一项里
_SHORT_ITEM = 2


def respective_label(sentence: str, clause_start: int, clause_end: int, figures: list[Figure], figure: Figure) -> str | None:
    """What a listed figure is a figure of, when a clause lists as many items as figures: the item at its place,
    with the words between 「分别」 and the figures (「城镇居民人均可支配收入和农村居民人均纯收入年均分别增长8.8%、9.9%」:
    9.9% is 「农村居民人均纯收入年均增长」). The items may stand right before the figures without 「分别」
    (「城镇和农村人均住房面积32.9平方米、37.1平方米」), or, when 「分别」 opens its clause, in the clause before
    (「……，分别比2007年增加2.8平方米和5.5平方米」). None when items and figures do not pair up one to one."""
    at = sentence.find(_RESPECTIVELY, clause_start, clause_end)
    if at >= 0 and at < figure.start:
        listed = [f for f in figures if at < f.start < clause_end and f.is_quantity]
        run = _listed_run(sentence, listed, listed[0] if listed else figure)
        items_text, words = sentence[clause_start:at], sentence[at + len(_RESPECTIVELY) : run[0].start]
        if not _LISTED_ITEMS.search(items_text):
            items_text = _previous_clause_subject(sentence, clause_start, figures)
    else:
        listed = [f for f in figures if clause_start <= f.start < clause_end and f.is_quantity]
        run = _listed_run(sentence, listed, figure)
        items_text, words = sentence[clause_start : run[0].start], ""
    if len(run) < 2 or figure not in run:
        return None
    items = [item for item in _LISTED_ITEMS.split(items_text) if item.strip()]
    if len(items) != len(run):
        return None
    place = run.index(figure)
    item = items[place]
    if place < len(items) - 1 and all(len(other) <= _SHORT_ITEM for other in items[:-1]) and len(items[-1]) > _SHORT_ITEM:
        item += items[-1][len(items[-2]) :]  # 「第一」+「产业增加值」，「城镇」+「人均住房面积」
    return item + words


def _listed_run(sentence: str, listed: list[Figure], member: Figure) -> list[Figure]:
    """The figures of `listed` joined only by 「、」「和」… that include `member` (just [member] when none is)."""
    runs: list[list[Figure]] = []
    for figure in listed:
        if runs and _BETWEEN_LISTED_FIGURES.match(sentence[runs[-1][-1].end : figure.start]):
            runs[-1].append(figure)
        else:
            runs.append([figure])
    return next((run for run in runs if member in run), [member])


def _previous_clause_subject(sentence: str, clause_start: int, figures: list[Figure]) -> str:
    """The words that open the clause before `clause_start`, up to its first amount (the items a following
    「分别」 refers to)."""
    breaks = [position for position in clause_breaks(sentence) if position < clause_start - 1]
    start = breaks[-1] + 1 if breaks else 0
    first = next((f for f in figures if start <= f.start < clause_start and f.is_quantity), None)
    return sentence[start : first.start] if first else ""


def windows(sentence: str, figures: list[Figure], position: int) -> tuple[str, str]:
    """Text right before and after a figure, up to the clause edge or the neighbouring figure."""
    figure = figures[position]
    left_edge = figures[position - 1].end if position else 0
    right_edge = figures[position + 1].start if position + 1 < len(figures) else len(sentence)
    left = sentence[left_edge : figure.start]
    right = sentence[figure.end : right_edge]
    left = CLAUSE_BREAK.split(left)[-1]
    right = CLAUSE_BREAK.split(right)[0]
    return left, right


def leading_time(sentence: str, phrase_start: int) -> str:
    """「至2007年底，」: a short opening clause with a date applies to the whole sentence."""
    first = CLAUSE_BREAK.split(sentence, maxsplit=1)[0]
    if phrase_start <= len(first) or len(first) > 14 or not first:
        return ""
    if any(f.kind in ("date", "range") for f in find_figures(first)):
        return first + "，"
    return ""


def previous_quantity_end(figures: list[Figure], position: int) -> int:
    """Where the quantity before the figure at `position` ends (0 if none). Dates are skipped: a year is a figure
    too, and 「从2007年的248亿美元」 puts 「从」 and the year 2007 in front of 248, before any other amount."""
    before = [figure for figure in figures[:position] if figure.is_quantity]
    return before[-1].end if before else 0


def figure_years(sentence: str, figures: list[Figure], position: int, text_before: str) -> set[str]:
    """The year(s) a figure belongs to: its own 「2002年的」, its end of a 由…至 range, or the sentence's (a year
    of an earlier sentence only governs when it opens that sentence: see qa.text.time.governing_mention)."""
    own = own_years(sentence, figures, position, text_before)
    if own:
        return own
    return set(_SENTENCE_YEAR.findall(sentence))


def own_years(sentence: str, figures: list[Figure], position: int, text_before: str) -> set[str]:
    """The year a figure's own words name right before it (「2002年的1200元」, the 至 end of 「由2002年…至2007年…」),
    or the ten of a decade (「五十年代的50%」); empty when only the sentence around it names years."""
    figure = figures[position]
    before = sentence[previous_quantity_end(figures, position) : figure.start]
    own = _OWN_YEAR.search(before)
    if own:
        return {own.group(1)}
    decade = _OWN_DECADE.search(before)
    if decade:
        tens = decade.group(1)
        first = 1900 + int(tens if tens.isdigit() else parse_chinese_number(tens))
        return {str(year) for year in range(first, first + 10)}
    span = last_year_range(text_before + sentence[: figure.start])
    if span:
        if re.search(r"(?:由|从)(?:不足|约|近)?$", before):
            return {span.group(1)}
        if re.search(r"(?:至|到)$", before):
            return {span.group(2)}
    return set()


def last_year_range(text: str) -> re.Match | None:
    """The latest 「2002年至2007年」 in the paragraph so far: later 由…至 figures refer to it."""
    paragraph = text[text.rfind("\n") + 1 :]
    matches = list(_YEAR_RANGE.finditer(paragraph))
    return matches[-1] if matches else None


def breakdown_context(sentence: str, clause_start: int, text_before: str) -> str:
    """The total a 「其中……」 breakdown refers to: the text before 其中, in this sentence or the last one.
    The later items of a breakdown split by semicolons (「其中，A类x条；B类y条」's B) refer to the same total."""
    marker = sentence.rfind("其中", 0, clause_start + 2)
    if marker < 0:
        opened_at = max(text_before.rfind(end) for end in "。！？\n") + 1
        marker = text_before.rfind("其中", opened_at)
        if marker < 0:
            return ""
        sentence, text_before, marker = text_before[opened_at:], text_before[:opened_at], marker - opened_at
    total = sentence[:marker].rstrip("，,；;:： ")
    if not total:
        total = text_before.rstrip("。！？；;\n ")
    return re.split(r"[。！？；;\n]", total)[-1]


# 「其中」之后、下一个「；」或句末之前，是总数的分项
_BREAKDOWN_END = re.compile(r"[；;。！？\n]")
_ITEM_LEAD = re.compile(r"^[，,、：:\s]*(?:其中)?[，,、：:\s]*")
MIN_ITEM_LABEL_CHARS = 2


def breakdown_items(sentence: str, figures: list[Figure], position: int) -> list[str]:
    """The labels of the parts that break down the figure at `position` when a 「其中」 follows it before any other
    figure: 「总计283个，其中，市级机关63个，区、县(市)220个」 → ["市级机关", "区、县(市)"]. A label is the text
    between the previous figure or clause start and the part's figure."""
    figure = figures[position]
    following = figures[position + 1 :]
    marker = sentence.find("其中", figure.end)
    if marker < 0 or (following and following[0].start < marker):
        return []
    end = _BREAKDOWN_END.search(sentence, marker)
    stop = end.start() if end else len(sentence)
    labels, left = [], marker
    for part in following:
        if part.start >= stop:
            break
        label = _ITEM_LEAD.sub("", sentence[left : part.start]).strip("，,、 ")
        if part.unit == figure.unit and len(label) >= MIN_ITEM_LABEL_CHARS:
            labels.append(label)
        left = part.end
    return labels


# 「粮食、棉花、原油……等三十多种主要产品」：紧跟在列举（「、」隔开，「等」收尾）后面的数，数的是列举了几样
_ENUMERATION_BEFORE = re.compile(r"([^，,；;：:。！？!?\n]+、[^，,；;：:。！？!?\n]+)等等?(?:共|在内的)?$")


def enumerated_items(sentence: str, figure: Figure) -> list[str]:
    """The listed items a count right after 「……等」 counts: 「粮食、棉花、原油等三十多种主要产品」 → ["粮食", "棉花",
    "原油"] for 「三十多种」 (the first item keeps whatever words open its clause). [] for any other figure."""
    before = sentence[: figure.start]
    # 列举不跨分句：只看数字所在分句的开头到它（正则不必在整句上回溯）
    clause = before[max(before.rfind(mark) for mark in "，,；;：:。！？!?\n") + 1 :]
    match = _ENUMERATION_BEFORE.search(clause)
    if not match:
        return []
    return [item.strip() for item in match[1].split("、") if item.strip()]
