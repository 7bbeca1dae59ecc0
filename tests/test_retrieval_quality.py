"""The development set on the real index: the retrieval floors of the acceptance criteria."""
from pathlib import Path

from qa.evaluate import load_questions, retrieval_metrics
from qa.retrieve import load_index

from conftest import ROOT


def test_hybrid_retrieval_meets_the_floor_on_the_dev_set(real_seed_index: Path):
    index = load_index(real_seed_index)
    metrics = retrieval_metrics(index, load_questions(ROOT / "eval" / "questions.jsonl"))
    assert metrics["questions"] >= 40
    assert metrics["hit@1"] >= 0.9
    assert metrics["hit@5"] == 1.0


def test_every_gold_answer_is_verbatim_in_its_document():
    for question in load_questions(ROOT / "eval" / "questions.jsonl"):
        if question.kind != "computed" and question.answerable:
            text = (ROOT / "corpus" / question.doc).read_text(encoding="utf-8")
            assert all(answer in text for answer in question.answers), question.id
            assert question.section in text, question.id
