"""Figure candidates: every figure of the retrieved passages that could answer the question, with its clause, its
time, its plan-or-actual wording and the named features the figure ranker weighs."""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from qa.indexing.chunk import sentence_spans
from qa.reading.intent import QuestionIntent
from qa.reading.reader import governing_time
from qa.reading.terms import QuestionTerms, overlap, precision, suffix_match
from qa.text.time import TimeMention, find_times, opens_sentence, resolve_label, section_year
from qa.text.bigrams import bigrams
from qa.text.clauses import (
    CLAUSE_BREAK,
    breakdown_context,
    breakdown_items,
    clause_bounds,
    enumerated_items,
    figure_years,
    leading_time,
    own_years,
    previous_quantity_end,
    respective_label,
    windows,
)
from qa.text.figures import (
    COUNT_UNITS,
    MEASURE_UNITS,
    PERSON_UNITS,
    Figure,
    find_figures,
)
from qa.text.plans import Mood, figure_mood, question_mood, section_mood, without_mood_words
from qa.text.script import to_half_width
from qa.types import Chunk, Hit

# 问题里有这些词，百分数（增速、涨幅）才可能是「多少」的答案
ASKS_CHANGE = re.compile(r"增长|增加|提高|上升|上涨|涨|升|降|跌|减少|回落|增速|增幅|变化|变动")
# 说变化的动词与名词：下面几种说法都由它们拼成
CHANGE_VERBS = ("增长", "增加", "提高", "上升", "上涨", "下降", "下跌", "减少", "降低", "回落")
CHANGE_NOUNS = ("增速", "增幅", "涨幅", "降幅", "增长率")
# 问题问的是变化量（「比上年增长了多少」「增速是多少」），不是「增长到多少」的总量
# （CHANGE_ASKED_BY_VERB：动词加问数的说法，计算题把它换成「是多少」去问一端）
CHANGE_ASKED_BY_VERB = re.compile(rf"(?:{'|'.join(CHANGE_VERBS)}|涨|多|少|(?<![参附])加)了?(?:百分之几|多少个百分点|多少|几成|几)")
# 比一个时间多（少）了多少，中间夹着别的动词：「外汇储备比上年末多攒了多少」「比去年少交了多少税」
_COMPARED_WITH_EARLIER = r"(?:比|较)(?:上年|去年|上一年|前一年|(?:19|20)\d{2}年)(?:末|底|同期)?[^，,。？?]{0,6}?(?:多少|几)"
ASKS_FOR_CHANGE = re.compile("|".join((CHANGE_ASKED_BY_VERB.pattern, _COMPARED_WITH_EARLIER, *CHANGE_NOUNS)))
# 说变化的字眼：比较的基期、变化的动词。问「国内生产总值比上年增长了多少」时「比上年增长」哪个增速都对得上，
# 说的是哪个指标要看其余的词（measure_overlap）；分句除了它们只剩数字时，说的是前一分句的指标（_label_text）
CHANGE_WORDS = ("比上年", "比去年", "较上年", "上年同期", "同比", "年均", "平均每年", *CHANGE_NOUNS, *CHANGE_VERBS)  # 「增长率」先于「增长」
_CHANGE_GRAMS = frozenset(gram for word in CHANGE_WORDS for gram in bigrams(word))
_CHANGE_WORDING = re.compile("|".join((r"(?:比|较)(?:19|20)\d{2}年", *CHANGE_WORDS)))
# 原文把这个数写成变化量：紧挨在「增长」「减少」这类动词或「增速为」之后；「增长到」「达到」之后的是总量
_WRITTEN_AS_CHANGE = re.compile(
    rf"(?:(?:{'|'.join(CHANGE_VERBS)}|增|降)了?|(?:{'|'.join(CHANGE_NOUNS)})(?:为|是|达到?)?)(?:约|近|超过|逾|达)?$"
)
_NOT_A_RANK = {"次", "届", "期", "批", "季度", "个"}  # 「第一次」「第二届」是次序，不是名次
# 两个数说的是同一件事（计划数与实际数）：去掉时间和计划、结果词后，一个的说明字二元组全在另一个里，且至少这么多个
# （「增长」一个二元组什么都对得上）
MIN_MEASURE_BIGRAMS = 3


@dataclass(frozen=True)
class FigureCandidate:
    """One figure of a retrieved passage as a possible answer (offsets: `quote` in the document, `figure` in its
    sentence, `sentence_offset` of that sentence in the chunk)."""

    hit: Hit
    quote: tuple[int, int]  # 引用的句子在文档里的偏移
    figure: Figure
    phrase: str  # 回答用的分句（数字在前时带括号说明）
    sentence_offset: int
    mood: Mood = Mood.UNSAID  # 分句说它是计划（目标）还是实际数（qa.text.plans）
    time: dict | None = None  # 相对时间的解析，写进引用（「去年（2012年）」）
    own_year_conflict: bool = False  # 数字自己的分句写明是另一年（「2006年的1200元」问2007年）
    part_named: str = ""  # 这个数是总数，问题问的是它「其中」的这一项
    level_before: bool = False  # 计划里「由420元提高到450元」的起点：定计划时已有的水平，属于计划年份的上一年
    features: dict[str, float] = field(default_factory=dict)  # 排序模型的具名特征

    @property
    def start(self) -> int:
        """The figure's start in its chunk's text."""
        return self.sentence_offset + self.figure.start

    @property
    def end(self) -> int:
        return self.sentence_offset + self.figure.end

    @property
    def place(self) -> str:
        """Where the figure is written: its document and offset there (the same for its copy in an overlapping chunk)."""
        return f"{self.hit.chunk.doc}@{self.hit.chunk.start + self.start}"


def passage_sentences(hits: list[Hit], terms: QuestionTerms) -> Iterator[tuple[Hit, int, str, float]]:
    """(hit, sentence start in the chunk, sentence, overlap of the sentence and section path with the question)."""
    for hit in hits:
        chunk = hit.chunk
        for start, end in sentence_spans(chunk.text, 0, len(chunk.text)):
            sentence = chunk.text[start:end]
            yield hit, start, sentence, overlap(terms, sentence + " ".join(chunk.section_path))


def figure_candidates(
    intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms, document_years: dict[str, int | None]
) -> list[FigureCandidate]:
    """Every figure of the passages whose kind can answer the question, in text order."""
    candidates = [
        candidate
        for hit, start, sentence, sentence_score in passage_sentences(hits, terms)
        for candidate in _sentence_candidates(intent, hit, sentence, start, terms, sentence_score, document_years)
    ]
    # 问题与整段的语义相似度（检索的向量分）：换了说法的问题字面重合少，意思仍然相近。还没有向量的段落（后台嵌入中）
    # 取检索到的段落的平均分，不因此吃亏；一段向量分也没有时（只用 BM25 检索）不给，排序模型用拟合时的平均值
    known = [hit.dense_score for hit in hits if hit.dense_score is not None]
    if known:
        neutral = sum(known) / len(known)
        for candidate in candidates:
            score = candidate.hit.dense_score
            candidate.features["passage_similarity"] = neutral if score is None else score
    return candidates


def _sentence_candidates(intent, hit, sentence, offset, terms, sentence_overlap, document_years):
    figures = find_figures(sentence)
    span = (hit.chunk.start + offset, hit.chunk.start + offset + len(sentence))
    text_before = hit.chunk.text[:offset]
    asked_mood = question_mood(intent.text)
    asks_change = bool(ASKS_FOR_CHANGE.search(intent.text))
    for position, figure in enumerate(figures):
        fit = kind_fit(intent, figure)
        if fit is None:
            continue
        clause_start, clause_end = clause_bounds(sentence, figure)
        left, right = windows(sentence, figures, position)
        respective = respective_label(sentence, clause_start, clause_end, figures, figure)
        if respective:
            left = respective  # 「A和B分别增长8.8%、9.9%」：紧挨着9.9%的只有「、」，说它的是B
        # 相对时间（「去年」「过去五年」）按文档年份解析；其余沿用句内的年份线索
        year = document_years.get(hit.chunk.doc)
        mention = governing_time(hit, offset + figure.start, year)
        if mention is not None and _governs_another_figure(sentence, figures, position, mention.start - offset):
            mention = None
        time = None
        if mention is not None and mention.relative and year:
            years = _years_of(mention)
            time = time_record(mention)
        else:
            years = figure_years(sentence, figures, position, text_before)
            if not years and mention is not None:
                years = _years_of(mention)
        own = own_years(sentence, figures, position, text_before)
        if not own and mention is not None and mention.start >= offset:
            at = mention.start - offset
            if at >= clause_start or opens_sentence(sentence, at):
                # 管着它的时间写在它自己的分句里，或开句（「去年，城镇新增就业12.66万人」的「去年」）：和分句自己写的年份
                # 一样明确。句中别的分句里的年份（「部署启动面向2030年的……项目，……新设6个……」）不算，只进特征
                own = _years_of(mention)
        # 计划还是实际看分句的措辞，不看年份：回顾去年的公报、年报、新闻稿写的是实际数。日期、名次无所谓计划
        mood = figure_mood(hit.chunk.text, offset + figure.start, offset + figure.end, headings_mood(hit.chunk, document_years)) if figure.is_quantity else Mood.UNSAID
        # 变化的终点可以在下一个分句（「已由五十年代的50%左右，上升到80%以上」）：看到下一个数为止
        following = figures[position + 1].start if position + 1 < len(figures) else len(sentence)
        starts_change = _is_change_start(sentence[clause_start : figure.start], sentence[figure.end : following])
        level_before = starts_change and mood == Mood.PLAN
        if level_before:
            # 「今年……城乡居民医保财政补助由每人每年420元提高到450元」：450元是目标，420元是去年已有的水平
            mood = Mood.UNSAID
            years, own = _year_before(years), _year_before(own)
        matched = bool(intent.years and years and years & set(intent.years))
        label = respective or _label_text(sentence, figures, figure, clause_start, clause_end, text_before)
        people = terms.counts_people and not intent.unit and not intent.measure and figure.kind == "number"
        features = {
            "label_overlap": overlap(terms, label),
            # 问变化时，不算说变化的字眼，指标名对不对得上
            "measure_overlap": overlap(terms, label, _CHANGE_GRAMS) if asks_change else 0.0,
            "adjacent_overlap": overlap(terms, left + right),
            "adjacent_precision": precision(left, intent.content),
            "sentence_overlap": sentence_overlap,
            "rank_prior": 1.0 / hit.rank,
            "kind_fit": fit,
            "person_unit_match": float(people and figure.unit in PERSON_UNITS),
            "person_unit_mismatch": float(people and figure.unit not in PERSON_UNITS),
            "approximate_qualifier": float(bool(intent.approximate and figure.qualifier)),
            "counted_follows": float(bool(intent.counted) and sentence.startswith(intent.counted, figure.end)),
            "suffix_match": float(suffix_match(left, intent.content)),
            "year_match": float(matched),
            "year_mismatch": float(bool(intent.years and years and not matched)),
            "plan_for_actual": float(mood == Mood.PLAN and asked_mood == Mood.UNSAID),  # 问题没说问计划，分句说这是计划
            # 问题里已经写着这个数（「2008年……」问的年份本身）：它是条件，多半不是答案
            "echoes_question": float(to_half_width(figure.text) in to_half_width(intent.text)),
            **_change_fit(intent, sentence[clause_start : figure.start]),
            "change_from": float(starts_change),
            **_unit_fit(intent, figure),
        }
        phrase, lead_start = figure_phrase(sentence, figures, figure, clause_start, clause_end, text_before)
        quote = (hit.chunk.start + lead_start, span[1]) if lead_start is not None else span
        items = breakdown_items(sentence, figures, position)
        # 总数与分项：「202家，其中示范企业88家，试点企业114家」；问题点名某一项时总数另有否决（part_named）
        features["breakdown_total"] = float(bool(items))
        features["breakdown_part"] = float(bool(breakdown_context(sentence, clause_start, text_before)))
        part = "" if names_every_item(intent.text, items) else next((label for label in items if label in intent.text), "")
        if not part and figure.unit in COUNT_UNITS and not (intent.unit and same_unit(figure.unit, intent.unit)):
            # 「原油……等三十多种主要产品产量」：问原油（没问「多少种」），这个数数的是列举了几样，不是原油的量
            part = next((item for item in enumerated_items(sentence, figure) if item in intent.text), "")
        own_conflict = bool(intent.years and own and not own & set(intent.years))  # 问的年份不在它自己那句说的年份里
        yield FigureCandidate(hit, quote, figure, phrase, offset, mood, time, own_conflict, part, level_before, features)


def names_every_item(question: str, items: list[str]) -> bool:
    """Whether a question names every part of a breakdown, and so the total: 「示范、试点企业」 names both 「示范企业」
    and 「试点企业」 (each part's own words, what is left of it without the words all parts end with)."""
    shared = len(os.path.commonprefix([item[::-1] for item in items])) if len(items) > 1 else 0
    heads = [item[: len(item) - shared] for item in items]
    return len(items) > 1 and all(head and head in question for head in heads)


def _governs_another_figure(sentence: str, figures: list[Figure], position: int, at: int) -> bool:
    """Whether a time inside the sentence, not at its opening, is followed by another quantity before this figure:
    the time is that quantity's (「由上年下降2.3%转为增长8.5%」: 上年 is 2.3%'s, not 8.5%'s)."""
    return 0 <= at < previous_quantity_end(figures, position) and not opens_sentence(sentence, at)


def _year_before(years: set[str]) -> set[str]:
    return {str(int(year) - 1) for year in years}


def _years_of(mention: TimeMention) -> set[str]:
    """Every year a time mention spans, as the strings questions name them."""
    return {str(year) for year in range(mention.span.start, mention.span.end + 1)}


def headings_mood(chunk: Chunk, document_years: dict[str, int | None]) -> Mood:
    """What a chunk's headings say of its figures: a review (results), a list of tasks (plans), or nothing."""
    doc_year = document_years.get(chunk.doc)
    return section_mood(chunk.section_path, section_year(chunk.section_path, doc_year), doc_year)


# 数人的量词可以互答：「多少位新专家」答「29人」（「人次」数的是次数，不算）
_PEOPLE = frozenset({"人", "名", "位"})


def same_unit(written: str, asked: str) -> bool:
    """Whether a figure's unit answers the unit a question asks in: the same, 「个」 for any counted thing, or any
    word that counts people for another (人, 名, 位)."""
    return written == asked or (written == "个" and asked in COUNT_UNITS) or (written in _PEOPLE and asked in _PEOPLE)


def _unit_fit(intent: QuestionIntent, figure: Figure) -> dict[str, float]:
    """Whether a quantity's unit is the one the question asks in (「利税是多少」: 元), another one (1085家), or the
    question names none; apart from `kind_fit`, so that the fit can weigh a unit that is plainly wrong on its own."""
    if not intent.unit or figure.kind not in ("number",) or not figure.unit:
        return {"unit_match": 0.0, "unit_mismatch": 0.0}
    same = same_unit(figure.unit, intent.unit)
    return {"unit_match": float(same), "unit_mismatch": float(not same)}


# 「由45.9%提高到52.6%」「由每人每年420元提高到450元」的起点：问「达到多少」「是多少」要的多半是终点
_CHANGE_START_BEFORE = re.compile(r"(?:由|从)[^，,；;。由从]{0,8}$")
_CHANGE_END_AFTER = re.compile(r"(?:到|至)")


def _is_change_start(before: str, after: str) -> bool:
    """Whether the figure is the start of a 由…到 change in its clause (45.9% of 「由45.9%提高到52.6%」)."""
    return bool(_CHANGE_START_BEFORE.search(before.rstrip()) and _CHANGE_END_AFTER.search(after))


def _change_fit(intent: QuestionIntent, before: str) -> dict[str, float]:
    """Whether a question that asks for a change (「比上年增长了多少」) meets a figure written as a change
    (「比上年增长7.3%」) or as a level (「达到95933亿元」), or a question that asks for a level meets a change
    (「财政收入是多少」 and 「增加2400亿元」)."""
    as_change = bool(_WRITTEN_AS_CHANGE.search(before.rstrip()))
    if not ASKS_FOR_CHANGE.search(intent.text):
        return {"change_written": 0.0, "level_written": 0.0, "change_unasked": float(as_change)}
    return {"change_written": float(as_change), "level_written": float(not as_change), "change_unasked": 0.0}


def _label_text(sentence: str, figures: list[Figure], figure: Figure, clause_start: int, clause_end: int, text_before: str) -> str:
    """What the figure is a figure of: its clause, the clause before when it stands alone, the total of a breakdown.
    (A figure of a 「分别」 list is its own item's: `respective_label`.)"""
    clause = sentence[clause_start:clause_end]
    label_text = clause
    if figure.kind in ("date", "range"):
        label_text = sentence  # 「5月26日，由……主办的……论坛在杭州举行」：日期管整句
    elif len(_CHANGE_WORDING.sub("", clause.replace(figure.text, "", 1))) < 4:
        # 数字自成一个分句：说明在前一分句（「业务类信息53146条，占50.4%」「国内生产总值达到95933亿元，比上年增长7.3%」）；
        # 句首的看后一分句（「9月3日至9月6日，第二届……」）
        previous = CLAUSE_BREAK.split(sentence[:clause_start].rstrip("，,；;（("))[-1]
        if previous:
            label_text = previous + clause
        else:
            next_start, next_end = clause_bounds(sentence, None, clause_end + 1)
            label_text = clause + sentence[next_start:next_end]
    # 「……202家，其中示范企业88家」：分项继承总数的说明，再靠紧挨着的词区分
    return breakdown_context(sentence, clause_start, text_before) + label_text


def figure_phrase(
    sentence: str, figures: list[Figure], figure: Figure, clause_start: int, clause_end: int, text_before: str
) -> tuple[str, int | None]:
    """(the answering clause, where the cited quote must start when its opening time comes from before the
    sentence); when the clause holds several quantities, the chosen figure goes first."""
    clause = sentence[clause_start:clause_end].strip("，,；;、 ")
    # 分号前的「至2007年底，」也管到分号后面
    full_sentence_start = max(text_before.rfind(mark) for mark in "。！？\n") + 1
    head = text_before[full_sentence_start:]
    lead = leading_time(head + sentence, len(head) + clause_start)
    lead_start = full_sentence_start if lead and head else None
    quantities = [f for f in figures if clause_start <= f.start < clause_end and f.is_quantity]
    if len(quantities) > 1 or (figure.kind in ("date", "range") and len(clause) > len(figure.text) + 30):
        return f"{figure.text}（{lead}{clause}）", lead_start
    return lead + clause, lead_start


def time_record(mention) -> dict:
    """A resolved relative time as the citation shows it: {"text": "去年", "label": "去年（2012年）", ...}."""
    return {"text": mention.text, "label": resolve_label(mention), "start": mention.span.start, "end": mention.span.end}


def kind_fit(intent: QuestionIntent, figure: Figure) -> float | None:
    """How well a figure's kind fits the question; None when it cannot be the answer."""
    wants = intent.wants
    if wants in ("number", "difference", "rate"):
        if figure.kind in ("date", "range", "ordinal", "fraction"):
            return None
        if figure.kind == "percent":
            if intent.unit_named and intent.unit not in ("%", "个百分点"):
                return None  # 问题写明「多少亿元」「多少人」，百分数答不上（「产值增长了多少」可以是百分数）
            if wants == "number" and not ASKS_CHANGE.search(intent.text):
                return None  # 问「国内生产总值是多少」要的是总量；「年均增长9.3%」只回答「增长了多少」
            return -0.6 if wants == "number" else 0.0
        if intent.unit:
            if figure.unit != intent.unit and figure.unit == "个":
                return 0.0 if intent.unit in COUNT_UNITS else -0.5  # 「个」是通用量词：「多少处」可以是「283个」
            return 0.5 if same_unit(figure.unit, intent.unit) else -0.5
        if intent.measure:
            return 0.5 if figure.unit in MEASURE_UNITS else (-0.5 if figure.unit in COUNT_UNITS | PERSON_UNITS else 0.0)
        return 0.2 if figure.unit else -0.8
    if wants == "percent":
        return {"percent": 0.5, "fraction": 0.2}.get(figure.kind)
    if wants == "ordinal":
        if figure.kind != "ordinal":
            return None
        counter = _ordinal_counter(intent.text)
        if counter is not None:
            return 0.5 if figure.unit == counter else None  # 问「第几次」答「第九次」，不答「第4名」
        return 0.5 if figure.unit not in _NOT_A_RANK else None
    if figure.kind == "date" and figure.text.isdigit():
        return None  # 「2009中国杭州……」里的年份是名称的一部分
    if wants == "year":
        if figure.kind in ("date", "range"):
            return 0.5 if figure.unit == "年" else 0.2
        return None
    if wants == "date":
        if figure.kind not in ("date", "range"):
            return None
        if intent.wants_range:
            return 0.7 if figure.kind == "range" else 0.0
        if intent.date_unit and intent.date_unit not in figure.text:
            return None  # 问「哪天」，「2009年」答不上
        return 0.5 if "日" in figure.text else 0.2
    return None


def _ordinal_counter(question: str) -> str | None:
    """The counter of a 「第几次」「第几届」 question (an order of events, not a rank), else None."""
    match = re.search(r"第几", question)
    if match is None:
        return None
    rest = question[match.end() :]
    return next((counter for counter in sorted(_NOT_A_RANK, key=len, reverse=True) if rest.startswith(counter)), None)


# ---- 计划数与它的实际数 ---------------------------------------------------------


class Placed(NamedTuple):
    """A figure where it stands (its start in its chunk's text) and what its wording makes it."""

    hit: Hit
    start: int
    figure: Figure
    mood: Mood


def placed(candidate: FigureCandidate) -> Placed:
    return Placed(candidate.hit, candidate.start, candidate.figure, candidate.mood)


def actuals_for(plan: Placed, others: list[Placed], document_years: dict[str, int | None]) -> list[int]:
    """Which of `others` (in their order) state the actual figure of what the plan figure plans: a result its own
    sentence states beside it (「计划新建3000个，实际建成3260个」; not a 「其中」 part), or a figure that is no plan and
    measures the same thing by the same words, times and plan words aside (「去年……城镇新增就业12.66万人」 for the
    target 「今年……城镇新增就业9万人以上」 of the year before)."""
    text = plan.hit.chunk.text
    sentence = full_sentence_start(text, plan.start)
    measure = _measure_words(plan, document_years)
    found = []
    for index, other in enumerate(others):
        same_kind = (other.figure.kind, other.figure.unit) == (plan.figure.kind, plan.figure.unit)
        if other.mood == Mood.PLAN or not same_kind:
            continue
        if other.hit.chunk.id == plan.hit.chunk.id and full_sentence_start(text, other.start) == sentence:
            between = text[min(plan.start, other.start) : max(plan.start, other.start)]
            if other.mood == Mood.ACTUAL and "其中" not in between:
                found.append(index)
            continue
        words = _measure_words(other, document_years)
        if min(len(words), len(measure)) >= MIN_MEASURE_BIGRAMS and (words <= measure or measure <= words):
            found.append(index)
    return found


def _measure_words(placed: Placed, document_years: dict[str, int | None]) -> frozenset[str]:
    """What a figure measures: the bigrams of its clause up to the figure, without times, plan and result words."""
    text = placed.hit.chunk.text
    start = max((match.end() for match in CLAUSE_BREAK.finditer(text, 0, placed.start)), default=0)
    label = text[start : placed.start]
    for mention in find_times(label, document_years.get(placed.hit.chunk.doc)):
        label = label[: mention.start] + " " * (mention.end - mention.start) + label[mention.end :]
    return frozenset(bigrams(without_mood_words(label)))


def full_sentence_start(text: str, position: int) -> int:
    """Where the sentence holding `position` begins, across 「；」 (a candidate's own sentence stops there)."""
    return max(text.rfind(mark, 0, position) for mark in "。！？!?\n") + 1
