"""Ranking and calibration: which of a question's figures answers it, and how sure an answer is. Both are logistic
models over named features, fitted on held-out questions (training/train_ranker.py, training/calibrate_reader.py)
and saved as JSON beside the reader's weights."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

CALIBRATION_FILE = Path(__file__).resolve().parents[1] / "models" / "reader-calibration.json"
# learned 路线在数字候选之间作选择的模型（权重与拒答阈值由 training/train_ranker.py 拟合）
RANKER_FILE = Path(__file__).resolve().parents[1] / "models" / "figure-ranker.json"


@dataclass(frozen=True)
class Calibration:
    """Logistic model: P(right) = sigmoid(bias + Σ weight·feature); fitted, saved in reader-calibration.json."""

    weights: dict[str, float]
    bias: float
    threshold: float  # 低于它就拒答
    fitted_on: str = ""
    high_threshold: float | None = None  # 不低于它的答案直接给出，介于两个阈值之间的请人核对（None：与 threshold 相同）

    @property
    def high(self) -> float:
        return self.threshold if self.high_threshold is None else self.high_threshold

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(weight * features[name] for name, weight in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["weights"], data["bias"], data["threshold"], data.get("fitted_on", ""), data.get("high_threshold"))


# 选择特征里的分差截到 ±10：再大的差别不再说明什么
MAX_LEAD = 10.0
# 候选自己的证据也进置信度：「段落没提到问的地方、年份」说的是整段答不上，不只是这个数不如别的数
EVIDENCE_IN_CONFIDENCE = ("place_unmentioned", "place_elsewhere", "place_other_title", "year_unmentioned", "year_unstated", "year_mismatch")
# 一题里所有候选都相同的特征（阅读器对整题最有把握的片段分）：只进「都不是」一项的分数
QUESTION_FEATURES = ("reader_best_margin",)


@dataclass(frozen=True)
class FigureRanker:
    """Which of a question's figures answers it, and how sure that is. Two fitted parts:
    - choice: a conditional logit, i.e. a softmax over the candidates that pass the support checks (year, place,
      term) and a 「none of them」 option. Candidate i scores Σ weight·feature_i; 「none」 scores null_bias +
      Σ null_weight·question_feature. Vetoed candidates are left out first, so a figure of the wrong year cannot
      crowd out the right one.
    - confidence: a logistic model over how the best candidate stands (`choice_features`): its odds against
      「none」, its share among the candidates, its lead over the next, and the evidence against its passage. Odds against 「none」 do not shrink when
      a passage is dense with figures, as a report's is; the softmax share alone would.
    Fitted by training/train_ranker.py; saved in figure-ranker.json."""

    weights: dict[str, float]
    null_weights: dict[str, float]
    null_bias: float
    confidence: Calibration  # 它的 threshold 就是数字题的拒答阈值
    fitted_on: str = ""
    # 有时给不出的特征（只用 BM25 检索时没有向量分）缺了就用拟合数据里的平均值：不加分也不减分
    defaults: dict[str, float] = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return self.confidence.threshold

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        return [
            sum(weight * (row[name] if name in row or name not in self.defaults else self.defaults[name]) for name, weight in self.weights.items())
            for row in rows
        ]

    @staticmethod
    def distinct(scores: list[float], places: list[str]) -> list[int]:
        """Which candidates (by their `scores`) to judge the confidence on: of the copies of one figure (`places`:
        where it is written; a sentence at the seam of two overlapping chunks is read twice), the one that scores
        highest. The choice is fitted with every copy of a right figure counting as right, so the copies share one
        answer's probability; left in, they would split its share and its lead as if they were rivals."""
        best: dict[str, int] = {}
        for i, place in enumerate(places):
            if place not in best or scores[i] > scores[best[place]]:
                best[place] = i
        return sorted(best.values())

    def choice_features(self, rows: list[dict[str, float]]) -> list[dict[str, float]]:
        """For each candidate (rows: the supported candidates of one question): how it stands among them."""
        if not rows:
            return []
        null = self.null_bias + sum(weight * rows[0][name] for name, weight in self.null_weights.items())
        scores = self.scores(rows)
        top = max(scores)
        total = sum(math.exp(score - top) for score in scores)
        features = []
        for i, score in enumerate(scores):
            others = scores[:i] + scores[i + 1 :]
            lead = score - max(others) if others else MAX_LEAD
            features.append(
                {
                    "odds_over_none": max(min(score - null, MAX_LEAD), -MAX_LEAD),
                    "share": math.exp(score - top) / total,
                    "lead": max(min(lead, MAX_LEAD), -MAX_LEAD),
                    **{name: rows[i].get(name, 0.0) for name in EVIDENCE_IN_CONFIDENCE},
                }
            )
        return features

    def probabilities(self, rows: list[dict[str, float]]) -> list[float]:
        """The calibrated probability that each candidate answers the question."""
        return [self.confidence.probability(features) for features in self.choice_features(rows)]

    @classmethod
    def load(cls, path: Path = RANKER_FILE) -> FigureRanker:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        confidence = data["confidence"]
        return cls(
            data["weights"],
            data["null_weights"],
            data["null_bias"],
            Calibration(confidence["weights"], confidence["bias"], confidence["threshold"], "", confidence.get("high_threshold")),
            data.get("fitted_on", ""),
            data.get("defaults", {}),
        )


# 校准前的占位：只看片段分与无答案分之差
UNCALIBRATED = Calibration({"null_margin": 1.0}, 0.0, 0.5, "uncalibrated")
