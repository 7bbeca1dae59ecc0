"""Computed answers: a change whose both ends the passages give (as a difference or a rate), and the year before a
figure whose increase the text gives; always shown with the formula and the figures it came from."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from qa.indexing.chunk import sentence_spans
from qa.reading.candidates import CHANGE_ASKED_BY_VERB, FigureCandidate, time_record
from qa.reading.compute import (
    change_pair,
    compute,
    previous_year_value,
    standalone_change,
    total,
    year_before,
)
from qa.reading.evidence import places_are_subject
from qa.reading.intent import QuestionIntent, Wants, analyse_question
from qa.reading.reader import governing_time
from qa.reading.records import citation_of, shown
from qa.reading.terms import QuestionTerms, overlap, suffix_match
from qa.text.time import TimeMention, TimeSpan, resolve_label, section_year
from qa.text.bigrams import bigrams
from qa.text.clauses import last_year_range, leading_time, windows
from qa.text.figures import Figure, find_figures
from qa.text.plans import without_mood_words
from qa.types import Answer, Hit

# 计算题（两端相减、由下一年推上一年）选哪两个数：指标名紧挨在数字前面，比整句的重合更能区分同一段里的几个指标
CHANGE_WEIGHTS = {"label_overlap": 3.0, "sentence_overlap": 0.5, "suffix_match": 0.3, "rank_prior": 0.3}
# 「A比B高多少」：两项之差；「A和B合计多少」：两项之和（A 从分句开头算起）
_ITEMS_COMPARED = re.compile(r"(?P<a>[^，,。？?；：:]+?)(?:比|较)(?P<b>[^，,。？?；：:]+?)(?:高|低|多|少|快|慢|大|小)了?(?:多少|几)")
_ITEMS_ADDED = re.compile(
    r"(?P<a>[^，,。？?；：:]+?)(?:和|与|及|以及|、)(?P<b>[^，,。？?；：:和与及、]+?)(?:两项|二者|两者)?"
    r"(?:合计|共计|总计|加起来|之和|合起来)"
)
# 「比上年」「比2020年」比的是时间，不是另一项
_TIME_ONLY = re.compile(r"(?:上年|去年|前一年|上一年|同期|上年同期|(?:19|20)\d{2}年(?:末|底|初)?)(?:同期)?")
_LEADING_TIME = re.compile(r"(?:(?:19|20)\d{2}年(?:至|到)?)+")
# 低于这个分数的数字对与问题对不上，不拿来计算（在种子与报告开发题上，0.75–1.0 都在平台上；取中间）
MIN_CHANGE_SCORE = 0.85
# 「补贴资金从2007年的639亿元」：指标名在「从／由」和起点的时间前面；末尾相同的字只在指标名里数（年份谁都会写）
_CHANGE_OPENING = re.compile(r"(?:由|从)(?:[0-9０-９〇一二三四五六七八九]{4}\s*年(?:末|底|初)?的?)?$")


def change_answer(intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms) -> Answer | None:
    """「……由389亿元增长至1464.85亿元」 asked 「增加了多少」 or 「增长了百分之几」: the difference or the rate."""
    best = None
    for hit in hits:
        chunk = hit.chunk
        for start, end in sentence_spans(chunk.text, 0, len(chunk.text)):
            sentence = chunk.text[start:end]
            figures = find_figures(sentence)
            for position in range(len(figures) - 1):
                pair = change_pair(sentence, figures, position)
                if pair is None:
                    continue
                before, after = pair
                # 指标名在「从2007年末的」前面：量到上一个数量为止，中间的日期不算边界
                quantities = [figure for figure in figures if figure.is_quantity]
                left, _ = windows(sentence, quantities, quantities.index(before))
                if intent.unit and before.unit != intent.unit and not (intent.unit == "个百分点" and before.kind == "percent"):
                    continue
                # 指标名紧挨在「由」前面，比整句的重合更能区分同一段里的几个指标
                score = change_score(terms, left, sentence, hit) + CHANGE_WEIGHTS["suffix_match"] * suffix_match(
                    _CHANGE_OPENING.sub("", left), intent.content
                )
                span = last_year_range(chunk.text[:start] + sentence)
                years = set(span.groups()) if span else set()
                if intent.years and years and not set(intent.years) <= years:
                    continue
                if best is None or score > best[0]:
                    best = (score, hit, start, end, before, after, left)
    if best is None or best[0] < MIN_CHANGE_SCORE:
        return None
    score, hit, start, end, before, after, left = best
    sentence = hit.chunk.text[start:end]
    result = compute(intent.wants, before, after)
    if result is None:
        return None
    result_text, formula, value, unit = result
    change_span = sentence[before.start - len(left) : after.end]
    lead = leading_time(sentence, before.start - len(left))
    verb = "增长" if intent.wants == "rate" else ("增加" if after.value >= before.value else "减少")
    answer_text = f"{lead}{change_span}，{verb}了{result_text}（{formula}）。[1]"
    citation = citation_of(hit.chunk, hit.chunk.start + start, hit.chunk.start + end)
    figures = (
        {"text": result_text, "value": value, "unit": unit, "computed": True, "formula": formula},
        before.as_dict(),
        after.as_dict(),
    )
    return Answer(intent.text, answer_text, False, figures, (citation,), tuple(hits), span=result_text)


@dataclass(frozen=True)
class _Timed:
    """A quantity of a retrieved sentence; the time that governs it is worked out only when asked for."""

    hit: Hit
    start: int  # 句子在段落里的起止
    end: int
    quantities: list[Figure]
    position: int
    doc_year: int | None

    @property
    def figure(self) -> Figure:
        return self.quantities[self.position]

    @property
    def sentence(self) -> str:
        return self.hit.chunk.text[self.start : self.end]

    @cached_property
    def mention(self) -> TimeMention | None:
        return governing_time(self.hit, self.start + self.figure.start, self.doc_year)

    @cached_property
    def time(self) -> TimeSpan | None:
        """The time in its paragraph that governs it, else its heading's (「首先报告２００１年的工作」)."""
        if self.mention:
            return self.mention.span
        heading_year = section_year(self.hit.chunk.section_path, self.doc_year)
        return TimeSpan(heading_year, heading_year) if heading_year else None


def _quantities(hits: list[Hit], document_years: dict[str, int | None]) -> list[_Timed]:
    """Every quantity of the passages' sentences."""
    found = []
    for hit in hits:
        chunk = hit.chunk
        for start, end in sentence_spans(chunk.text, 0, len(chunk.text)):
            quantities = [figure for figure in find_figures(chunk.text[start:end]) if figure.is_quantity]
            found += [_Timed(hit, start, end, quantities, position, document_years.get(chunk.doc)) for position in range(len(quantities))]
    return found


def previous_year_answer(
    intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms, document_years: dict[str, int | None]
) -> Answer | None:
    """「2000年全国普通高校招生多少人？」 from 「（2001年）全国普通高校招生268万人，比上年增加48万人」: 220万人,
    computed and shown with its formula. Only from a figure whose governing time is the year after the one asked; the
    change may stand in a sentence of its own (「就业预期目标比去年多100万人」) when its level is written elsewhere in
    the same document for the same year (「城镇新增就业1100万人以上」)."""
    asked = int(intent.years[0])
    following = TimeSpan(asked + 1, asked + 1)
    quantities = _quantities(hits, document_years)
    best = None
    for item in quantities:
        derived = previous_year_value(item.sentence, item.quantities, item.position)
        if derived is None or (intent.unit and item.figure.unit != intent.unit) or item.time != following:
            continue
        left, _ = windows(item.sentence, item.quantities, item.position)
        score = change_score(terms, left, item.sentence, item.hit)
        subject = places_are_subject(intent.text, left + item.figure.text, item.sentence, item.hit.chunk)
        if score >= MIN_CHANGE_SCORE and subject and (best is None or score > best[0]):
            best = (score, item, derived, None)
    if best is None:
        best = _apart_from_its_level(intent, quantities, following, terms)
    if best is None:
        return None
    _, level, (result, formula, value, unit, change), change_item = best
    mention = level.mention
    basis = f"{resolve_label(mention)}，" if mention else f"{asked + 1}年，"
    time = time_record(mention) if mention and mention.relative else None
    quoted = [level] if change_item is None else [level, change_item]
    sentences = "；".join(f"{item.sentence.rstrip('。；;，, ')}[{number}]" for number, item in enumerate(quoted, start=1))
    answer_text = f"{asked}年为{result}（{formula}）。依据：{basis}{sentences}。"
    citations = tuple(
        citation_of(item.hit.chunk, item.hit.chunk.start + item.start, item.hit.chunk.start + item.end, time if item is level else None)
        for item in quoted
    )
    figures = ({"text": result, "value": value, "unit": unit, "computed": True, "formula": formula}, level.figure.as_dict(), change.as_dict())
    return Answer(intent.text, answer_text, False, figures, citations, tuple(hits), span=result)


def _apart_from_its_level(intent: QuestionIntent, quantities: list[_Timed], following: TimeSpan, terms: QuestionTerms):
    """(score, level, derived, change) for a change on the year before written in a sentence of its own
    (「就业预期目标比去年多100万人」) and the level of the same thing, year and unit in another sentence of the same
    document (「城镇新增就业1100万人以上」): what changed and the level's words must share a word, and the question
    must match the level as it would a figure it asks for."""
    best = None
    for change_item in quantities:
        standalone = standalone_change(change_item.sentence, change_item.quantities, change_item.position)
        if standalone is None or change_item.time != following:
            continue
        subject, verb = standalone
        words = set(bigrams(subject))
        for level in quantities:
            if level.hit.chunk.doc != change_item.hit.chunk.doc or level.sentence == change_item.sentence:
                continue
            if intent.unit and level.figure.unit != intent.unit:
                continue
            derived = year_before(level.figure, change_item.figure, verb)
            left, _ = windows(level.sentence, level.quantities, level.position)
            if derived is None or not words & set(bigrams(left)) or level.time != following:
                continue
            score = change_score(terms, left, level.sentence, level.hit) + CHANGE_WEIGHTS["label_overlap"] * overlap(terms, subject)
            if score >= MIN_CHANGE_SCORE and (best is None or score > best[0]):
                best = (score, level, derived, change_item)
    return best


def parts_answer(
    intent: QuestionIntent, operation: str, first: FigureCandidate, second: FigureCandidate, hits: list[Hit], confidence: float, band: str
) -> Answer | None:
    """The answer from the two figures of a question's parts (`question_parts`), both quoted, with the formula:
    「按规划，2025年……要比2020年增加多少？」 (a target and its base year), 「A比B高多少个百分点」, 「A和B合计多少」."""
    if operation == "sum":
        result = total(first.figure, second.figure)
        verb = "合计"
    else:
        # change：第二个（后一年）减第一个；difference：第一项减第二项
        before, after = (first, second) if operation == "change" else (second, first)
        wants = intent.wants if operation == "change" else Wants.DIFFERENCE
        result = compute(wants, before.figure, after.figure)
        higher = after.figure.value >= before.figure.value
        verb = ("增长了" if wants == Wants.RATE else ("增加了" if higher else "减少了")) if operation == "change" else ("高" if higher else "低")
    if result is None:
        return None
    result_text, formula, value, unit = result
    quoted = "；".join(f"{end.phrase.rstrip('。；;，, ')}[{number}]" for number, end in enumerate((first, second), start=1))
    answer_text = shown(f"{quoted}。{verb}{result_text}（{formula}）。", band)
    citations = tuple(citation_of(end.hit.chunk, *end.quote, end.time) for end in (first, second))
    figures = (
        {"text": result_text, "value": value, "unit": unit, "computed": True, "formula": formula},
        first.figure.as_dict(),
        second.figure.as_dict(),
    )
    return Answer(intent.text, answer_text, False, figures, citations, tuple(hits), result_text, confidence, None, band)


@dataclass(frozen=True)
class Parts:
    """A question whose answer combines two figures asked about separately: `operation` is "change" (the second,
    later one minus the first), "difference" (the first minus the second: 「A比B高多少」) or "sum" (「A和B合计多少」)."""

    operation: str
    questions: tuple[QuestionIntent, QuestionIntent]


def question_parts(intent: QuestionIntent) -> Parts | None:
    """The two figures a question combines: two items compared or added (「A比B高多少个百分点」「A和B合计多少」), else,
    for a change, the two years it names (「2025年……要比2020年增加多少」); None for a question about one figure."""
    text = intent.text
    compared = _ITEMS_COMPARED.search(text)
    if compared and intent.wants in (Wants.DIFFERENCE, Wants.RATE) and not _TIME_ONLY.fullmatch(compared["b"]):
        return Parts("difference", _item_questions(intent, text[: compared.start("a")], compared["a"], compared["b"], shared=False))
    added = _ITEMS_ADDED.search(text)
    if added and intent.wants == Wants.NUMBER:
        return Parts("sum", _item_questions(intent, text[: added.start("a")], added["a"], added["b"], shared=True))
    if intent.wants in (Wants.DIFFERENCE, Wants.RATE) and len(set(intent.years)) == 2:
        years = sorted(set(intent.years), key=int)
        return Parts("change", (end_question(intent, years[0]), end_question(intent, years[1])))
    return None


def _item_questions(
    intent: QuestionIntent, opening: str, first: str, second: str, shared: bool
) -> tuple[QuestionIntent, QuestionIntent]:
    """The two questions about the items, each with the question's opening (its clauses before the items). Items added
    share their modifiers: 「2017年计划减少的企业税负和涉企收费」 asks about 「2017年计划减少的涉企收费」, 「杭州和宁波的常住人口」
    about 「杭州的常住人口」; items compared are whole (「农村居民人均纯收入的年均增速比城镇居民……的年均增速」)."""
    if shared and "的" in first and "的" not in second:
        second = first[: first.rfind("的") + 1] + second
    elif shared and "的" in second and "的" not in first:
        first = first + second[second.find("的") :]
    elif not (_LEADING_TIME.match(second) or "年" in opening):
        second = (_LEADING_TIME.match(first) or [""])[0] + second
    percent = "百分点" in intent.text or intent.unit == "%"
    unit = f"多少{intent.unit}" if intent.unit_named and not percent else "多少"
    wants = Wants.PERCENT if percent else Wants.NUMBER
    first_question, second_question = (analyse_question(f"{opening}{item}是{unit}？") for item in (first, second))
    return replace(first_question, wants=wants), replace(second_question, wants=wants)


def end_question(intent: QuestionIntent, year: str) -> QuestionIntent:
    """The question about one end of a change between two years: the other year, the comparison and the change words
    taken out (「2025年……要比2020年增加多少」 → 「2025年……要是多少」); the earlier end is asked as a result."""
    years = "|".join(intent.years)
    text = re.sub(rf"(?:与|同)(?:{years})年相比[，,]?|(?:比|较)(?:{years})年|(?:{years})年(?:到|至)?", "", intent.text)
    text = f"{year}年" + CHANGE_ASKED_BY_VERB.sub("是多少", text)
    if int(year) == min(map(int, intent.years)):
        text = without_mood_words(text)
    return replace(analyse_question(text), years=(year,))


def change_score(terms: QuestionTerms, label: str, sentence: str, hit: Hit) -> float:
    """How well a computed answer's inputs match the question: the words right before the figure count most."""
    return (
        CHANGE_WEIGHTS["label_overlap"] * overlap(terms, label)
        + CHANGE_WEIGHTS["sentence_overlap"] * overlap(terms, sentence)
        + CHANGE_WEIGHTS["rank_prior"] / hit.rank
    )
