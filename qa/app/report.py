"""Evaluation metrics and records -> a Markdown report with a PNG chart beside it."""

from __future__ import annotations

from pathlib import Path

from qa.app.labels import METRIC_ROWS, SCORE_KEYS, failed_questions, kind_label, reason_counts, veto_label

# 图上的中文要有中文字体（Debian 的 fonts-noto-cjk）；没有时 matplotlib 退回默认字体
CHART_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei")



def write_report(path: Path, metrics: dict, records: list[dict], title: str) -> Path:
    """Write report.md and report.png (accuracy per kind, latency histogram); returns the chart path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = path.with_suffix(".png")
    draw_chart(chart, metrics, [r["latency_ms"] for r in records])
    lines = [f"# 评测报告：{title}", "", f"共 {metrics['questions']} 题。", "", "| 指标 | 数值 |", "|---|---|"]
    lines += [f"| {label} | {_metric(key, metrics.get(key))} |" for label, key in METRIC_ROWS]
    lines += [f"| 每题用时：中位数 / 95% 不超过 | {metrics['latency_p50_ms']} 毫秒 / {metrics['latency_p95_ms']} 毫秒 |", ""]
    lines += [
        "## 按题型",
        "",
        "| 题型 | 题数 | 答案准确率 | 片段 EM | 片段 F1 | 拒答原因 |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {kind_label(kind)} | {row['questions']} | {_value(row['answer_accuracy'])} | {_score(row.get('span_exact_match'))} "
        f"| {_score(row.get('span_f1'))} | {reason_counts(row.get('abstention_reasons'))} |"
        for kind, row in metrics["by_kind"].items()
    ]
    lines += ["", f"![各题型的答案准确率与回答用时]({chart.name})", ""]
    reasons = metrics.get("abstention_reasons") or {}
    lines += [f"## 拒答原因（{sum(reasons.values())} 次拒答）", ""]
    if reasons:
        lines += ["| 原因 | 次数 |", "|---|---|"] + [f"| {veto_label(name)} | {count} |" for name, count in reasons.items()]
        lines.append("")
    lines += reliability_lines(metrics)
    failures = failed_questions(records)
    lines += [f"## 答错的题（{len(failures)}）", ""]
    if failures:
        lines += ["| id | 题型 | 问题 | 期望 | 得到 | 片段 | 拒答原因 |", "|---|---|---|---|---|---|---|"]
        for failed in failures:
            lines.append(
                f"| {failed.id} | {failed.kind} | {_cell(failed.question)} | {_cell(failed.expected)} "
                f"| {_cell(failed.answer)} | {_cell(failed.span)} | {_cell(failed.reason)} |"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return chart


def reliability_lines(metrics: dict) -> list[str]:
    """The report's section on how far the confidence can be trusted: the bands and the reliability table."""
    bands = metrics.get("bands")
    if not bands:
        return []
    lines = ["## 把握是否可信", "", "| 档 | 题数 | 答对 |", "|---|---|---|"]
    lines += [f"| {label} | {bands[band]['answers']} | {_value(bands[band]['right'])} |" for band, label in (("high", "把握高"), ("check", "请核对"))]
    lines += [f"| 未作答 | {bands['none']['questions']} | — |", "", f"把握高却答错的占比：{_value(metrics.get('high_band_wrong'))}", ""]
    if metrics.get("reliability"):
        lines += ["| 预测的把握 | 题数 | 预测平均 | 实际答对 |", "|---|---|---|---|"]
        lines += [f"| {row['bin']} | {row['answers']} | {row['predicted'] * 100:.1f}% | {_value(row['observed'])} |" for row in metrics["reliability"]]
        lines.append("")
    return lines


def draw_chart(path: Path, metrics: dict, latencies: list[float]) -> None:
    """Two panels: answer accuracy per question kind, and the latency distribution."""
    import matplotlib

    matplotlib.use("Agg")  # 无显示器也能画
    import matplotlib.pyplot as plt

    fallbacks = [font for font in plt.rcParams["font.sans-serif"] if font not in CHART_FONTS]
    plt.rcParams["font.sans-serif"] = [*CHART_FONTS, *fallbacks]
    kinds = list(metrics["by_kind"])
    accuracy = [metrics["by_kind"][kind]["answer_accuracy"] * 100 for kind in kinds]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    bars = left.bar([kind_label(kind) for kind in kinds], accuracy, color="#3b7dd8")
    left.bar_label(bars, fmt="%.0f%%", fontsize=8)
    left.set_ylim(0, 110)
    left.set_ylabel("答案准确率（%）")
    left.set_title("各题型的答案准确率")
    left.tick_params(axis="x", rotation=30)
    right.hist(latencies, bins=30, color="#e07b39")
    right.axvline(metrics["latency_p50_ms"], color="black", linestyle="--", label=f"中位数 {metrics['latency_p50_ms']} 毫秒")
    right.axvline(metrics["latency_p95_ms"], color="grey", linestyle=":", label=f"95% 不超过 {metrics['latency_p95_ms']} 毫秒")
    right.set_xlabel("每题用时（毫秒）")
    right.set_ylabel("题数")
    right.set_title("回答用时")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _metric(key: str, value: float | None) -> str:
    return _score(value) if key in SCORE_KEYS else _value(value)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "｜").split())
