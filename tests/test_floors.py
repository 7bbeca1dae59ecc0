"""Regression floors: the evaluation set on the real index must not score below eval/floors.json."""
import json
from pathlib import Path

import pytest

from qa.evaluate import evaluate, load_questions
from qa.search.retrieve import load_index

from conftest import ROOT

FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def routed(seed_pipeline) -> tuple[dict, dict]:
    """(the floors, the metrics on the seed set)."""
    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    seed_pipeline.prefetch([question.question for question in questions])
    result, _ = evaluate(seed_pipeline, questions)
    return FLOORS["answers"], result


@pytest.mark.parametrize("name", ["hit@1", "hit@5", "answer_accuracy", "citation_accuracy", "abstention_recall", "computed_accuracy"])
def test_metric_is_not_below_its_floor(routed: tuple[dict, dict], name: str):
    floors, metrics = routed
    assert metrics[name] >= floors[name], f"{name} = {metrics[name]} < floor {floors[name]}"


def test_false_abstention_stays_below_its_ceiling(routed: tuple[dict, dict]):
    floors, metrics = routed
    assert metrics["false_abstention"] <= floors["false_abstention_max"]


def test_the_set_is_big_and_covers_every_kind_and_section(real_seed_index: Path):
    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    kinds = [q.kind for q in questions]
    assert len(questions) >= 150
    assert kinds.count("paraphrase") >= 25 and kinds.count("computed") >= 8 and kinds.count("unanswerable") >= 20
    for kind in ("figure", "entity", "date", "list"):
        assert kind in kinds
    covered = {(q.doc, q.section) for q in questions if q.answerable}
    for chunk in load_index(real_seed_index).chunks:
        assert any(doc == chunk.doc and section in chunk.section_path for doc, section in covered), chunk.section_path


def test_every_gold_answer_is_verbatim_in_its_document_and_section():
    for question in load_questions(ROOT / "eval" / "questions.jsonl"):
        if not question.answerable:
            continue
        text = (ROOT / "corpus" / question.doc).read_text(encoding="utf-8")
        assert question.section in text, question.id
        if question.kind != "computed":
            assert all(answer in text for answer in question.answers), question.id
