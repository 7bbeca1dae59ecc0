"""Evaluation metrics and records -> a Markdown report with a PNG chart beside it."""

from __future__ import annotations

from pathlib import Path

METRIC_ROWS = (
    ("检索 hit@1", "hit@1"),
    ("检索 hit@3", "hit@3"),
    ("检索 hit@5", "hit@5"),
    ("检索 MRR@10", "mrr@10"),
    ("答案准确率", "answer_accuracy"),
    ("引用准确率", "citation_accuracy"),
    ("拒答召回率（该拒的拒了）", "abstention_recall"),
    ("拒答精确率（拒的都该拒）", "abstention_precision"),
    ("误拒率（能答却拒答）", "false_abstention"),
    ("计算题准确率", "computed_accuracy"),
    ("答案片段精确匹配 EM（0–100）", "span_exact_match"),
    ("答案片段字符 F1（0–100）", "span_f1"),
    ("数字答案片段与标准答案一致", "span_equals_gold_digits"),
    ("把握高却答错的占比", "high_band_wrong"),
)
SCORE_KEYS = frozenset({"span_exact_match", "span_f1"})  # CMRC 的 0–100 分制，其余是 0–1 的比例


def write_report(path: Path, metrics: dict, records: list[dict], title: str) -> Path:
    """Write report.md and report.png (accuracy per kind, latency histogram); returns the chart path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = path.with_suffix(".png")
    draw_chart(chart, metrics, [r["latency_ms"] for r in records])
    lines = [f"# 评测报告：{title}", "", f"共 {metrics['questions']} 题。", "", "| 指标 | 数值 |", "|---|---|"]
    lines += [f"| {label} | {_metric(key, metrics.get(key))} |" for label, key in METRIC_ROWS]
    lines += [f"| 延迟 p50 / p95 | {metrics['latency_p50_ms']} ms / {metrics['latency_p95_ms']} ms |", ""]
    lines += [
        "## 按题型",
        "",
        "| 题型 | 题数 | 答案准确率 | 片段 EM | 片段 F1 | 拒答原因 |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {kind} | {row['questions']} | {_value(row['answer_accuracy'])} | {_score(row.get('span_exact_match'))} "
        f"| {_score(row.get('span_f1'))} | {_reasons(row.get('abstention_reasons'))} |"
        for kind, row in metrics["by_kind"].items()
    ]
    lines += ["", f"![accuracy per kind and latency]({chart.name})", ""]
    reasons = metrics.get("abstention_reasons") or {}
    lines += [f"## 拒答原因（{sum(reasons.values())} 次拒答）", ""]
    if reasons:
        lines += ["| 原因 | 次数 |", "|---|---|"] + [f"| {name} | {count} |" for name, count in reasons.items()]
        lines.append("")
    lines += reliability_lines(metrics)
    failures = [r for r in records if not r["answer_correct"]]
    lines += [f"## 答错的题（{len(failures)}）", ""]
    if failures:
        lines += ["| id | 题型 | 问题 | 期望 | 得到 | 片段 | 拒答原因 |", "|---|---|---|---|---|---|---|"]
        for record in failures:
            expected = "、".join(record["gold_answers"]) or "（应拒答）"
            lines.append(
                f"| {record['id']} | {record['kind']} | {_cell(record['question'])} | {_cell(expected)} "
                f"| {_cell(record['answer'])} | {_cell(record.get('span') or '')} | {_cell(veto_text(record))} |"
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

    kinds = list(metrics["by_kind"])
    accuracy = [metrics["by_kind"][kind]["answer_accuracy"] * 100 for kind in kinds]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    bars = left.bar(kinds, accuracy, color="#3b7dd8")
    left.bar_label(bars, fmt="%.0f%%", fontsize=8)
    left.set_ylim(0, 110)
    left.set_ylabel("answer accuracy (%)")
    left.set_title("Answer accuracy by question kind")
    left.tick_params(axis="x", rotation=30)
    right.hist(latencies, bins=30, color="#e07b39")
    right.axvline(metrics["latency_p50_ms"], color="black", linestyle="--", label=f"p50 {metrics['latency_p50_ms']} ms")
    right.axvline(metrics["latency_p95_ms"], color="grey", linestyle=":", label=f"p95 {metrics['latency_p95_ms']} ms")
    right.set_xlabel("latency per question (ms)")
    right.set_ylabel("questions")
    right.set_title("Answer latency")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def veto_text(record: dict) -> str:
    """「name：reason」 of a record's veto, the name alone without a reason, "" when it has none."""
    veto = record.get("veto")
    if not isinstance(veto, dict) or not veto.get("name"):
        return "（未说明原因）" if record.get("abstained") else ""
    return f"{veto['name']}：{veto['reason']}" if veto.get("reason") else veto["name"]


def _metric(key: str, value: float | None) -> str:
    return _score(value) if key in SCORE_KEYS else _value(value)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _reasons(reasons: dict[str, int] | None) -> str:
    return "、".join(f"{name} {count}" for name, count in (reasons or {}).items()) or "—"


def _value(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "｜").split())
