"""Hits -> Answer: pick the clause and figure that answer, cite the sentence, or abstain."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple


from qa.indexing.chunk import sentence_spans
from qa.indexing.tokenize import STOP_WORDS, part_of_speech_tagger
from qa.reading.cells import TableCells
from qa.reading.compute import change_pair, compute, previous_year_value
from qa.reading.intent import QuestionIntent, Wants, analyse_question
from qa.reading.reader import (
    UNCALIBRATED,
    Calibration,
    FigureRanker,
    ReaderSettings,
    SpanCandidate,
    governing_time,
    read_spans,
)
from qa.reading.spans import Reading
from qa.reading.time import (
    TimeSpan,
    document_years,
    find_times,
    named_document_years,
    published_years,
    question_times,
    resolve_label,
    section_year,
)
from qa.search.retrieve import SearchIndex, clean_question
from qa.text.clauses import (
    CLAUSE_BREAK,
    breakdown_context,
    breakdown_items,
    clause_bounds,
    clause_breaks,
    figure_years,
    last_year_range,
    leading_time,
    sentence_around,
    windows,
)
from qa.text.bigrams import BigramFrequencies, bigrams
from qa.text.figures import COUNT_UNITS, MEASURE_UNITS, PERSON_UNITS, Figure, find_figures
from qa.text.plans import Mood, figure_mood, question_mood, without_mood_words
from qa.text.script import to_half_width, to_simplified
from qa.text.synonyms import Thesaurus
from qa.types import Answer, Chunk, Citation, Hit, Veto

if TYPE_CHECKING:  # torch 只在真正用阅读器时才加载
    from qa.reading.reader_weights import NeuralReader

_SHORT_SENTENCE = 80
# 问题没说问计划还是实际数、原文只有计划数时，答案里这样标明
PLAN_MARK = "（这是计划或目标数）"
# 两个数说的是同一件事（计划数与实际数）：去掉时间和计划、结果词后，一个的说明字二元组全在另一个里，且至少这么多个
# （「增长」一个二元组什么都对得上）
MIN_MEASURE_BIGRAMS = 3
MARGIN_LIMIT = 15.0  # 阅读器分差（片段分 - 无答案分）作特征时截到 ±15：更远的差别不再说明什么
# 分词器标成地名（ns/nt）、却不指某一个地方的词：泛指的范围，以及被误标的普通词（「买东西」的「东西」）
_GENERIC_PLACES = {
    "城市", "全国", "全省", "全市", "国家", "地方", "国内", "国际", "中国", "各地", "本地", "当地", "农村", "城乡",
    "东西", "東西", "中西部", "东中西部",
}
_NATIONWIDE = "全国"  # 机构名前的范围词，正文里常省去
# rules 路线的手定权重（数字候选的具名特征 × 权重 = 得分）；learned 路线用 training/train_ranker.py 拟合的权重
RULE_WEIGHTS = {
    "label_overlap": 1.5,  # 数字所在分句（及其说明）与问题的重合
    "adjacent_overlap": 1.0,  # 紧挨数字两侧的词
    "adjacent_precision": 0.5,  # 数字前面的词有多少是问题里的
    "sentence_overlap": 1.0,  # 整句（连同小节标题）
    "rank_prior": 0.6,  # 检索名次 1/k（实际值取 AnswerSettings.rank_weight）
    "kind_fit": 1.0,  # 数字的类型、单位合不合问题（_kind_fit）
    "person_unit_match": 0.5,  # 问人数，单位是人、名、位
    "person_unit_mismatch": -0.3,
    "approximate_qualifier": 0.2,  # 问「大约」，数字带「约」「近」
    "counted_follows": 0.5,  # 问「多少家企业」，数字后面紧跟「企业」
    "suffix_match": 0.3,  # 数字前面的词与问题结尾重合的字数
    "year_match": 0.6,
    "year_mismatch": -1.0,
    "plan_for_actual": -0.3,  # 数字的分句说它是计划或目标（qa.text.plans），问题没问计划：有实际数时让给实际数
}
# 计算题（两端相减、由下一年推上一年）选哪两个数：指标名紧挨在数字前面，比整句的重合更能区分同一段里的几个指标
CHANGE_WEIGHTS = {"label_overlap": 3.0, "sentence_overlap": 0.5, "suffix_match": 0.3, "rank_prior": 0.3}
# 问题里有这些词，百分数（增速、涨幅）才可能是「多少」的答案
_ASKS_CHANGE = re.compile(r"增长|增加|提高|上升|上涨|涨|下降|下跌|减少|降低|回落|增速|增幅|变化|变动")
_NOT_A_RANK = {"次", "届", "期", "批", "季度", "个"}  # 「第一次」「第二届」是次序，不是名次


@dataclass(frozen=True)
class RankedFigure:
    """A figure candidate as the learned ranker sees it."""

    score: float  # 选择分数（只在同一题的候选之间比较）
    probability: float  # 它回答了问题的校准概率；没过支持检查的为 0
    candidate: _Candidate
    veto: Veto | None


@dataclass(frozen=True)
class _Terms:
    """What to look for in a passage: the question's weighted character bigrams, plus synonyms
    for words the corpus never uses (「员工」→「职工」), each worth the word it stands for."""

    bigrams: dict[str, float]
    alternatives: tuple[tuple[float, tuple[frozenset[str], ...]], ...]
    total: float
    counts_people: bool  # 问的是人（「员工」「观众」）：答案的单位应是人、名、位、人次


@dataclass(frozen=True)
class AnswerSettings:
    """Knobs of the answerer; thresholds calibrated on eval/questions.jsonl (benchmarks/calibrate_answer.py)."""

    passages: int = 5  # 在前几个段落里找答案
    rank_weight: float = 0.6  # 检索名次的先验：第 1 名加 rank_weight，第 k 名加 rank_weight / k
    min_figure_score: float = 0.85  # 0.75–1.0 都在平台上；取中间


@dataclass(frozen=True)
class _Candidate:
    score: float
    hit: Hit
    sentence: tuple[int, int]  # 文档里的偏移
    figure: Figure | None  # 句内偏移
    phrase: str
    year_conflict: bool = False  # 数字说的年份不是问的年份
    time: dict | None = None  # 相对时间的解析，写进引用（「去年（2012年）」）
    features: dict[str, float] | None = None  # 数字候选的具名特征（两条路线共用，权重不同）
    sentence_offset: int = 0  # 句子在段落（chunk）里的起点；figure 的偏移相对句子
    plan_conflict: bool = False  # 分句写明是计划而问题写明问实际数，或反过来（qa.text.plans）
    part_named: str = ""  # 这个数是总数，问题问的是它「其中」的这一项
    mood: Mood = Mood.UNSAID  # 分句说它是计划（目标）还是实际数（qa.text.plans）


class Answerer:
    """Answers questions from one loaded index; holds the corpus statistics it needs."""

    def __init__(
        self,
        index: SearchIndex,
        settings: AnswerSettings = AnswerSettings(),
        thesaurus: Thesaurus | None = None,
        reader: NeuralReader | None = None,
        calibration: Calibration = UNCALIBRATED,
        reader_settings: ReaderSettings = ReaderSettings(),
        ranker: FigureRanker | None = None,
    ):
        self.index = index
        self.settings = settings
        self.reader = reader
        self.calibration = calibration
        self.ranker = ranker  # learned 路线给数字候选打分的模型（training/train_ranker.py）；None 时数字题也由片段阅读器答
        self.reader_settings = reader_settings
        # 「去年」按文档年份解析：清单记着发布日期的用它的年份，否则从标题、题下日期、文件名推断
        self.document_years = document_years(index.chunks, published_years(index.manifest.get("documents", {})))
        self.thesaurus = thesaurus if thesaurus is not None else Thesaurus()
        self._bigram_df = BigramFrequencies([chunk.context_text() for chunk in index.chunks])
        self._chunk_count = max(len(index.chunks), 1)
        self._pos = part_of_speech_tagger(index.tokenizer.jieba)
        self._rule_weights = dict(RULE_WEIGHTS, rank_prior=settings.rank_weight)
        self.table_cells = TableCells(index.manifest.get("documents", {}))  # 表格的每个单元格在哪一行哪一列

    def ask(self, question: str, hits: list[Hit]) -> Answer:
        """The answer from the retrieved passages (the caller searched: see qa.pipeline); ValueError only for empty questions."""
        question = clean_question(question)
        intent = analyse_question(question)
        hits = list(hits[: self.settings.passages])
        if not hits:
            return _abstain(question, hits, Veto("no_passages", "知识库里没有与问题相关的段落"))
        weights = self.question_terms(intent)
        answer = self._answer(question, intent, hits, weights)
        if answer.abstained and intent.wants == Wants.NUMBER and len(intent.years) == 1:
            # 那一年的数字没写出来，但下一年的数字和「比上年增加」写着：算出来，标明是算的
            return self._previous_year(intent, hits, weights) or answer
        return answer

    def _answer(self, question: str, intent: QuestionIntent, hits: list[Hit], weights: _Terms) -> Answer:
        if intent.wants in (Wants.DIFFERENCE, Wants.RATE):
            computed = self._computed(intent, hits, weights)
            if computed is not None:
                return computed
        if self.reader is not None:
            return self._read(question, intent, hits, weights)
        candidates = self._ranked_candidates(intent, hits, weights)
        if not candidates:
            return _abstain(question, hits, Veto("no_candidate", "段落里没有能回答这个问题的数字或分句"))
        # 得分最高的候选若年份、地名不对，看下一个：另一个段落可能正好说的是问的那一年
        first_veto = None
        for candidate in candidates:
            veto = self.rules_veto(intent, candidate)
            if veto is None:
                if _unasked_plan(intent, candidate):
                    others = [other for other in candidates if other.figure is not None and other is not candidate]
                    for index in self.actuals_for(_placed(candidate), [_placed(other) for other in others]):
                        if self.rules_veto(intent, others[index], check_score=False) is None:
                            candidate = others[index]
                            break
                return _extractive_answer(question, candidate, hits, plan=_unasked_plan(intent, candidate))
            first_veto = first_veto or veto
            if veto.name == "low_score":
                break  # 后面的得分只会更低
        return _abstain(question, hits, first_veto)

    # ---- 神经阅读器 ---------------------------------------------------------

    def _read(self, question: str, intent: QuestionIntent, hits: list[Hit], weights: _Terms) -> Answer:
        """The learned route: figures ranked by the learned ranker, other answers by the reader's best supported span;
        either way only when the calibrated confidence is high enough."""
        reading = self.read_passages(question, hits)
        if intent.wants_figure and self.ranker is not None:
            ranked = self.rank_figures(intent, hits, weights, reading)
            if ranked:
                return self._ranked_answer(question, intent, hits, ranked)
        chosen, features, veto = self.choose_span(question, intent, hits, weights, reading)
        if chosen is None:
            return _abstain(question, hits, veto)
        confidence = self.calibration.probability(features)
        if confidence < self.calibration.threshold:
            return _abstain(question, hits, _confidence_veto(chosen.text, confidence, self.calibration.threshold), confidence)
        return _span_answer(question, chosen, hits, confidence, self._unasked_plan_span(intent, chosen))

    def read_passages(self, question: str, hits: list[Hit]) -> Reading:
        """The reader's one pass over the passages it reads (`_read_hits`)."""
        return self.reader.read(question, [hit.chunk.text for hit in self._read_hits(hits)], top=self.reader_settings.spans)

    def _read_hits(self, hits: list[Hit]) -> list[Hit]:
        """The passages the reader reads, in the order its `Reading` numbers them."""
        return hits[: min(self.reader_settings.passages, self.settings.passages)]

    def rank_figures(self, intent: QuestionIntent, hits: list[Hit], weights: _Terms, reading: Reading) -> list[RankedFigure]:
        """Every figure candidate of the passages with the ranker's score, its probability that it answers and its
        veto, if any. The ranker chooses among the supported candidates only (they come first, its choice first);
        the vetoed ones follow with probability 0."""
        candidates = self.figure_candidates(intent, hits, weights, reading)
        vetoes = [self.rules_veto(intent, candidate, check_score=False) for candidate in candidates]
        scores = self.ranker.scores([candidate.features for candidate in candidates])
        supported = [i for i, veto in enumerate(vetoes) if veto is None]
        probabilities = dict(zip(supported, self.ranker.probabilities([candidates[i].features for i in supported])))
        ranked = [RankedFigure(scores[i], probabilities.get(i, 0.0), candidates[i], vetoes[i]) for i in range(len(candidates))]
        ranked.sort(key=lambda item: (item.veto is not None, -item.score))
        return ranked

    def figure_candidates(self, intent: QuestionIntent, hits: list[Hit], weights: _Terms, reading: Reading) -> list[_Candidate]:
        """The rules' figure candidates, their features completed with what the reader thinks of each figure."""
        candidates = [
            candidate
            for hit, start, sentence, sentence_score in _sentences(hits, weights)
            for candidate in self._figure_candidates(intent, hit, sentence, start, weights, sentence_score)
        ]
        read = [hit.chunk.id for hit in self._read_hits(hits)]
        best_margin = reading.best_margin()
        for candidate in candidates:
            start = candidate.sentence_offset + candidate.figure.start
            end = candidate.sentence_offset + candidate.figure.end
            passage = read.index(candidate.hit.chunk.id) if candidate.hit.chunk.id in read else None
            margin = reading.margin(passage, start, end) if passage is not None else None
            candidate.features.update(
                {
                    "reader_margin": _clip_margin(margin),
                    "reader_share": reading.share_over(passage, start, end) if passage is not None else 0.0,
                    "reader_unread": 1.0 if margin is None else 0.0,
                    "reader_best_margin": _clip_margin(best_margin),
                }
            )
        return candidates

    def _ranked_answer(self, question: str, intent: QuestionIntent, hits: list[Hit], ranked: list[RankedFigure]) -> Answer:
        """The ranker's choice among the supported figures, if it is probable enough."""
        chosen = ranked[0]
        # 拒答时说明原因：得分最高的数字本身不被支持（年份、地名不对）就说这个，否则说把握不够
        best = max(ranked, key=lambda item: item.score)
        if chosen.veto is not None:
            return _abstain(question, hits, best.veto)
        candidate = chosen.candidate
        probability = chosen.probability
        if probability < self.ranker.threshold and self._pinned_cell(intent, candidate):
            # 问题用表格自己的行标签和列标题点中了这一格、只有这一格：按最低可答的把握给出（界面上提示核对）
            probability = self.ranker.threshold
        if probability < self.ranker.threshold:
            veto = best.veto or _confidence_veto(candidate.figure.text, probability, self.ranker.threshold)
            return _abstain(question, hits, veto, probability)
        if _unasked_plan(intent, candidate):
            # 文中有这个计划数的实际数：没问计划的问题答实际数，把握沿用选中的那句
            supported = [item.candidate for item in ranked[1:] if item.veto is None]
            actual = next(iter(self.actuals_for(_placed(candidate), [_placed(other) for other in supported])), None)
            candidate = supported[actual] if actual is not None else candidate
        return _extractive_answer(question, candidate, hits, probability, plan=_unasked_plan(intent, candidate))

    def _pinned_cell(self, intent: QuestionIntent, candidate: _Candidate) -> bool:
        """Whether the candidate's figure sits in the one table cell the question names by row and column."""
        chunk = candidate.hit.chunk
        position = chunk.start + candidate.sentence_offset + candidate.figure.start
        return self.table_cells.pinned(intent.text, chunk.doc, position)

    def choose_span(
        self, question: str, intent: QuestionIntent, hits: list[Hit], weights: _Terms | None = None, reading: Reading | None = None
    ) -> tuple[SpanCandidate | None, dict[str, float] | None, Veto | None]:
        """(the best span that passes the support checks, its confidence features, or the first veto)."""
        weights = weights or self.question_terms(intent)
        reading = reading or self.read_passages(question, hits)
        candidates = read_spans(reading, self._read_hits(hits), self.document_years, intent.wants_figure, self.reader_settings)
        asked = question_times(question)
        chosen, first_veto, fallback = None, None, None
        for candidate in candidates:
            veto = self._support_veto(intent, candidate, asked)
            if veto is not None:
                first_veto = first_veto or veto
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
                and self._support_veto(intent, other, asked) is None
            ]
            actuals = self.actuals_for(self._placed_span(chosen), [self._placed_span(other) for other in others])
            chosen = others[actuals[0]] if actuals else chosen
        if chosen is None:
            return None, None, first_veto or Veto("no_span", "阅读器在检索到的段落里没有找到答案片段")
        features = {
            **chosen.features,
            "kind_fit": 1.0 if _kind_fits(intent, chosen) else 0.0,
            "lexical_overlap": _overlap(weights, _sentence_of(chosen.hit.chunk.text, chosen.start)[2]),
            "time_named": 1.0 if asked else 0.0,
        }
        return chosen, features, None

    def _unasked_plan_span(self, intent: QuestionIntent, span: SpanCandidate) -> bool:
        """The span is a figure whose wording makes it a plan, and the question did not say which it wants."""
        return (
            intent.wants_figure
            and span.figure is not None
            and span.figure.is_quantity
            and question_mood(intent.text) == Mood.UNSAID
            and figure_mood(span.hit.chunk.text, span.start, span.end) == Mood.PLAN
        )

    def _placed_span(self, span: SpanCandidate) -> _Placed:
        mood = figure_mood(span.hit.chunk.text, span.start, span.end) if span.figure.is_quantity else Mood.UNSAID
        return _Placed(span.hit, span.start, span.figure, mood)

    def actuals_for(self, plan: _Placed, others: list[_Placed]) -> list[int]:
        """Which of `others` (in their order) state the actual figure of what the plan figure plans: a result its own
        sentence states beside it (「计划新建3000个，实际建成3260个」; not a 「其中」 part), or a figure that is no plan and
        measures the same thing by the same words, times and plan words aside (「去年……城镇新增就业12.66万人」 for the
        target 「今年……城镇新增就业9万人以上」 of the year before)."""
        text = plan.hit.chunk.text
        sentence = _full_sentence_start(text, plan.start)
        measure = self._measure_words(plan)
        found = []
        for index, other in enumerate(others):
            same_kind = (other.figure.kind, other.figure.unit) == (plan.figure.kind, plan.figure.unit)
            if other.mood == Mood.PLAN or not same_kind:
                continue
            if other.hit.chunk.id == plan.hit.chunk.id and _full_sentence_start(text, other.start) == sentence:
                between = text[min(plan.start, other.start) : max(plan.start, other.start)]
                if other.mood == Mood.ACTUAL and "其中" not in between:
                    found.append(index)
                continue
            words = self._measure_words(other)
            if min(len(words), len(measure)) >= MIN_MEASURE_BIGRAMS and (words <= measure or measure <= words):
                found.append(index)
        return found

    def _measure_words(self, placed: _Placed) -> frozenset[str]:
        """What a figure measures: the bigrams of its clause up to the figure, without times, plan and result words."""
        text = placed.hit.chunk.text
        start = max((match.end() for match in CLAUSE_BREAK.finditer(text, 0, placed.start)), default=0)
        label = text[start : placed.start]
        for mention in find_times(label, self.document_years.get(placed.hit.chunk.doc)):
            label = label[: mention.start] + " " * (mention.end - mention.start) + label[mention.end :]
        return frozenset(bigrams(without_mood_words(label)))

    def _support_veto(self, intent: QuestionIntent, candidate: SpanCandidate, asked) -> Veto | None:
        """A named reason why this span cannot answer the question, or None when it is supported."""
        chunk = candidate.hit.chunk
        if asked:
            if candidate.time is not None:
                if not any(candidate.time.overlaps(span) for span in asked):
                    return Veto("year", f"问题问{'、'.join(map(str, asked))}，这句话说的是{candidate.time}")
            elif not any(t.overlaps(span) for t in self._paragraph_times(chunk, candidate.start) for span in asked):
                return Veto("year", f"段落没有提到{'、'.join(map(str, asked))}")
        # 计划与实际之分只对数字有意义：「决定从今年起免除……」是一件已定的事，不是目标
        if intent.wants_figure and candidate.figure is not None and candidate.figure.is_quantity:
            mood, asked_mood = figure_mood(chunk.text, candidate.start, candidate.end), question_mood(intent.text)
            if Mood.UNSAID not in (mood, asked_mood) and mood != asked_mood:
                return _mood_veto(candidate.text, mood)
        veto = self._place_absent(intent, chunk) or self.table_cells.veto(intent.text, chunk.doc, chunk.start + candidate.start, candidate.text)
        if veto is not None:
            return veto
        context = chunk.context_text().lower()
        for term in re.findall(r"[A-Za-z][A-Za-z0-9]+|\d+[A-Za-z]+", intent.content):
            if term.lower() not in context:
                return Veto("term", f"段落里没有问题中的「{term}」")
        return None

    # ---- 候选 -------------------------------------------------------------

    def _ranked_candidates(self, intent: QuestionIntent, hits: list[Hit], weights: _Terms) -> list[_Candidate]:
        """Every figure (or, for other questions, clause) candidate of the passages, best score first."""
        candidates = []
        focus = self._weights(intent.focus)
        for hit, start, sentence, sentence_score in _sentences(hits, weights):
            if intent.wants_figure:
                candidates.extend(self._figure_candidates(intent, hit, sentence, start, weights, sentence_score))
            else:
                rank_bonus = self.settings.rank_weight / hit.rank
                candidates.extend(self._clause_candidates(hit, sentence, start, weights, sentence_score + rank_bonus, focus))
        return sorted(candidates, key=lambda candidate: -candidate.score)  # 稳定排序：同分时先出现的在前

    def _figure_candidates(self, intent, hit, sentence, offset, weights, sentence_overlap):
        figures = find_figures(sentence)
        span = (hit.chunk.start + offset, hit.chunk.start + offset + len(sentence))
        for position, figure in enumerate(figures):
            fit = _kind_fit(intent, figure)
            if fit is None:
                continue
            clause_start, clause_end = clause_bounds(sentence, figure)
            clause = sentence[clause_start:clause_end]
            label_text = clause
            if figure.kind in ("date", "range"):
                label_text = sentence  # 「5月26日，由……主办的……论坛在杭州举行」：日期管整句
            elif len(clause) - len(figure.text) < 4:
                # 数字自成一个分句：说明在前一分句（「业务类信息53146条，占50.4%」）；句首的看后一分句（「9月3日至9月6日，第二届……」）
                previous = CLAUSE_BREAK.split(sentence[:clause_start].rstrip("，,；;（("))[-1]
                if previous:
                    label_text = previous + clause
                else:
                    next_start, next_end = clause_bounds(sentence, None, clause_end + 1)
                    label_text = clause + sentence[next_start:next_end]
            # 「……202家，其中示范企业88家」：分项继承总数的说明，再靠紧挨着的词区分
            label_text = breakdown_context(sentence, clause_start, hit.chunk.text[:offset]) + label_text
            left, right = windows(sentence, figures, position)
            # 相对时间（「去年」「过去五年」）按文档年份解析；其余沿用句内的年份线索
            year = self.document_years.get(hit.chunk.doc)
            mention = governing_time(hit, offset + figure.start, year) if year else None
            time = None
            if mention is not None and mention.relative:
                years = {str(year) for year in range(mention.span.start, mention.span.end + 1)}
                time = _time_record(mention)
            else:
                years = figure_years(sentence, figures, position, hit.chunk.text[:offset])
            # 计划还是实际看分句的措辞，不看年份：回顾去年的公报、年报、新闻稿写的是实际数。日期、名次无所谓计划
            mood = Mood.UNSAID
            if figure.is_quantity:
                mood = figure_mood(hit.chunk.text, offset + figure.start, offset + figure.end)
            asked_mood = question_mood(intent.text)
            plan = mood == Mood.PLAN and asked_mood == Mood.UNSAID
            matched = bool(intent.years and years and years & set(intent.years))
            conflict = bool(intent.years and years and not matched)
            wrong_mood = Mood.UNSAID not in (mood, asked_mood) and mood != asked_mood
            people = weights.counts_people and not intent.unit and not intent.measure and figure.kind == "number"
            features = {
                "label_overlap": _overlap(weights, label_text),
                "adjacent_overlap": _overlap(weights, left + right),
                "adjacent_precision": _precision(left, intent.content),
                "sentence_overlap": sentence_overlap,
                "rank_prior": 1.0 / hit.rank,
                "kind_fit": fit,
                "person_unit_match": float(people and figure.unit in PERSON_UNITS),
                "person_unit_mismatch": float(people and figure.unit not in PERSON_UNITS),
                "approximate_qualifier": float(bool(intent.approximate and figure.qualifier)),
                "counted_follows": float(bool(intent.counted) and sentence.startswith(intent.counted, figure.end)),
                "suffix_match": float(_suffix_match(left, intent.content)),
                "year_match": float(matched),
                "year_mismatch": float(conflict),
                "plan_for_actual": float(plan),  # 问题没说问计划，分句说这是计划或目标
                # 问题里已经写着这个数（「2008年……」问的年份本身）：它是条件，多半不是答案
                "echoes_question": float(to_half_width(figure.text) in to_half_width(intent.text)),
            }
            phrase, lead_start = _figure_phrase(sentence, figures, figure, clause_start, clause_end, hit.chunk.text[:offset])
            quote_span = (hit.chunk.start + lead_start, span[1]) if lead_start is not None else span
            score = rule_score(features, self._rule_weights)
            part = next((label for label in breakdown_items(sentence, figures, position) if label in intent.text), "")
            plan_conflict = wrong_mood and not conflict  # 年份也不对时说年份
            yield _Candidate(score, hit, quote_span, figure, phrase, conflict, time, features, offset, plan_conflict, part, mood)


    def _clause_candidates(self, hit, sentence, offset, weights, base, focus):
        span = (hit.chunk.start + offset, hit.chunk.start + offset + len(sentence))
        clauses = [c for c in re.split(r"[，,；;]", sentence) if c.strip()]
        for index, clause in enumerate(clauses):
            score = 2.0 * _overlap(weights, clause) + 1.5 * _overlap(focus, clause) + base
            if len(sentence) <= _SHORT_SENTENCE:
                phrase = sentence
            else:
                # 带上后面的分句：最相关的分句太短，或后一分句有问题里别的词（「……试运行，标志着……新时代」）
                parts = [clause]
                for following in clauses[index + 1 :]:
                    joined = "".join(parts)
                    if len(joined) >= 16 and _overlap(weights, joined + following) <= _overlap(weights, joined):
                        break
                    parts.append(following)
                    if len(parts) >= 3:
                        break
                phrase = "，".join(part.strip() for part in parts)
            yield _Candidate(score, hit, span, None, phrase.strip())

    # ---- 计算题 -----------------------------------------------------------

    def _computed(self, intent: QuestionIntent, hits: list[Hit], weights: _Terms) -> Answer | None:
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
                    # 指标名紧挨在「由」前面，比整句的重合更能区分同一段里的几个指标
                    if intent.unit and before.unit != intent.unit and not (intent.unit == "个百分点" and before.kind == "percent"):
                        continue
                    score = (
                        _change_score(weights, left, sentence, hit)
                        + CHANGE_WEIGHTS["suffix_match"] * _suffix_match(re.sub(r"(?:由|从)$", "", left), intent.content)
                    )
                    span = last_year_range(chunk.text[:start] + sentence)
                    years = set(span.groups()) if span else set()
                    if intent.years and years and not set(intent.years) <= years:
                        continue
                    if best is None or score > best[0]:
                        best = (score, hit, start, end, before, after, left)
        if best is None or best[0] < self.settings.min_figure_score:
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
        citation = _citation(hit.chunk, hit.chunk.start + start, hit.chunk.start + end)
        figures = (
            {"text": result_text, "value": value, "unit": unit, "computed": True, "formula": formula},
            before.as_dict(),
            after.as_dict(),
        )
        return Answer(intent.text, answer_text, False, figures, (citation,), tuple(hits), span=result_text)

    def _previous_year(self, intent: QuestionIntent, hits: list[Hit], weights: _Terms) -> Answer | None:
        """「2000年全国普通高校招生多少人？」 from 「（2001年）全国普通高校招生268万人，比上年增加48万人」: 220万人,
        computed and shown with its formula. Only from a figure whose governing time is the year after the one asked."""
        asked = int(intent.years[0])
        best = None
        for hit in hits:
            chunk = hit.chunk
            year = self.document_years.get(chunk.doc)
            for start, end in sentence_spans(chunk.text, 0, len(chunk.text)):
                sentence = chunk.text[start:end]
                figures = find_figures(sentence)
                quantities = [figure for figure in figures if figure.is_quantity]
                for position, figure in enumerate(quantities):
                    derived = previous_year_value(sentence, quantities, position)
                    if derived is None or (intent.unit and figure.unit != intent.unit):
                        continue
                    # 数字的时间：段内管着它的时间，没有就看小节标题（「首先报告２００１年的工作」）
                    mention = governing_time(hit, start + figure.start, year)
                    heading_year = section_year(chunk.section_path, year)
                    time = mention.span if mention else (TimeSpan(heading_year, heading_year) if heading_year else None)
                    if time != TimeSpan(asked + 1, asked + 1):
                        continue
                    left, _ = windows(sentence, quantities, position)
                    score = _change_score(weights, left, sentence, hit)
                    if score < self.settings.min_figure_score or self._place_veto(intent, left + figure.text, sentence, chunk):
                        continue
                    if best is None or score > best[0]:
                        best = (score, hit, start, end, figure, derived, mention)
        if best is None:
            return None
        _, hit, start, end, figure, (result, formula, value, unit, change), mention = best
        sentence = hit.chunk.text[start:end].rstrip("。；;，, ")
        basis = f"{resolve_label(mention)}，" if mention else f"{asked + 1}年，"
        answer_text = f"{asked}年为{result}（{formula}）。依据：{basis}{sentence}。[1]"
        time = _time_record(mention) if mention and mention.relative else None
        citation = _citation(hit.chunk, hit.chunk.start + start, hit.chunk.start + end, time)
        figures = ({"text": result, "value": value, "unit": unit, "computed": True, "formula": formula}, figure.as_dict(), change.as_dict())
        return Answer(intent.text, answer_text, False, figures, (citation,), tuple(hits), span=result)

    # ---- 拒答 -------------------------------------------------------------

    def rules_veto(self, intent: QuestionIntent, candidate: _Candidate, check_score: bool = True) -> Veto | None:
        """Why the chosen passage does not really answer (it is only the closest thing), or None."""
        chunk = candidate.hit.chunk
        context = chunk.context_text()
        if candidate.plan_conflict:
            return _mood_veto(candidate.figure.text, candidate.mood)
        if candidate.year_conflict:
            return Veto("year", f"问题问{'、'.join(intent.years)}年，「{candidate.figure.text}」说的是别的年份")
        if candidate.part_named:
            return Veto("part", f"问题问的是其中的「{candidate.part_named}」，「{candidate.figure.text}」是总数")
        if candidate.figure is not None:
            position = chunk.start + candidate.sentence_offset + candidate.figure.start
            veto = self.table_cells.veto(intent.text, chunk.doc, position, candidate.figure.text)
            if veto is not None:
                return veto
        # 问的年份要在这个数字所在的自然段（连同标题、小节标题）里提到，「去年」「过去五年」按文档年份解析后也算；
        # 同一段落块里另一个自然段的「一年来」管不到它
        sentence_start = candidate.sentence[0] - chunk.start
        own_paragraph = _paragraph_context(chunk, sentence_start)
        resolved = self._paragraph_times(chunk, sentence_start)
        for year in intent.years:
            if year not in own_paragraph and not any(span.start <= int(year) <= span.end for span in resolved):
                return Veto("year", f"段落没有提到{year}年")
        sentence = chunk.text[sentence_start : candidate.sentence[1] - chunk.start]
        veto = self._place_veto(intent, candidate.phrase, sentence, chunk)
        if veto is not None:
            return veto
        # 「ISO9001」「5G」这类字母数字的名称，段落里必须有
        for term in re.findall(r"[A-Za-z][A-Za-z0-9]+|\d+[A-Za-z]+", intent.content):
            if term.lower() not in context.lower():
                return Veto("term", f"段落里没有问题中的「{term}」")
        if check_score and candidate.figure is not None and candidate.score < self.settings.min_figure_score:
            return Veto("low_score", f"最接近的数字「{candidate.figure.text}」与问题对不上（得分 {candidate.score:.2f}，低于 {self.settings.min_figure_score}）")
        return None

    def _place_veto(self, intent: QuestionIntent, phrase: str, sentence: str, chunk: Chunk) -> Veto | None:
        """A place named in the question must be what the answer is about (see `_place_supported`),
        or the passage's subject: named in the passage while neither the sentence nor the document's title and
        section name another place (a Hangzhou report that mentions Beijing once is not about Beijing; a place
        the question names itself is not another place). Compared in simplified characters (「臺灣」 is 「台湾」)."""
        question = to_simplified(intent.text)
        asked = self.place_names(question)
        if not asked:
            return None
        folded = _folded(chunk)
        phrase, sentence = to_simplified(phrase), to_simplified(sentence)
        for place in asked:
            if _place_supported(place, question, phrase, folded):
                continue
            around = " ".join((sentence, folded.title, *folded.section_path))
            if place in folded.text and not set(self.place_names(around)) - set(asked):
                continue
            return Veto("place", f"问题问的是「{place}」，段落说的不是它")
        return None

    def _place_absent(self, intent: QuestionIntent, chunk: Chunk) -> Veto | None:
        """A place named in the question must at least be named in the passage (title, section or text). The span
        reader reads the question with the passage, so it tells 「A国的首都」 from 「B国的首都」 itself; a figure
        chosen by lexical features needs the stricter `_place_veto`."""
        folded = _folded(chunk)
        context = " ".join((folded.title, *folded.section_path, folded.text))
        for place in self.place_names(to_simplified(intent.text)):
            if place not in context:
                return Veto("place", f"问题问的是「{place}」，段落里没有提到它")
        return None

    def _paragraph_times(self, chunk: Chunk, position: int) -> list[TimeSpan]:
        """The years or ranges that the paragraph holding `position` (with the title and section path) speaks of,
        relative ones resolved and comparison bases left out: a figure or span must be about the year asked there,
        not somewhere else in the chunk (「一年来」 two paragraphs down says nothing about this one)."""
        year = self.document_years.get(chunk.doc)
        return list(_times_spoken_of(_paragraph_context(chunk, position), year, section_year(chunk.section_path, year)))

    def documents_named(self, question: str) -> frozenset[str] | None:
        """The corpus documents a question names by year and kind (「根据2002年政府工作报告，……」), None if none."""
        years = named_document_years(question)
        named = frozenset(doc for doc, year in self.document_years.items() if year in years)
        return named or None

    def place_names(self, text: str) -> list[str]:
        """Place and organisation names in a text: jieba tags them ns/nt, and Cilin, where it knows the word, agrees."""
        # 问题里的地名、机构名必须出现在答案段落里：问宁波的事，不能拿杭州的数字回答
        places = [
            word
            for word, flag in self._pos.lcut(text)
            if flag in ("ns", "nt") and len(word) >= 2 and word not in _GENERIC_PLACES and not self.thesaurus.never_a_place(word)
        ]
        # 「杭州市」与「杭州」是同一个地方；「全国人大常委会」在正文里常写作「人大常委会」
        places = [word[:-1] if len(word) > 2 and word[-1] in "市省县区" else word for word in places]
        return [word[len(_NATIONWIDE) :] if word.startswith(_NATIONWIDE) and len(word) > len(_NATIONWIDE) + 1 else word for word in places]

    def question_terms(self, intent: QuestionIntent) -> _Terms:
        """What to look for in the passages for this question (its content words, else the whole question)."""
        return self._weights(intent.content or intent.text)

    def _weights(self, text: str) -> _Terms:
        weights = {gram: self._idf(gram) for gram in set(bigrams(text))}
        alternatives, counts_people = [], False
        for word in self.index.tokenizer.jieba.lcut(text):
            if len(word) < 2 or word in STOP_WORDS:
                continue
            counts_people = counts_people or self.thesaurus.names_people(word)
            word_grams = set(bigrams(word))
            if all(self._bigram_df.get(gram) for gram in word_grams):
                continue  # 语料里有这个词，用不着同义词
            options = tuple(
                frozenset(bigrams(synonym))
                for synonym in sorted(self.thesaurus.synonyms(word))
                if len(synonym) >= 2 and all(self._bigram_df.get(gram) for gram in bigrams(synonym))
            )
            if options:
                alternatives.append((sum(weights.get(gram, 0.0) for gram in word_grams), options))
        return _Terms(weights, tuple(alternatives), sum(weights.values()), counts_people)

    def _idf(self, gram: str) -> float:
        return math.log((self._chunk_count + 1) / (self._bigram_df.get(gram, 0) + 0.5))


# ---- 打分的小工具 -----------------------------------------------------------


def rule_score(features: dict[str, float], weights: dict[str, float] = RULE_WEIGHTS) -> float:
    """The rules route's score of a figure candidate: its named features times hand-set weights."""
    return sum(weights[name] * features[name] for name in weights)


def _change_score(weights: _Terms, label: str, sentence: str, hit: Hit) -> float:
    """How well a computed answer's inputs match the question: the words right before the figure count most."""
    return (
        CHANGE_WEIGHTS["label_overlap"] * _overlap(weights, label)
        + CHANGE_WEIGHTS["sentence_overlap"] * _overlap(weights, sentence)
        + CHANGE_WEIGHTS["rank_prior"] / hit.rank
    )


@lru_cache(maxsize=4096)
def _times_spoken_of(text: str, doc_year: int | None, heading_year: int | None) -> tuple[TimeSpan, ...]:
    """The resolved times of a text, comparison bases left out; cached, since every figure candidate of a paragraph
    asks about the same paragraph."""
    return tuple(m.span for m in find_times(text, doc_year, heading_year) if not m.comparison)


def _paragraph_context(chunk: Chunk, position: int) -> str:
    """The chunk's heading line (title and section path) and the paragraph of its text that holds `position`."""
    context = chunk.context_text()
    end = chunk.text.find("\n", position)
    paragraph = chunk.text[chunk.text.rfind("\n", 0, position) + 1 : end if end >= 0 else len(chunk.text)]
    return context[: context.index("\n") + 1] + paragraph


def _sentences(hits: list[Hit], weights: _Terms):
    """(hit, sentence start in the chunk, sentence, overlap of the sentence and section path with the question)."""
    for hit in hits:
        chunk = hit.chunk
        for start, end in sentence_spans(chunk.text, 0, len(chunk.text)):
            sentence = chunk.text[start:end]
            yield hit, start, sentence, _overlap(weights, sentence + " ".join(chunk.section_path))


def _overlap(terms: _Terms, text: str) -> float:
    """Share of the question's weighted bigrams (or synonyms standing in for them) that appear in text."""
    if terms.total <= 0:
        return 0.0
    present = set(bigrams(text))
    found = sum(weight for gram, weight in terms.bigrams.items() if gram in present)
    found += sum(weight for weight, options in terms.alternatives if any(option <= present for option in options))
    return min(1.0, found / terms.total)


def _precision(left: str, question: str) -> float:
    """Share of the words right before a figure that the question also uses."""
    grams = bigrams(left)
    if not grams:
        return 0.0
    asked = set(bigrams(question))
    return sum(1 for gram in grams if gram in asked) / len(grams)


def _suffix_match(label: str, question: str) -> int:
    """How many characters at the end of the label (the words right before a figure) the question repeats."""
    label = label.rstrip("的为达是了共有 ")
    longest = 0
    for size in range(2, min(len(label), 8) + 1):
        if label[-size:] in question:
            longest = size
        else:
            break
    return longest


def _ordinal_counter(question: str) -> str | None:
    """The counter of a 「第几次」「第几届」 question (an order of events, not a rank), else None."""
    match = re.search(r"第几", question)
    if match is None:
        return None
    rest = question[match.end() :]
    return next((counter for counter in sorted(_NOT_A_RANK, key=len, reverse=True) if rest.startswith(counter)), None)


def _kind_fit(intent: QuestionIntent, figure: Figure) -> float | None:
    """How well a figure's kind fits the question; None when it cannot be the answer."""
    wants = intent.wants
    if wants in ("number", "difference", "rate"):
        if figure.kind in ("date", "range", "ordinal", "fraction"):
            return None
        if figure.kind == "percent":
            if intent.unit_named and intent.unit not in ("%", "个百分点"):
                return None  # 问题写明「多少亿元」「多少人」，百分数答不上（「产值增长了多少」可以是百分数）
            if wants == "number" and not _ASKS_CHANGE.search(intent.text):
                return None  # 问「国内生产总值是多少」要的是总量；「年均增长9.3%」只回答「增长了多少」
            return -0.6 if wants == "number" else 0.0
        if intent.unit:
            if figure.unit == intent.unit:
                return 0.5
            # 「个」是通用量词：「多少处」可以是「283个」
            return 0.0 if figure.unit == "个" and intent.unit in COUNT_UNITS else -0.5
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


def _figure_phrase(
    sentence: str, figures: list[Figure], figure: Figure, clause_start: int, clause_end: int, text_before: str
) -> str:
    """The answering clause; when it holds several quantities, the chosen figure goes first."""
    """Returns (phrase, where the cited quote must start when the lead comes from before the sentence)."""
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


class _FoldedChunk(NamedTuple):
    """A chunk's title, section path and text in simplified characters, for comparing names."""

    title: str
    section_path: tuple[str, ...]
    text: str


@lru_cache(maxsize=1024)
def _folded(chunk: Chunk) -> _FoldedChunk:
    """The chunk in simplified characters, folded once: every figure candidate of a passage asks for it."""
    return _FoldedChunk(to_simplified(chunk.title), tuple(map(to_simplified, chunk.section_path)), to_simplified(chunk.text))


def _place_supported(place: str, question: str, phrase: str, chunk: _FoldedChunk) -> bool:
    """A place named in the question must be what the passage is about: in the title or section, in the
    answering clause, or inside a longer phrase the question shares with the passage. 「位居北京、上海之后」
    does not make a Hangzhou figure a Beijing one."""
    if place in chunk.title or any(place in part for part in chunk.section_path) or place in phrase:
        return True
    context = chunk.text
    start = question.find(place)
    if start < 0 or place not in context:
        return False
    left, right = start, start + len(place)
    while left > 0 and question[left - 1 : right] in context:
        left -= 1
    while right < len(question) and question[left : right + 1] in context:
        right += 1
    return right - left >= len(place) + 2


# ---- 组装答案 ---------------------------------------------------------------


def _unasked_plan(intent: QuestionIntent, candidate: _Candidate) -> bool:
    """The figure's clause says it is a plan or target and the question did not say which it wants."""
    return candidate.mood == Mood.PLAN and question_mood(intent.text) == Mood.UNSAID


class _Placed(NamedTuple):
    """A figure where it stands (its start in its chunk's text) and what its wording makes it."""

    hit: Hit
    start: int
    figure: Figure
    mood: Mood


def _placed(candidate: _Candidate) -> _Placed:
    return _Placed(candidate.hit, candidate.sentence_offset + candidate.figure.start, candidate.figure, candidate.mood)


def _full_sentence_start(text: str, position: int) -> int:
    """Where the sentence holding `position` begins, across 「；」 (a candidate's own sentence stops there)."""
    return max(text.rfind(mark, 0, position) for mark in "。！？!?\n") + 1


def _extractive_answer(
    question: str, candidate: _Candidate, hits: list[Hit], confidence: float | None = None, plan: bool = False
) -> Answer:
    """The answer from a figure or clause candidate; a plan figure the question did not ask for is marked as one."""
    chunk = candidate.hit.chunk
    start, end = candidate.sentence
    phrase = candidate.phrase.rstrip("。；;，, ")
    answer_text = f"{phrase}{PLAN_MARK if plan else ''}。[1]"
    figures = (candidate.figure.as_dict() | ({"plan": True} if plan else {}),) if candidate.figure else ()
    span = candidate.figure.text if candidate.figure else phrase
    citation = _citation(chunk, start, end, candidate.time)
    return Answer(question, answer_text, False, figures, (citation,), tuple(hits), span=span, confidence=confidence)


def _mood_veto(figure: str, mood: Mood) -> Veto:
    """The figure's clause says it is a plan and the question asks for the actual figure, or the reverse."""
    if mood == Mood.PLAN:
        return Veto("plan", f"「{figure}」所在的分句说它是计划或目标，问题问的是实际数")
    return Veto("plan", f"「{figure}」所在的分句说它是实际数，问题问的是计划或目标")


def _confidence_veto(span: str, confidence: float, threshold: float) -> Veto:
    return Veto("confidence", f"最可能的答案「{_shorten(span, 20)}」把握只有 {confidence:.0%}，低于 {threshold:.0%}")


def _clip_margin(margin: float | None) -> float:
    """A reader margin as a feature: bounded, and the floor when the reader did not read the figure."""
    if margin is None:
        return -MARGIN_LIMIT
    return max(-MARGIN_LIMIT, min(MARGIN_LIMIT, margin))


def _citation(chunk: Chunk, start: int, end: int, time: dict | None = None) -> Citation:
    quote = chunk.text[start - chunk.start : end - chunk.start]
    return Citation(chunk.doc, chunk.title, chunk.section_path, quote, start, end, time)


def _time_record(mention) -> dict:
    """A resolved relative time as the citation shows it: {"text": "去年", "label": "去年（2012年）", ...}."""
    return {"text": mention.text, "label": resolve_label(mention), "start": mention.span.start, "end": mention.span.end}


def _abstain(question: str, hits: list[Hit], veto: Veto | None = None, confidence: float | None = None) -> Answer:
    text = f"知识库中没有找到「{_shorten(question, 40)}」的答案。下面是可能相关的段落，供参考。"
    return Answer(question, text, True, (), (), tuple(hits), confidence=confidence, veto=veto)


def _sentence_of(text: str, position: int) -> tuple[int, int, str]:
    """(start, end, sentence) around a position; the sentence keeps its closing punctuation."""
    start, end = sentence_around(text, position)
    return start, end, text[start:end]


def _kind_fits(intent: QuestionIntent, candidate: SpanCandidate) -> bool:
    """A question that asks for a quantity, date or rank needs a span that is one of the right kind."""
    if not intent.wants_figure:
        return True
    if candidate.figure is None:
        return False
    fit = _kind_fit(intent, candidate.figure)
    return fit is not None and fit >= 0  # 负分是「能用但不像」：单位不对、问数量答了百分数


def _span_answer(
    question: str, candidate: SpanCandidate, hits: list[Hit], confidence: float, plan: bool = False
) -> Answer:
    """The answer sentence (the span's clause, with its opening time phrase), the span and its citation; `plan`: the
    span is a plan figure the question did not ask for, marked as one."""
    chunk = candidate.hit.chunk
    start, end, sentence = _sentence_of(chunk.text, candidate.start)
    local_start, local_end = candidate.start - start, min(candidate.end, end) - start
    breaks = [i for i in clause_breaks(sentence) if sentence[i] not in "（）()"]
    clause_start = max([i + 1 for i in breaks if i < local_start], default=0)
    clause_end = min([i for i in breaks if i >= local_end], default=len(sentence))
    clause = sentence[clause_start:clause_end].strip("，,；;、：: 。")
    if len(clause) < len(candidate.text) + 4 and clause_start > 0:
        # 分句太短（只有数字）：带上前一个分句，说明这是什么的数字
        previous = max([i + 1 for i in breaks if i < clause_start - 1], default=0)
        clause = sentence[previous:clause_end].strip("，,；;、：: 。")
        clause_start = previous
    lead = leading_time(sentence, clause_start)
    answer_text = f"{lead}{clause}{PLAN_MARK if plan else ''}。[1]"
    time = None
    if candidate.time_mention is not None and candidate.time_mention.relative:
        time = _time_record(candidate.time_mention)
    citation = Citation(chunk.doc, chunk.title, chunk.section_path, sentence, chunk.start + start, chunk.start + end, time)
    figures = (
        (candidate.figure.as_dict() | ({"plan": True} if plan else {}),)
        if candidate.figure and candidate.figure.text in candidate.text
        else ()
    )
    return Answer(question, answer_text, False, figures, (citation,), tuple(hits), span=candidate.text, confidence=confidence)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_record(answer: Answer, latency_ms: float | None = None, question_id: str | None = None) -> dict:
    """The DESIGN.md JSON shape of one answer."""
    record = {"id": question_id} if question_id is not None else {}
    record.update(
        {
            "question": answer.question,
            "answer": answer.answer,
            "span": answer.span,
            "confidence": None if answer.confidence is None else round(answer.confidence, 4),
            "abstained": answer.abstained,
            "veto": None if answer.veto is None else {"name": answer.veto.name, "reason": answer.veto.reason},
            "figures": list(answer.figures),
            "citations": [
                {"doc": c.doc, "title": c.title, "section": list(c.section), "quote": c.quote, "start": c.start, "end": c.end}
                | ({"time": c.time} if c.time else {})
                | ({"location": c.location.as_dict()} if c.location else {})
                for c in answer.citations
            ],
            "passages": [
                {"chunk_id": h.chunk.id, "doc": h.chunk.doc, "section": list(h.chunk.section_path), "text": h.chunk.text, "score": round(h.score, 4)}
                for h in answer.passages
            ],
        }
    )
    if latency_ms is not None:
        record["latency_ms"] = round(latency_ms, 1)
    return record
