"""Small fitting helpers shared by the training scripts: an L2-regularised logistic regression, a conditional logit
(one of a question's candidates, or none of them) and the abstention threshold."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

L2 = 1e-2  # 轻微的权重衰减：特征不多、数据不大，避免个别特征权重发散
# 选拒答阈值时假定的「资料里没有答案」的问题占比：四题里一题（本项目评测集里是一到两成，取偏谨慎的一侧）
UNANSWERABLE_SHARE = 0.25
# 拟合阈值时不可答的提问至少要拒答这么多（issue 22 要求 ≥ 90 %；留一点余量给没见过的材料）
MIN_UNANSWERABLE_ABSTAINED = 0.93
# 「把握高」一档里答错的（含答了不可答的题）最多占这么多（issue 22：≤ 3 %）
MIN_BAND_ANSWERS = 20  # 少于这么多答案的一档，错答比例说明不了什么
SMALL_BAND_WRONG = 0.5  # 这样的小档只要求错的不过半
HIGH_BAND_WRONG = 0.03


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 50, l2: float = L2) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-regularised log-loss; returns (weights, bias). Features are standardised
    for the fit and the weights mapped back, so the penalty treats every feature alike."""
    mean, scale = _standardisation(x)
    design = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(design @ theta, -30, 30)))
        gradient = design.T @ (p - y) / len(y) + penalty * theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design / len(y) + np.diag(penalty)
        theta -= np.linalg.solve(hessian, gradient)
    weights = theta[:-1] / scale
    bias = float(theta[-1] - (theta[:-1] * mean / scale).sum())
    return weights, bias


@dataclass
class Choice:
    """One question for the conditional logit: its candidates' features, which of them are right, and the
    question's own features (which score the 「none of them」 option). No right candidate: 「none」 is right."""

    candidates: np.ndarray  # (candidates, features)
    right: np.ndarray  # (candidates,) bool
    question: np.ndarray  # (question features,)


def fit_choice(choices: list[Choice], l2: float = L2, nonpositive: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray, float]:
    """L-BFGS on the L2-regularised log-likelihood of the right choice (a softmax over the candidates and
    「none」); returns (candidate weights, none weights, none bias) on the original feature scale. The candidate
    weights at `nonpositive` are kept at or below zero: evidence against a candidate may only count against it."""
    mean, scale = _standardisation(np.vstack([c.candidates for c in choices if len(c.candidates)]))
    q_mean, q_scale = _standardisation(np.array([c.question for c in choices]))
    groups = [((c.candidates - mean) / scale, c.right, (c.question - q_mean) / q_scale) for c in choices]
    n_features = len(mean)

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        weights, null_weights, null_bias = theta[:n_features], theta[n_features:-1], theta[-1]
        loss, gradient = 0.0, np.zeros_like(theta)
        for x, right, q in groups:
            scores = np.concatenate([[null_bias + q @ null_weights], x @ weights])
            p = np.exp(scores - scores.max())
            p /= p.sum()
            target = np.concatenate([[not right.any()], right]).astype(float)
            chosen = max(float((p * target).sum()), 1e-12)
            loss -= np.log(chosen)
            d_scores = p - p * target / chosen  # ∂(−log Σ_right p) / ∂score
            gradient[:n_features] += x.T @ d_scores[1:]
            gradient[n_features:-1] += d_scores[0] * q
            gradient[-1] += d_scores[0]
        penalised = np.append(theta[:-1], 0.0)
        return loss / len(groups) + l2 * (penalised**2).sum(), gradient / len(groups) + 2 * l2 * penalised

    start = np.zeros(n_features + len(q_mean) + 1)
    bounds = [(None, 0.0) if i in nonpositive else (None, None) for i in range(len(start))]
    theta = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    weights, null_weights = theta[:n_features] / scale, theta[n_features:-1] / q_scale
    # 回到原始尺度：候选分数各差一个相同的常数 mean·weights，softmax 只看差，挪到「都不是」一项上
    null_bias = float(theta[-1] - q_mean @ null_weights + mean @ weights)
    return weights, null_weights, null_bias


def _standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def fit_logistic_nonpositive(x: np.ndarray, y: np.ndarray, nonpositive: tuple[int, ...]) -> tuple[np.ndarray, float]:
    """`fit_logistic` with the columns in `nonpositive` kept at or below 0: a column whose weight comes out positive
    is left out (weight 0) and the rest refitted, until none does (evidence can only count against an answer)."""
    free = list(range(x.shape[1]))
    while True:
        weights, bias = fit_logistic(x[:, free], y)
        positive = [column for column, weight in zip(free, weights) if column in nonpositive and weight > 0]
        if not positive:
            full = np.zeros(x.shape[1])
            full[free] = weights
            return full, bias
        free = [column for column in free if column not in positive]


def choose_threshold(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> tuple[float, dict]:
    """The abstention threshold that maximises right answers plus abstentions on unanswerable questions,
    the two kinds of question weighted to the share UNANSWERABLE_SHARE, among the thresholds that abstain on at
    least MIN_UNANSWERABLE_ABSTAINED of the unanswerable ones (all thresholds when none does). `confidence` is NaN where nothing
    could be answered (an abstention at every threshold)."""
    answerable_count, unanswerable_count = int(answerable.sum()), int((~answerable).sum())
    unanswerable_weight = UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE) * answerable_count / max(unanswerable_count, 1)
    best = (-1.0, 0.5, {})
    for threshold in np.linspace(0.05, 0.95, 91):
        answered = np.nan_to_num(confidence, nan=-1.0) >= threshold
        answered_right = int((answered & right & answerable).sum())
        abstained_unanswerable = int((~answered & ~answerable).sum())
        utility = answered_right + unanswerable_weight * abstained_unanswerable
        # 先守住「资料里没有就说没有」：不可答的拒答率达不到下限的阈值只在一个也达不到时才考虑
        if unanswerable_count and abstained_unanswerable < MIN_UNANSWERABLE_ABSTAINED * unanswerable_count:
            utility -= answerable_count + unanswerable_weight * unanswerable_count
        if utility > best[0]:
            stats = {
                "answerable_right": round(answered_right / max(answerable_count, 1), 3),
                "answerable_abstained": round(float((~answered & answerable).sum()) / max(answerable_count, 1), 3),
                "unanswerable_abstained": round(abstained_unanswerable / max(unanswerable_count, 1), 3),
            }
            best = (utility, float(round(threshold, 3)), stats)
    return best[1], best[2]


def choose_high_threshold(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray, floor: float) -> tuple[float, dict]:
    """The lowest confidence (not below `floor`, the abstention threshold) from which at most HIGH_BAND_WRONG of the
    answers given are wrong, and from every higher one too (an answer to an unanswerable question is wrong; those are weighted, as in
    `choose_threshold`, to UNANSWERABLE_SHARE of the questions): answers from there on are shown as sure, those
    between `floor` and it as 「请核对」."""
    # 从高往低找：门槛放到哪里，它以上的每一档都还守得住上限，不取偶然达标的低点；答案不到 MIN_BAND_ANSWERS 个的
    # 最高几档说明不了什么（一个错答就是 10 %），只要求它们不全错
    chosen = None
    for threshold in np.linspace(0.99, floor, int(round((0.99 - floor) * 100)) + 1):
        stats = high_band_stats(confidence, right, answerable, floor, threshold)
        if not stats["high_answers"]:
            continue
        judged = stats["high_answers"] >= MIN_BAND_ANSWERS
        if stats["high_wrong"] > (HIGH_BAND_WRONG if judged else SMALL_BAND_WRONG):
            break
        if stats["high_wrong"] <= HIGH_BAND_WRONG:
            chosen = (float(round(threshold, 3)), stats)
    return chosen or (0.99, {"high_answers": 0})


def high_band_stats(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray, floor: float, high: float) -> dict:
    """How the answers at or above `high` stand: their weighted share of all answers given (those at or above
    `floor`), the weighted share of them that is wrong, and how many there are."""
    given = np.nan_to_num(confidence, nan=-1.0)
    answerable_count, unanswerable_count = int(answerable.sum()), int((~answerable).sum())
    weight = np.where(answerable, 1.0, UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE) * answerable_count / max(unanswerable_count, 1))
    wrong = ~(right & answerable)
    shown = given >= high
    if not shown.any():
        return {"high_share_of_answered": 0.0, "high_wrong": 0.0, "high_answers": 0}
    return {
        "high_share_of_answered": round(float(weight[shown].sum() / weight[given >= floor].sum()), 3),
        "high_wrong": round(float((weight * wrong)[shown].sum() / weight[shown].sum()), 3),
        "high_answers": int(shown.sum()),
    }


def high_band_by_group(
    confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray, floor: float, reports: np.ndarray,
    chosen_on: np.ndarray | None = None,
) -> tuple[float, dict]:
    """The 「high」 threshold chosen on the questions `chosen_on` marks (default: the `reports` ones, what the product
    answers), and how the band stands on the report questions and on the others (the MRC questions, whose span
    boundaries are judged more strictly)."""
    chosen_on = reports if chosen_on is None else chosen_on
    high, _ = choose_high_threshold(confidence[chosen_on], right[chosen_on], answerable[chosen_on], floor)
    stats = {}
    for name, mask in (("reports", reports), ("mrc", ~reports)):
        stats |= {f"{name}_{key}": value for key, value in high_band_stats(confidence[mask], right[mask], answerable[mask], floor, high).items()}
    return high, stats
