"""Hits -> Answer: one route. Questions that ask for a change are computed when both ends are in the text; figures
are chosen by the learned ranker, other answers by the span reader; the evidence (year, place, named terms) enters as
features; the calibrated probability decides whether the answer is given, given for checking, or withheld."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qa.reading.candidates import (
    FigureCandidate,
    Placed,
    actuals_for,
    figure_candidates,
    headings_mood,
    kind_fit,
    placed,
)
from qa.reading.cells import TableCells
from qa.reading.computed import (
    Parts,
    change_answer,
    parts_answer,
    previous_year_answer,
    question_parts,
)
from qa.reading.evidence import Evidence, place_names
from qa.reading.intent import QuestionIntent, Wants, analyse_question
from qa.reading.ranking import UNCALIBRATED, Calibration, FigureRanker
from qa.reading.reader import ReaderSettings, SpanCandidate, read_spans
from qa.reading.records import (
    abstain,
    band_of,
    confidence_veto,
    figure_answer,
    span_answer,
)
from qa.reading.spans import Reading
from qa.reading.terms import QuestionTerms, TermWeigher, overlap
from qa.text.time import (
    TimeSpan,
    document_years,
    named_document_years,
    published_years,
    question_times,
)
from qa.search.retrieve import SearchIndex, clean_question
from qa.text.clauses import sentence_around
from qa.text.plans import Mood, figure_mood, question_mood
from qa.text.synonyms import Thesaurus
from qa.types import Answer, Hit, Veto

if TYPE_CHECKING:  # torch 只在真正用阅读器时才加载
    from qa.reading.reader_weights import NeuralReader

MARGIN_LIMIT = 15.0  # 阅读器分差（片段分 - 无答案分）作特征时截到 ±15：更远的差别不再说明什么


@dataclass(frozen=True)
class RankedFigure:
    """A figure candidate as the learned ranker sees it."""

    score: float  # 选择分数（只在同一题的候选之间比较）
    probability: float  # 它回答了问题的校准概率；被否决的为 0
    candidate: FigureCandidate
    veto: Veto | None


# 问题问到某年时，融合检索的前 TIME_RERANK_DEPTH 段按时间重排：段落说到问的年份（「去年」、汉字年份都算）加
# SPOKEN_YEAR_BONUS，它所在章节的标题就是那一年（「一、2020年工作回顾」）再加 HEADING_YEAR_BONUS；两者都以融合分的
# 标准差为单位，在报告题的开发集上选定（gwr_dev、gwr_dev2 与种子题：hit@1 的变化见 README「检索」）
TIME_RERANK_DEPTH = 40
SPOKEN_YEAR_BONUS = 1.0
HEADING_YEAR_BONUS = 1.0


@dataclass(frozen=True)
class AnswerSettings:
    passages: int = 5  # 在前几个段落里找答案


class Answerer:
    """Answers questions from one loaded index; holds the corpus statistics it needs."""

    def __init__(
        self,
        index: SearchIndex,
        reader: NeuralReader,
        calibration: Calibration = UNCALIBRATED,
        ranker: FigureRanker | None = None,
        thesaurus: Thesaurus | None = None,
        settings: AnswerSettings = AnswerSettings(),
        reader_settings: ReaderSettings = ReaderSettings(),
    ):
        self.index = index
        self.settings = settings
        self.reader = reader
        self.calibration = calibration
        self.ranker = ranker  # 给数字候选打分的模型（training/train_ranker.py）；None 时数字题也由片段阅读器答
        self.reader_settings = reader_settings
        # 「去年」按文档年份解析：清单记着发布日期的用它的年份，否则从标题、题下日期、文件名推断
        self.document_years = document_years(index.chunks, published_years(index.manifest.get("documents", {})))
        self.thesaurus = thesaurus if thesaurus is not None else Thesaurus()
        self.terms = TermWeigher([chunk.context_text() for chunk in index.chunks], index.tokenizer.jieba, self.thesaurus)
        self.table_cells = TableCells(index.manifest.get("documents", {}))  # 表格的每个单元格在哪一行哪一列
        self.evidence = Evidence(self.document_years, self.table_cells)

    def retrieve(self, question: str, k: int, retriever: str = "hybrid") -> list[Hit]:
        """The question's passages, best first; only in the report the question names (「根据2002年政府工作报告，……」)
        when the corpus has it. A question that asks about a year puts the passages that speak of it first
        (`_by_time`): reports of every year share their words, and only the time tells them apart."""
        documents = self.documents_named(question)
        times = asked_times(analyse_question(clean_question(question)))
        if retriever != "hybrid" or not times:
            return self.index.search(question, k=k, retriever=retriever, documents=documents)
        hits = self.index.search(question, k=max(k, TIME_RERANK_DEPTH), retriever=retriever, documents=documents)
        return self._by_time(hits, times)[:k]

    def _by_time(self, hits: list[Hit], times: list[TimeSpan]) -> list[Hit]:
        """The hits re-ranked with their fit to the years asked added to the fused score (a standardised scale: one
        bonus is one standard deviation of a retriever's scores)."""
        scored = []
        for hit in hits:
            spoken, heading = self.evidence.time_fit(hit.chunk, times)
            scored.append((hit.score + SPOKEN_YEAR_BONUS * spoken + HEADING_YEAR_BONUS * heading, hit))
        scored.sort(key=lambda pair: -pair[0])
        return [replace(hit, score=score, rank=rank) for rank, (score, hit) in enumerate(scored, start=1)]

    def ask(self, question: str, hits: list[Hit]) -> Answer:
        """The answer from the retrieved passages (the caller searched: see qa.pipeline); ValueError only for empty questions."""
        question = clean_question(question)
        intent = analyse_question(question)
        hits = list(hits[: self.settings.passages])
        if not hits:
            return abstain(question, hits, Veto("no_passages", "知识库里没有与问题相关的段落"))
        terms = self.question_terms(intent)
        if intent.wants in (Wants.DIFFERENCE, Wants.RATE):
            computed = change_answer(intent, hits, terms)
            if computed is not None:
                return computed
        parts = question_parts(intent) if self.ranker is not None else None
        if parts is not None:
            # 两端（两年、两项）各找一个数来算；原文若另写了合计或差，算出来的也是它。找不齐才读原文直接作答
            computed = self._from_parts(intent, parts, hits)
            if computed is not None:
                return computed
        answer = self._read(question, intent, hits, terms)
        if answer.abstained and intent.wants == Wants.NUMBER and len(intent.years) == 1:
            # 那一年的数字没写出来，但下一年的数字和「比上年增加」写着：算出来，标明是算的
            return previous_year_answer(intent, hits, terms, self.document_years) or answer
        return answer

    def _read(self, question: str, intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms, reading: Reading | None = None) -> Answer:
        """Figures ranked by the learned ranker, other answers by the reader's best supported span; either way shown
        by the band its calibrated confidence falls in."""
        reading = reading or self.read_passages(question, hits)
        if intent.wants_figure and self.ranker is not None:
            ranked = self.rank_figures(intent, hits, terms, reading)
            if ranked:
                return self._ranked_answer(question, intent, hits, ranked)
        chosen, features, veto = self.choose_span(question, intent, hits, terms, reading)
        if chosen is None:
            return abstain(question, hits, veto)
        confidence = self.calibration.probability(features)
        band = band_of(confidence, self.calibration.threshold, self.calibration.high)
        if band == "none":
            veto = confidence_veto(chosen.text, confidence, self.calibration.threshold, features, intent)
            return abstain(question, hits, self._unspoken_year(intent, hits) or veto, confidence)
        return span_answer(question, chosen, hits, confidence, band, self._unasked_plan_span(intent, chosen))

    def read_passages(self, question: str, hits: list[Hit]) -> Reading:
        """The reader's one pass over the passages it reads (`_read_hits`)."""
        return self.reader.read(question, [hit.chunk.text for hit in self._read_hits(hits)], top=self.reader_settings.spans)

    def _read_hits(self, hits: list[Hit]) -> list[Hit]:
        """The passages the reader reads, in the order its `Reading` numbers them."""
        return hits[: min(self.reader_settings.passages, self.settings.passages)]

    # ---- 数字题：候选、证据、排序 ---------------------------------------------------

    def rank_figures(self, intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms, reading: Reading) -> list[RankedFigure]:
        """Every figure candidate of the passages with the ranker's score, its probability that it answers and its
        veto, if any. The ranker chooses among the candidates that no veto rules out (they come first, its choice
        first); the vetoed ones follow with probability 0."""
        candidates, vetoes = self.figure_candidates(intent, hits, terms, reading)
        rows = [candidate.features for candidate in candidates]
        scores = self.ranker.scores(rows)
        open_ = [i for i, veto in enumerate(vetoes) if veto is None]
        # 重叠的两段里同一处的数只留得分最高的一份：其余的既不当对手，也不再列出
        open_ = [open_[i] for i in self.ranker.distinct([scores[i] for i in open_], [candidates[i].place for i in open_])]
        probabilities = dict(zip(open_, self.ranker.probabilities([rows[i] for i in open_])))
        kept = sorted(set(open_) | {i for i, veto in enumerate(vetoes) if veto is not None})
        ranked = [RankedFigure(scores[i], probabilities.get(i, 0.0), candidates[i], vetoes[i]) for i in kept]
        ranked.sort(key=lambda item: (item.veto is not None, -item.score))
        return ranked

    def figure_candidates(
        self, intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms, reading: Reading
    ) -> tuple[list[FigureCandidate], list[Veto | None]]:
        """The figure candidates with every feature the ranker weighs (wording, evidence, what the reader thinks of
        each figure), and each one's veto or None."""
        candidates = figure_candidates(intent, hits, terms, self.document_years)
        read = [hit.chunk.id for hit in self._read_hits(hits)]
        best_margin = reading.best_margin()
        vetoes = []
        for candidate in candidates:
            passage = read.index(candidate.hit.chunk.id) if candidate.hit.chunk.id in read else None
            margin = reading.margin(passage, candidate.start, candidate.end) if passage is not None else None
            judged = self.evidence.figure(intent, candidate)
            candidate.features.update(
                {
                    "reader_margin": _clip_margin(margin),
                    "reader_share": reading.share_over(passage, candidate.start, candidate.end) if passage is not None else 0.0,
                    "reader_unread": 1.0 if margin is None else 0.0,
                    "reader_best_margin": _clip_margin(best_margin),
                    **judged.features,
                }
            )
            vetoes.append(judged.veto)
        return candidates, vetoes

    def _ranked_answer(self, question: str, intent: QuestionIntent, hits: list[Hit], ranked: list[RankedFigure]) -> Answer:
        """The ranker's choice among the figures no veto rules out, shown by its confidence band."""
        chosen = ranked[0]
        if chosen.veto is not None:
            # 每个数字都被自己的分句排除了：说排序模型最看好的那个为什么不行
            return abstain(question, hits, max(ranked, key=lambda item: item.score).veto)
        candidate, probability = chosen.candidate, chosen.probability
        threshold = self.ranker.threshold
        if probability < threshold:
            # 问题用表格自己的行标签和列标题点中了一格、只有这一格：排序模型最看好的数把握不够时，答这一格，
            # 按最低可答的把握给出，请人核对（正文里一句相近的话常被阅读器看好，却说的是另一个地方或合计）
            pinned = next((item for item in ranked if item.veto is None and self._pinned_cell(intent, item.candidate)), None)
            if pinned is not None:
                candidate, probability = pinned.candidate, threshold
        band = band_of(probability, threshold, self.ranker.confidence.high)
        if band == "none":
            # 拒答时说明原因：排序分最高的数字若被它自己的分句排除了（年份、计划……），说这个；否则说把握不够及不利的证据
            best = max(ranked, key=lambda item: item.score)
            veto = best.veto or confidence_veto(candidate.figure.text, probability, threshold, candidate.features, intent)
            return abstain(question, hits, self._unspoken_year(intent, hits) or veto, probability)
        plan = _unasked_plan(intent, candidate.mood)
        if plan:
            # 文中有这个计划数的实际数：没问计划的问题答实际数，把握沿用选中的那句
            # 实际数要是问的那一年的：证据说它的段落没提到问的年份，就不拿它顶替
            others = [item.candidate for item in ranked[1:] if item.veto is None and not _year_against(item.candidate)]
            actual = next(iter(actuals_for(placed(candidate), [placed(other) for other in others], self.document_years)), None)
            if actual is not None:
                candidate, plan = others[actual], False
        return figure_answer(question, candidate, hits, probability, band, plan)

    def _from_parts(self, intent: QuestionIntent, parts: Parts, hits: list[Hit]) -> Answer | None:
        """The answer combined from the figure the ranker picks for each part (a target and its base year, two items
        compared or added); None unless both are probable enough, distinct and of one unit. The reader reads each part
        as its own question: read with the whole one, it favours the same figure for both."""
        ends = []
        for asked in parts.questions:
            ranked = self.rank_figures(asked, hits, self.question_terms(asked), self.read_passages(asked.text, hits))
            best = next((item for item in ranked if item.veto is None), None)
            if best is None or best.probability < self.ranker.threshold:
                return None
            ends.append(best)
        first, second = ends
        if first.candidate.figure.unit != second.candidate.figure.unit or (first.candidate.hit, first.candidate.start) == (
            second.candidate.hit,
            second.candidate.start,
        ):
            return None
        confidence = min(first.probability, second.probability)
        band = band_of(confidence, self.ranker.threshold, self.ranker.confidence.high)
        return parts_answer(intent, parts.operation, first.candidate, second.candidate, hits, confidence, band)

    def _unspoken_year(self, intent: QuestionIntent, hits: list[Hit]) -> Veto | None:
        """The reason to give when no passage speaks of a year the question asks about (「去年」 and Chinese-numeral
        years resolved): then that, not a low confidence, is why nothing answers."""
        unspoken = [year for year in intent.years if not any(self.evidence.speaks_of(hit.chunk, int(year)) for hit in hits)]
        if not unspoken:
            return None
        return Veto("year", f"检索到的段落都没有说到{'、'.join(unspoken)}年")

    def _pinned_cell(self, intent: QuestionIntent, candidate: FigureCandidate) -> bool:
        """Whether the candidate's figure sits in the one table cell the question names by row and column."""
        chunk = candidate.hit.chunk
        return self.table_cells.pinned(intent.text, chunk.doc, chunk.start + candidate.start)

    # ---- 其他题：阅读器的片段 ---------------------------------------------------------

    def choose_span(
        self, question: str, intent: QuestionIntent, hits: list[Hit], terms: QuestionTerms | None = None, reading: Reading | None = None
    ) -> tuple[SpanCandidate | None, dict[str, float] | None, Veto | None]:
        """(the best span that no veto rules out, its confidence features, or the first veto)."""
        terms = terms or self.question_terms(intent)
        reading = reading or self.read_passages(question, hits)
        candidates = read_spans(reading, self._read_hits(hits), self.document_years, intent.wants_figure, self.reader_settings)
        asked = question_times(question)
        judged = {}
        chosen, first_veto, fallback = None, None, None
        for candidate in candidates:
            judged[id(candidate)] = evidence = self.evidence.span(intent, candidate, asked)
            if evidence.veto is not None:
                first_veto = first_veto or evidence.veto
                continue
            if _kind_fits(intent, candidate):
                chosen = candidate
                break
            fallback = fallback or candidate  # 类型不对的片段只在别无选择时用，置信度特征会记下这一点
        chosen = chosen or fallback
        if chosen is not None and self._unasked_plan_span(intent, chosen):
            # 文中有这个计划数的实际数：没问计划的问题答实际数
            others = [
                other
                for other in candidates
                if other is not chosen and other.figure is not None and _kind_fits(intent, other)
                and self.evidence.span(intent, other, asked).veto is None
            ]
            actuals = actuals_for(self._placed_span(chosen), [self._placed_span(other) for other in others], self.document_years)
            if actuals:
                chosen = others[actuals[0]]
                judged[id(chosen)] = self.evidence.span(intent, chosen, asked)
        if chosen is None:
            return None, None, first_veto or Veto("no_span", "阅读器在检索到的段落里没有找到答案片段")
        start, end = sentence_around(chosen.hit.chunk.text, chosen.start)
        features = {
            **chosen.features,
            **judged[id(chosen)].features,
            "kind_fit": 1.0 if _kind_fits(intent, chosen) else 0.0,
            "lexical_overlap": overlap(terms, chosen.hit.chunk.text[start:end]),
            "time_named": 1.0 if asked else 0.0,
        }
        return chosen, features, None

    def _unasked_plan_span(self, intent: QuestionIntent, span: SpanCandidate) -> bool:
        """The span is a figure whose wording makes it a plan, and the question did not say which it wants."""
        return (
            intent.wants_figure
            and span.figure is not None
            and span.figure.is_quantity
            and _unasked_plan(intent, figure_mood(span.hit.chunk.text, span.start, span.end, headings_mood(span.hit.chunk, self.document_years)))
        )

    def _placed_span(self, span: SpanCandidate) -> Placed:
        mood = figure_mood(span.hit.chunk.text, span.start, span.end, headings_mood(span.hit.chunk, self.document_years)) if span.figure.is_quantity else Mood.UNSAID
        return Placed(span.hit, span.start, span.figure, mood)

    # ---- 问题 ---------------------------------------------------------------

    def documents_named(self, question: str) -> frozenset[str] | None:
        """The corpus documents a question names by year and kind (「根据2002年政府工作报告，……」), None if none."""
        years = named_document_years(question)
        named = frozenset(doc for doc, year in self.document_years.items() if year in years)
        return named or None

    def place_names(self, text: str) -> list[str]:
        """The places a text names (see `qa.reading.evidence.place_names`)."""
        return place_names(text)

    def question_terms(self, intent: QuestionIntent) -> QuestionTerms:
        """What to look for in the passages for this question (its content words, else the whole question)."""
        return self.terms.terms(intent.content or intent.text)


# 候选自己的证据说它不是问的那一年的数
_YEAR_AGAINST = ("year_unmentioned", "year_unstated", "year_mismatch")


def _year_against(candidate: FigureCandidate) -> bool:
    return any(candidate.features.get(name, 0.0) > 0 for name in _YEAR_AGAINST)


def asked_times(intent: QuestionIntent) -> list[TimeSpan]:
    """The years and spans of years a question asks about: not the report it names (「据2002年政府工作报告」), nor a
    comparison base (「比2000年」) unless it names no other."""
    times = question_times(intent.text)
    asked = [time for time in times if not (time.start == time.end and str(time.start) in intent.base_years)]
    return asked or times


def _unasked_plan(intent: QuestionIntent, mood: Mood) -> bool:
    """The figure's clause says it is a plan or target and the question did not say which it wants."""
    return mood == Mood.PLAN and question_mood(intent.text) == Mood.UNSAID


def _kind_fits(intent: QuestionIntent, candidate: SpanCandidate) -> bool:
    """A question that asks for a quantity, date or rank needs a span that is one of the right kind."""
    if not intent.wants_figure:
        return True
    if candidate.figure is None:
        return False
    fit = kind_fit(intent, candidate.figure)
    return fit is not None and fit >= 0  # 负分是「能用但不像」：单位不对、问数量答了百分数


def _clip_margin(margin: float | None) -> float:
    """A reader margin as a feature: bounded, and the floor when the reader did not read the figure."""
    if margin is None:
        return -MARGIN_LIMIT
    return max(-MARGIN_LIMIT, min(MARGIN_LIMIT, margin))
