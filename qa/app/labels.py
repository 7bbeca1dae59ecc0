"""The Chinese words a person sees for the program's internal names: why an answer was withheld, question kinds,
audit actions and results, metric names, and times in the machine's own time zone.

The JSON records keep the internal names (DESIGN.md's contract); only what is shown goes through here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# 评测指标：显示的名字，JSON 里的键（qa.evaluate）
METRIC_ROWS = (
    ("检索：出处排第 1", "hit@1"),
    ("检索：出处在前 3", "hit@3"),
    ("检索：出处在前 5", "hit@5"),
    ("检索：出处名次倒数的平均（前 10）", "mrr@10"),
    ("答案准确率", "answer_accuracy"),
    ("引用准确率", "citation_accuracy"),
    ("拒答召回率（该拒的拒了）", "abstention_recall"),
    ("拒答精确率（拒的都该拒）", "abstention_precision"),
    ("误拒率（能答却拒答）", "false_abstention"),
    ("计算题准确率", "computed_accuracy"),
    ("答案片段与标准答案完全一致（0–100）", "span_exact_match"),
    ("答案片段与标准答案的字符重合度（0–100）", "span_f1"),
    ("数字答案片段与标准答案一致", "span_equals_gold_digits"),
    ("把握高却答错的占比", "high_band_wrong"),
)
# 拒答原因：Veto.name -> 一个人看得懂的说法
VETO_LABELS = {
    "confidence": "把握不足",
    "year": "年份对不上",
    "place": "地方对不上",
    "plan": "计划数与实际数不符",
    "part": "问的是其中一项，找到的是总数",
    "cell": "表格的行或列对不上",
    "no_span": "段落里没有答案",
    "no_passages": "没有相关段落",
    "term": "段落里没有问题中的词",
    "language": "不是中文问题",
}
# 评测题型（qa.evaluate.KINDS）
KIND_LABELS = {
    "figure": "数字",
    "entity": "名称",
    "date": "日期",
    "list": "列举",
    "paraphrase": "换个说法",
    "target": "目标",
    "computed": "计算",
    "unanswerable": "应拒答",
}
# 操作记录（qa.app.audit.ACTIONS）
ACTION_LABELS = {"upload": "上传", "delete": "删除", "restore": "恢复", "rebuild": "重建索引"}
RESULT_OK = "成功"
METRIC_LABELS = {key: label for label, key in METRIC_ROWS} | {
    "questions": "题数",
    "latency_p50_ms": "延迟中位数（毫秒）",
    "latency_p95_ms": "延迟：95% 的题不超过（毫秒）",
}
SCORE_KEYS = frozenset({"span_exact_match", "span_f1"})  # CMRC 的 0–100 分制，其余是 0–1 的比例
COUNT_KEYS = frozenset({"questions"})
MILLISECOND_KEYS = frozenset({"latency_p50_ms", "latency_p95_ms"})
TIME_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class FailedQuestion:
    """A question the evaluation got wrong, in the words every view shows it with (terminal, web page, report)."""

    id: str
    kind: str  # 题型的中文名
    question: str
    expected: str
    answer: str
    span: str
    reason: str  # 拒答原因的中文说法（答了的题为空）


def failed_questions(records: list[dict]) -> list[FailedQuestion]:
    """The records of the questions answered wrongly, in file order."""
    failed = []
    for record in records:
        if record["answer_correct"]:
            continue
        abstained = record["abstained"]
        failed.append(
            FailedQuestion(
                str(record["id"]), kind_label(record["kind"]), record["question"], "、".join(record["gold_answers"]) or "（应拒答）",
                record["answer"], "" if abstained else record.get("span") or "", veto_text(record) if abstained else "",
            )
        )
    return failed


def metric_table(metrics: dict) -> list[tuple[str, str]]:
    """(name, value) of the headline metrics, in the order every view shows them."""
    keys = ["questions"] + [key for _, key in METRIC_ROWS] + ["latency_p50_ms", "latency_p95_ms"]
    return [(metric_label(key), metric_value(key, metrics[key])) for key in keys if key in metrics]


def metric_value(key: str, value: float | None) -> str:
    """A metric as a person reads it: 「95.2%」 for a proportion, 「82.9」 on the 0–100 scale, 「325」 milliseconds, 「—」 when
    there is nothing to measure (no question of that kind)."""
    if value is None:
        return "—"
    if key in COUNT_KEYS:
        return str(int(value))
    if key in MILLISECOND_KEYS:
        return f"{value:.0f}"  # 名称里已有「（毫秒）」
    if key in SCORE_KEYS:
        return f"{value:.1f}"
    return f"{value:.1%}"


def veto_label(name: str | None) -> str:
    """「把握不足」 for "confidence"; an unknown name is shown as 「其他原因」, never as the internal word."""
    return VETO_LABELS.get(name or "", "其他原因")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, "其他")


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, "其他操作")


def result_label(result: str) -> str:
    """「成功」 for "ok"; a failure keeps its reason, which is already written in Chinese."""
    return RESULT_OK if result == "ok" else result


def metric_label(key: str) -> str:
    return METRIC_LABELS.get(key, key)


def local_time(iso: str) -> str:
    """An ISO 8601 time with its zone as 「2026-12-06 14:10」 in this machine's time zone; text that is not such a
    time is shown as it is."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime(TIME_FORMAT)


def reason_counts(reasons: dict[str, int] | None) -> str:
    """「把握不足 3、年份对不上 1」, or 「—」."""
    return "、".join(f"{veto_label(name)} {count}" for name, count in (reasons or {}).items()) or "—"


def veto_text(record: dict) -> str:
    """「把握不足：reason」 of a record's veto (its name in words), the name alone without a reason, "" when it has none."""
    veto = record.get("veto")
    if not isinstance(veto, dict) or not veto.get("name"):
        return "（未说明原因）" if record.get("abstained") else ""
    return f"{veto_label(veto['name'])}：{veto['reason']}" if veto.get("reason") else veto_label(veto["name"])
