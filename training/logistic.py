"""Small fitting helpers shared by the training scripts: an L2-regularised logistic regression and the abstention threshold."""
from __future__ import annotations

import numpy as np

L2 = 1e-2  # 轻微的权重衰减：特征不多、数据不大，避免个别特征权重发散
# 选拒答阈值时假定的「资料里没有答案」的问题占比：四题里一题（本项目评测集里是一到两成，取偏谨慎的一侧）
UNANSWERABLE_SHARE = 0.25


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 50, l2: float = L2) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-regularised log-loss; returns (weights, bias). Features are standardised
    for the fit and the weights mapped back, so the penalty treats every feature alike."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
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


def choose_threshold(confidence: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> tuple[float, dict]:
    """The abstention threshold that maximises right answers plus abstentions on unanswerable questions,
    the two kinds of question weighted to the share UNANSWERABLE_SHARE. `confidence` is NaN where nothing
    could be answered (an abstention at every threshold)."""
    answerable_count, unanswerable_count = int(answerable.sum()), int((~answerable).sum())
    unanswerable_weight = UNANSWERABLE_SHARE / (1 - UNANSWERABLE_SHARE) * answerable_count / max(unanswerable_count, 1)
    best = (-1.0, 0.5, {})
    for threshold in np.linspace(0.05, 0.95, 91):
        answered = np.nan_to_num(confidence, nan=-1.0) >= threshold
        answered_right = int((answered & right & answerable).sum())
        abstained_unanswerable = int((~answered & ~answerable).sum())
        utility = answered_right + unanswerable_weight * abstained_unanswerable
        if utility > best[0]:
            stats = {
                "answerable_right": round(answered_right / max(answerable_count, 1), 3),
                "answerable_abstained": round(float((~answered & answerable).sum()) / max(answerable_count, 1), 3),
                "unanswerable_abstained": round(abstained_unanswerable / max(unanswerable_count, 1), 3),
            }
            best = (utility, float(round(threshold, 3)), stats)
    return best[1], best[2]
