"""The shipped learned reader on the real seed index: CI loads the int8 weights and checks real answers."""
import json
from pathlib import Path

import pytest

from qa.pipeline import Pipeline
from qa.reading.ranking import Calibration
from qa.reading.reader_weights import NeuralReader
from qa.reading.spans import ReaderUnavailable

from conftest import ROOT, run_qa

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def learned(seed_pipeline) -> Pipeline:
    return seed_pipeline


def test_the_exact_figure_with_its_unit_and_a_calibrated_confidence(learned: Pipeline):
    answer = learned.ask("2007年底杭州因特网注册用户有多少？").answer
    assert not answer.abstained and answer.span == "148.13万户"
    assert Calibration.load().threshold <= answer.confidence <= 1
    assert "148.13万户" in answer.citations[0].quote and "148.13万户" in answer.answer


@pytest.mark.parametrize("question, span", [("杭州因特网出口总带宽是多少？", "117.73G"), ("杭州移动电话交换机容量是多少？", "934万户")])
def test_more_figures_from_the_seed_documents(learned: Pipeline, question: str, span: str):
    assert learned.ask(question).answer.span == span


def test_another_city_is_refused_with_a_named_reason(learned: Pipeline):
    answer = learned.ask("宁波市因特网注册用户有多少？").answer
    assert answer.abstained and answer.veto.name in ("place", "confidence") and answer.veto.reason


def test_cli_json_of_an_answer(real_seed_index: Path):
    record = json.loads(run_qa("ask", "杭州因特网出口总带宽是多少？", "--index", str(real_seed_index), "--json").stdout)
    assert record["span"] == "117.73G" and record["confidence"] > 0.5 and record["veto"] is None


def test_the_int8_file_is_small_and_a_missing_file_says_what_to_do(tmp_path: Path):
    assert (ROOT / "qa" / "models" / "reader-int8.npz").stat().st_size < 30_000_000
    with pytest.raises(ReaderUnavailable, match="找不到阅读模型"):
        NeuralReader(tmp_path / "missing.npz")
