"""The reading side's pieces on invented sentences: figure snapping, time of a span, calibrated confidence."""
import math

import numpy as np

from qa.reading.evidence import EVIDENCE_FEATURES
from qa.reading.ranking import EVIDENCE_IN_CONFIDENCE, Calibration, FigureRanker
from qa.reading.reader import governing_time, read_spans, snap_to_figure
from qa.reading.span_model import Window, WindowSettings, best_spans, trim_span
from qa.reading.spans import PassageSpan, Reading
from qa.types import Chunk, Hit


def _hit(text: str, title: str = "2013年政府工作报告", doc: str = "report.txt") -> Hit:
    return Hit(Chunk("c1", doc, title, (title,), text, 0, len(text)), 1.0, 1)


def test_a_span_that_cuts_a_figure_is_widened_to_the_whole_figure():
    text = "至2007年底，全市因特网注册用户148.13万户，宽带用户120.44万户。"
    start = text.index("148.13")
    snapped = snap_to_figure(text, start, start + len("148.13万"), slack=1)
    assert text[snapped[0] : snapped[1]] == "148.13万户" and snapped[2].unit == "户"


def test_a_span_longer_than_its_figure_is_kept():
    text = "他生于永禄5年（1562年），卒于庆长十年。"
    start = text.index("永禄")
    end = text.index("）") + 1
    assert snap_to_figure(text, start, end, slack=1)[:2] == (start, end)


def test_a_span_loses_the_particles_a_token_glued_to_it():
    text = "当时波士顿凯尔特人的球员在日本冲绳县登陆。"
    start = text.index("波士顿")
    assert text[slice(*trim_span(text, start, text.index("球员")))] == "波士顿凯尔特人"
    start = text.index("在日本")
    assert text[slice(*trim_span(text, start, text.index("登陆")))] == "日本冲绳县"


def test_a_span_of_one_particle_is_kept():
    assert trim_span("这是他的书", 3, 4) == (3, 4)


def test_a_span_never_crosses_a_sentence_end():
    passage = "中印关系继续改善。我国和不丹开始谈判。"
    # 一字一个 token；模型最看好从「中」起到「丹」止（跨句），其次是「不丹」
    window = Window(list(range(len(passage) + 1)), 1, list(range(len(passage))), list(range(1, len(passage) + 1)))
    starts, ends = np.zeros(len(passage) + 1), np.zeros(len(passage) + 1)
    starts[1 + passage.index("中")], starts[1 + passage.index("不")] = 5.0, 3.0
    ends[1 + passage.index("丹")] = 5.0
    free = best_spans(window, starts, ends, WindowSettings(), top=1)
    assert passage[free[0].start : free[0].end] == "中印关系继续改善。我国和不丹"
    (kept,) = best_spans(window, starts, ends, WindowSettings(), top=1, passage=passage)
    assert passage[kept.start : kept.end] == "不丹"


def test_last_year_in_a_2013_report_is_2012():
    text = "过去五年，国内生产总值从26.6万亿元增加到51.9万亿元。去年国内生产总值增长7.8%。"
    mention = governing_time(_hit(text), text.index("7.8%"), 2013)
    assert (mention.text, mention.span.start, mention.span.end, mention.relative) == ("去年", 2012, 2012, True)
    five_years = governing_time(_hit(text), text.index("51.9"), 2013)
    assert (five_years.span.start, five_years.span.end) == (2008, 2012)


def test_calibration_is_a_logistic_model_over_named_features():
    calibration = Calibration({"null_margin": 0.5, "share": 2.0}, -1.0, 0.5)
    expected = 1 / (1 + math.exp(-(-1.0 + 0.5 * 4.0 + 2.0 * 0.25)))
    assert math.isclose(calibration.probability({"null_margin": 4.0, "share": 0.25}), expected)


def _ranker() -> FigureRanker:
    confidence = Calibration({"odds_over_none": 1.0, "share": 0.0, "lead": 0.0}, 0.0, 0.5)
    return FigureRanker({"overlap": 2.0}, {"reader_best_margin": 0.0}, 1.0, confidence)


def test_the_ranker_chooses_by_score_and_its_confidence_is_the_odds_against_none():
    ranker = _ranker()
    rows = [{"overlap": 1.0, "reader_best_margin": 0.0}, {"overlap": 0.0, "reader_best_margin": 0.0}]
    features = ranker.choice_features(rows)
    assert ranker.scores(rows) == [2.0, 0.0]
    assert math.isclose(features[0]["odds_over_none"], 1.0) and math.isclose(features[0]["lead"], 2.0)
    assert math.isclose(features[0]["share"] + features[1]["share"], 1.0)
    assert math.isclose(ranker.probabilities(rows)[0], 1 / (1 + math.exp(-1.0)))


def test_a_crowd_of_weaker_figures_does_not_lower_the_best_ones_odds():
    ranker = _ranker()
    best = {"overlap": 1.0, "reader_best_margin": 0.0}
    weak = {"overlap": 0.2, "reader_best_margin": 0.0}
    alone = ranker.choice_features([best])[0]
    crowded = ranker.choice_features([best] + [weak] * 20)[0]
    assert alone["odds_over_none"] == crowded["odds_over_none"]
    assert crowded["share"] < alone["share"]


def test_copies_of_one_figure_in_overlapping_passages_count_once():
    """The same sentence at the seam of two chunks gives two copies of its figure: the better-scoring one is kept, and
    its share and lead are then those of one answer, not of two rivals."""
    ranker = _ranker()
    rows = [{"overlap": 1.0, "reader_best_margin": 0.0}, {"overlap": 0.8, "reader_best_margin": 0.0}, {"overlap": 0.5, "reader_best_margin": 0.0}]
    places = ["report.txt@120", "report.txt@120", "report.txt@300"]
    assert ranker.distinct(ranker.scores(rows), places) == [0, 2]
    kept = [rows[i] for i in ranker.distinct(ranker.scores(rows), places)]
    split, whole = ranker.choice_features(rows)[0], ranker.choice_features(kept)[0]
    assert whole["share"] > split["share"] and whole["lead"] > split["lead"]
    assert whole["odds_over_none"] == split["odds_over_none"]


def test_a_feature_the_retrieval_could_not_give_counts_at_its_fitted_mean():
    confidence = Calibration({"odds_over_none": 1.0}, 0.0, 0.5)
    ranker = FigureRanker({"overlap": 2.0, "passage_similarity": 10.0}, {}, 1.0, confidence, defaults={"passage_similarity": 0.8})
    without = {"overlap": 1.0}  # 只用 BM25 检索：没有向量分
    assert ranker.scores([without]) == ranker.scores([{"overlap": 1.0, "passage_similarity": 0.8}]) == [10.0]


def test_the_shipped_ranker_loads_with_a_threshold():
    ranker = FigureRanker.load()
    assert 0.0 < ranker.threshold < 1.0
    assert set(ranker.confidence.weights) == {"odds_over_none", "share", "lead", *EVIDENCE_IN_CONFIDENCE}
    assert ranker.threshold <= ranker.confidence.high < 1.0
    # 证据特征只能减分（qa/lab/logistic.py 的约束）
    assert all(ranker.weights[name] <= 0 for name in EVIDENCE_FEATURES if name in ranker.weights)
    assert all(ranker.confidence.weights[name] <= 0 for name in EVIDENCE_IN_CONFIDENCE)


def test_the_same_span_read_in_two_overlapping_passages_holds_the_reader_belief_of_both():
    """Chunks overlap: a sentence at their seam is read twice. The reader's belief in that answer is the sum of its two
    copies' shares, not half of it each, as if they were rivals."""
    text = "全年实现电子商务服务收入23.69亿元。"
    first = Hit(Chunk("r.txt#0", "r.txt", "报告", ("报告",), "去年。" + text, 0, 3 + len(text)), 1.0, 1)
    second = Hit(Chunk("r.txt#1", "r.txt", "报告", ("报告",), text + "另一句。", 3, 3 + len(text) + 4), 0.9, 2)
    other = Hit(Chunk("s.txt#0", "s.txt", "报告", ("报告",), "收入18亿元。", 0, 7), 0.8, 3)
    at = text.index("23.69")
    spans = [PassageSpan(0, 3 + at, 3 + at + 7, 5.0, 0.0), PassageSpan(1, at, at + 7, 5.0, 0.0), PassageSpan(2, 2, 6, 5.0, 0.0)]
    candidates = read_spans(Reading(spans, [], [], np.zeros((0, 0)), np.zeros((0, 0))), [first, second, other], {})
    assert [c.text for c in candidates] == ["23.69亿元", "23.69亿元", "18亿元"]
    assert candidates[0].place == candidates[1].place != candidates[2].place
    assert [round(c.features["share"], 3) for c in candidates] == [0.667, 0.667, 0.333]
