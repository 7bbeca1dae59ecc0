"""Evidence for and against a candidate answer: whether its passage speaks of the year, the place and the named
terms the question asks about. These are features the ranker and the calibration weigh, not verdicts. A hard veto
remains only where the candidate's own clause says otherwise in so many words: another year named right there (or in
the time that opens its sentence, 「去年，……」), another place named in a figure's clause, a plan where the question asks for the result (or the reverse), a total where the question names one of its
parts, a table cell in another row or column than the one the question names."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from qa.reading.candidates import FigureCandidate, headings_mood
from qa.reading.cells import TableCells
from qa.reading.intent import QuestionIntent
from qa.reading.reader import SpanCandidate
from qa.text.time import TimeSpan, find_times, heading_times, section_year, single_year
from qa.text.places import find_places
from qa.text.plans import Mood, figure_mood, question_mood
from qa.text.script import to_simplified
from qa.types import Chunk, Veto

# 「ISO9001」「5G」这类字母数字的名称：段落里没有它，多半说的是别的东西
_NAMED_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]+|\d+[A-Za-z]+")
_CLAUSE_MARKS = "，,；;。！？!?\n"
_SENTENCE_MARKS = "。！？!?\n"
# 证据特征（都在 0–1 之间；问题没问年份、地名、字母名称时为 0）；year_unmentioned：段落说的是别的时间，year_unstated：段落自己没说时间；数字候选的「说的是别的年份」是 year_mismatch（candidates）
EVIDENCE_FEATURES = ("year_unmentioned", "year_unstated", "year_elsewhere", "year_mismatch", "place_unmentioned", "place_elsewhere", "place_other_title", "term_missing")


# 一段年份（「过去五年」「2016—2020年」）包含问的那一年，或只说到问的那段年份里的一部分：说到了，但说的不正是它
RANGE_FIT = 0.5


@dataclass(frozen=True)
class Judged:
    """What the evidence says of one candidate: its features, and a veto where its own words rule it out."""

    features: dict[str, float]
    veto: Veto | None = None


class Evidence:
    """Checks candidates against the question's years, places and named terms."""

    def __init__(self, document_years: dict[str, int | None], table_cells: TableCells):
        self.document_years = document_years
        self.table_cells = table_cells

    def figure(self, intent: QuestionIntent, candidate: FigureCandidate) -> Judged:
        """Evidence for a figure candidate of the ranker."""
        chunk = candidate.hit.chunk
        veto = None
        if candidate.own_year_conflict:
            veto = Veto("year", f"问题问{'、'.join(intent.years)}年，「{candidate.figure.text}」所在的分句说的是别的年份")
        elif Mood.UNSAID not in (candidate.mood, question_mood(intent.text)) and candidate.mood != question_mood(intent.text):
            veto = mood_veto(candidate.figure.text, candidate.mood)
        elif candidate.part_named:
            veto = Veto("part", f"问题问的是其中的「{candidate.part_named}」，「{candidate.figure.text}」是总数")
        else:
            veto = self.table_cells.veto(intent.text, chunk.doc, chunk.start + candidate.start, candidate.figure.text)
        sentence_start = candidate.quote[0] - chunk.start
        sentence = chunk.text[sentence_start : candidate.quote[1] - chunk.start]
        asked_places = place_names(intent.text)
        veto = veto or self._own_clause_place(asked_places, chunk.text, candidate.start, candidate.end, candidate.figure.text)
        unmentioned, unstated = self._years_unmentioned(intent, chunk, sentence_start, candidate.level_before, candidate.mood == Mood.PLAN)
        features = {
            "year_unmentioned": _share(unmentioned, intent.years),
            "year_unstated": _share(unstated, intent.years),
            "place_unmentioned": _share([p for p in asked_places if p not in _folded(chunk).context], asked_places),
            "place_elsewhere": _share(
                [p for p in asked_places if not _place_is_subject(p, asked_places, intent.text, candidate.phrase, sentence, chunk)],
                asked_places,
            ),
            "place_other_title": _other_place_titled(asked_places, chunk),
            "term_missing": _term_missing(intent, chunk),
        }
        return Judged(features, veto)

    def span(self, intent: QuestionIntent, candidate: SpanCandidate, asked: list[TimeSpan]) -> Judged:
        """Evidence for a span of the reader (the reader read the question with the passage, so it already tells
        「A国的首都」 from 「B国的首都」; what it cannot see is whether the passage's years are the asked ones)."""
        chunk = candidate.hit.chunk
        veto = None
        year_elsewhere = year_unmentioned = year_unstated = 0.0
        if asked:
            if candidate.time is not None:
                if not any(candidate.time.overlaps(span) for span in asked):
                    mention = candidate.time_mention
                    if mention is not None and _same_sentence(chunk.text, mention.end, candidate.start):
                        veto = Veto("year", f"问题问{'、'.join(map(str, asked))}，这句话说的是{candidate.time}")
                    year_elsewhere = 1.0
            elif not any(t.overlaps(span) for t in self.paragraph_times(chunk, candidate.start) for span in asked):
                if self.paragraph_times(chunk, candidate.start, headings_only=True):
                    year_unmentioned = 1.0
                else:
                    year_unstated = 1.0
        # 计划与实际之分只对数字有意义：「决定从今年起免除……」是一件已定的事，不是目标
        if veto is None and intent.wants_figure and candidate.figure is not None and candidate.figure.is_quantity:
            mood, asked_mood = figure_mood(chunk.text, candidate.start, candidate.end, headings_mood(chunk, self.document_years)), question_mood(intent.text)
            if Mood.UNSAID not in (mood, asked_mood) and mood != asked_mood:
                veto = mood_veto(candidate.text, mood)
        asked_places = place_names(intent.text)
        veto = veto or self.table_cells.veto(intent.text, chunk.doc, chunk.start + candidate.start, candidate.text)
        if veto is None and candidate.figure is not None and candidate.figure.is_quantity:
            # 只对数字：答案本身可以是个地方（「玉山位于南投县与嘉义县交界」），那时分句里的地名不说明什么
            veto = self._own_clause_place(asked_places, chunk.text, candidate.start, candidate.end, candidate.text)
        features = {
            "year_unmentioned": year_unmentioned,
            "year_unstated": year_unstated,
            "year_elsewhere": year_elsewhere,
            "place_unmentioned": _share([p for p in asked_places if p not in _folded(chunk).context], asked_places),
            "term_missing": _term_missing(intent, chunk),
        }
        return Judged(features, veto)

    def _years_unmentioned(
        self, intent: QuestionIntent, chunk: Chunk, position: int, level_before: bool = False, plan: bool = False
    ) -> tuple[list[str], list[str]]:
        """The asked years the paragraph holding `position` does not speak of, in two lists: where its own words or
        headings name other times (it speaks of another year), and where only the title does or nothing does (it
        names no time of its own: a report's later paragraphs go on about the year its first one named). A year the
        question compares with (「比2000年增长多少」) counts as spoken of where the paragraph compares with it
        (「2001年……比上年增长7.3%」) or, the year before another asked year, where it speaks of that year. For the
        start of a planned change (`level_before`), the year before the one the paragraph plans for counts as spoken.
        For a plan or target (`plan`), the times its headings name that ended before the report's year are the review
        beside it, not its own (「“十三五”时期发展成就和“十四五”时期主要目标任务」: a target there is for 2021–2025, not for
        2018); the paragraph's own past times stay."""
        # 段落里这句之后的时间说的是后面的数（「国内生产总值增长6.7%……工业企业利润由上年下降2.3%」的「上年」不是6.7%的）
        paragraph = paragraph_context(chunk, position, through_sentence=True)
        resolved = self.paragraph_times(chunk, position, through_sentence=True)
        doc_year = self.document_years.get(chunk.doc)
        if plan and doc_year is not None:
            # 只去掉标题带来的过去时段；段落自己说的（「两年来……」）仍是它的时间
            own = _times_spoken_of(_paragraph_at(chunk, position, through_sentence=True), doc_year, section_year(chunk.section_path, doc_year))
            resolved = [span for span in resolved if span.end >= doc_year or span in own]
        bases = self.paragraph_times(chunk, position, comparisons=True, through_sentence=True) if intent.base_years else []

        def spoken(year: str, spans: list[TimeSpan]) -> bool:
            return year in paragraph or any(span.start <= int(year) <= span.end for span in spans)

        def base_spoken(year: str) -> bool:
            # 年度的增速默认比上年：问「2001年……比2000年增长多少」，段落说到2001年（「2001年……增长6.8%」）就够了
            following = str(int(year) + 1)
            return spoken(year, bases) or (following in intent.years and spoken(following, resolved))

        def level_spoken(year: str) -> bool:
            return spoken(year, resolved) or (level_before and spoken(str(int(year) + 1), resolved))

        missing = [year for year in intent.years if not (base_spoken(year) if year in intent.base_years else level_spoken(year))]
        if missing and not self.paragraph_times(chunk, position, headings_only=True, through_sentence=True):
            return [], missing
        return missing, []

    def _own_clause_place(self, asked: list[str], text: str, start: int, end: int, answer: str) -> Veto | None:
        """A veto when the clause holding [start, end) names another place and none of the asked ones."""
        if not asked:
            return None
        clause_start, clause_end = _clause_around(text, start, end)
        clause = text[clause_start:start] + " " + text[end:clause_end]  # 答案自己不算
        named = {place.name for place in find_places(clause)}
        others = named - set(asked)
        if others and not named & set(asked) and not any(o in a or a in o for o in others for a in asked):
            return Veto("place", f"问题问的是「{'、'.join(asked)}」，「{answer}」所在的分句说的是「{'、'.join(sorted(others))}」")
        return None

    def speaks_of(self, chunk: Chunk, year: int) -> bool:
        """Whether a chunk (with its title and section path) speaks of a year, relative times resolved."""
        doc_year = self.document_years.get(chunk.doc)
        spans = _times_spoken_of(chunk.context_text(), doc_year, section_year(chunk.section_path, doc_year))
        return str(year) in chunk.context_text() or any(span.start <= year <= span.end for span in spans)

    def time_fit(self, chunk: Chunk, asked: list[TimeSpan]) -> tuple[float, float]:
        """How a passage stands to the times a question asks about: the mean over them of how it speaks of each (1 for
        that year or span itself, relative times resolved; RANGE_FIT where it only speaks of a span that holds the
        year, and that share of it for the part of an asked span it covers), and how far its innermost dated heading
        names a time asked (1 for 「一、2020年工作回顾」 asked 2020, or 「“十三五”时期发展成就」 asked 2016–2020; the share
        of the times it names when it names several)."""
        if not asked:
            return 0.0, 0.0
        doc_year = self.document_years.get(chunk.doc)
        dated_heading = heading_times(chunk.section_path, doc_year)
        heading = single_year(dated_heading)
        text = _with_headings(chunk, chunk.text)
        spans = _times_spoken_of(text, doc_year, heading)

        def fit(time: TimeSpan) -> float:
            if time in spans or (time.start == time.end and f"{time.start}年" in text):
                return 1.0
            return max((_range_fit(time, span) for span in spans), default=0.0)

        # 标题说了几个时间（「1993年……的回顾和1994年……的基本方针」），每个只算一份
        named = sum(time in dated_heading for time in asked) / len(dated_heading) if dated_heading else 0.0
        return sum(map(fit, asked)) / len(asked), min(named, 1.0)

    def paragraph_times(
        self, chunk: Chunk, position: int, comparisons: bool = False, headings_only: bool = False, through_sentence: bool = False
    ) -> list[TimeSpan]:
        """The years or ranges that the paragraph holding `position` (with the title and section path) speaks of,
        relative ones resolved and comparison bases left out (`comparisons`: all of them, bases too): a figure or
        span must be about the year asked there, not somewhere else in the chunk (「一年来」 two paragraphs down says
        nothing about this one). `headings_only`: the paragraph's own words and its section headings, not the title.
        `through_sentence`: the paragraph only up to the end of the sentence at `position`."""
        year = self.document_years.get(chunk.doc)
        text = paragraph_context(chunk, position, with_title=not headings_only, through_sentence=through_sentence)
        return list(_times_spoken_of(text, year, section_year(chunk.section_path, year), comparisons))


def _range_fit(asked: TimeSpan, spoken: TimeSpan) -> float:
    """How a span a passage speaks of stands for a time asked: RANGE_FIT when it holds the asked year or span, and that
    share of it for the part of an asked span it covers (「2020年」 covers a fifth of 「2016年到2020年」: one year's
    figure, not the five years' total)."""
    covered = min(asked.end, spoken.end) - max(asked.start, spoken.start) + 1
    return RANGE_FIT * max(covered, 0) / (asked.end - asked.start + 1)


def place_names(text: str) -> list[str]:
    """The places a text names (canonical, simplified, without repeats): provinces, cities, counties, districts,
    countries; a place that opens an organisation's name (「杭州银行」) names the organisation, not a place."""
    return list(dict.fromkeys(place.name for place in find_places(text)))


def mood_veto(figure: str, mood: Mood) -> Veto:
    """The figure's clause says it is a plan and the question asks for the actual figure, or the reverse."""
    if mood == Mood.PLAN:
        return Veto("plan", f"「{figure}」所在的分句说它是计划或目标，问题问的是实际数")
    return Veto("plan", f"「{figure}」所在的分句说它是实际数，问题问的是计划或目标")


def _share(missing: list, asked: list) -> float:
    return len(missing) / len(asked) if asked else 0.0


def _term_missing(intent: QuestionIntent, chunk: Chunk) -> float:
    """Share of the question's letter-and-digit names (「ISO9001」「5G」) the passage does not contain."""
    terms = _NAMED_TERM.findall(intent.content)
    if not terms:
        return 0.0
    context = chunk.context_text().lower()
    return sum(term.lower() not in context for term in terms) / len(terms)


def _same_sentence(text: str, first: int, second: int) -> bool:
    """No sentence end between two positions of a text: a time that opens the sentence (「去年，……」) belongs to the
    clause it governs, as the answer sentence shows it."""
    low, high = sorted((first, second))
    return not any(mark in text[low:high] for mark in _SENTENCE_MARKS)


def _clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of `text` that holds [start, end), without a parenthesis that follows or precedes it: 「18家上市企业
    (其中中国香港上市6家，……)」 is a Hangzhou figure with a breakdown, not a Hong Kong one."""
    clause_start = max(text.rfind(mark, 0, start) for mark in _CLAUSE_MARKS + ")）") + 1
    ends = [position for position in (text.find(mark, end) for mark in _CLAUSE_MARKS + "(（") if position >= 0]
    return clause_start, min(ends, default=len(text))


class _FoldedChunk(NamedTuple):
    """A chunk's title, section path and text in simplified characters, for comparing names."""

    title: str
    section_path: tuple[str, ...]
    text: str

    @property
    def context(self) -> str:
        return " ".join((self.title, *self.section_path, self.text))


@lru_cache(maxsize=1024)
def _folded(chunk: Chunk) -> _FoldedChunk:
    """The chunk in simplified characters, folded once: every candidate of a passage asks for it."""
    return _FoldedChunk(to_simplified(chunk.title), tuple(map(to_simplified, chunk.section_path)), to_simplified(chunk.text))


def _other_place_titled(asked: list[str], chunk: Chunk) -> float:
    """1 when the title or headings name places and none of the asked ones (「北京……」 asked of 「杭州大步挺进……」):
    the whole passage is about somewhere else, whatever it mentions in passing."""
    if not asked:
        return 0.0
    folded = _folded(chunk)
    titled = set(place_names(" ".join((folded.title, *folded.section_path))))
    return float(bool(titled) and not titled & set(asked) and not any(a in t or t in a for t in titled for a in asked))


def _place_is_subject(place: str, asked: list[str], question: str, phrase: str, sentence: str, chunk: Chunk) -> bool:
    """Whether a place the question names is what the figure is about: named in the title or section, in the
    answering clause, inside a longer phrase the question shares with the passage, or named in the passage while
    neither the sentence nor the title and sections name another place (a Hangzhou report that mentions Beijing
    once is not about Beijing). 「位居北京、上海之后」 does not make a Hangzhou figure a Beijing one."""
    folded = _folded(chunk)
    question, phrase, sentence = to_simplified(question), to_simplified(phrase), to_simplified(sentence)
    if place in folded.title or any(place in part for part in folded.section_path) or place in phrase:
        return True
    if place not in folded.text:
        return False
    start = question.find(place)
    if start >= 0:
        left, right = start, start + len(place)
        while left > 0 and question[left - 1 : right] in folded.text:
            left -= 1
        while right < len(question) and question[left : right + 1] in folded.text:
            right += 1
        if right - left >= len(place) + 2:
            return True
    around = " ".join((sentence, folded.title, *folded.section_path))
    return not set(place_names(around)) - set(asked)


@lru_cache(maxsize=4096)
def _times_spoken_of(text: str, doc_year: int | None, heading_year: int | None, comparisons: bool = False) -> tuple[TimeSpan, ...]:
    """The resolved times of a text, comparison bases left out unless `comparisons`; cached, since every figure
    candidate of a paragraph asks about the same paragraph."""
    return tuple(m.span for m in find_times(text, doc_year, heading_year) if comparisons or not m.comparison)


def paragraph_context(chunk: Chunk, position: int, with_title: bool = True, through_sentence: bool = False) -> str:
    """The headings over the paragraph of the chunk's text that holds `position`, and that paragraph: the title and
    section path, or only the section path when a section heading names a time (「一、2023年工作回顾」 in the 2024
    report: the review speaks of 2023, not of the title's 2024), or when `with_title` is off. `through_sentence`:
    the paragraph up to the end of the sentence at `position` (what comes later speaks of later figures)."""
    return _with_headings(chunk, _paragraph_at(chunk, position, through_sentence), with_title)


def _paragraph_at(chunk: Chunk, position: int, through_sentence: bool = False) -> str:
    """The paragraph of the chunk's text that holds `position` (up to the end of its sentence: `through_sentence`)."""
    end = chunk.text.find("\n", position)
    if through_sentence:
        ends = [at for at in (chunk.text.find(mark, position) for mark in _SENTENCE_MARKS) if at >= 0]
        end = min(ends) + 1 if ends else -1
    return chunk.text[chunk.text.rfind("\n", 0, position) + 1 : end if end >= 0 else len(chunk.text)]


def _with_headings(chunk: Chunk, body: str, with_title: bool = True) -> str:
    """The body under the chunk's headings: the title and section path, or only the section path when a section
    heading names a time (the report's own year in its title is not what a dated section speaks of) or when
    `with_title` is off."""
    sections = [part for part in chunk.section_path if part != chunk.title]
    if not with_title or any(find_times(section, None) for section in sections):
        return " > ".join(sections) + "\n" + body
    context = chunk.context_text()
    return context[: context.index("\n") + 1] + body


def places_are_subject(question: str, phrase: str, sentence: str, chunk: Chunk) -> bool:
    """Whether every place the question names is what `phrase` (in `sentence` of `chunk`) is about."""
    asked = place_names(question)
    return all(_place_is_subject(place, asked, question, phrase, sentence, chunk) for place in asked)
