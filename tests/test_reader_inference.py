"""The reader's numpy forward pass (what answers use) against the PyTorch model it was trained as."""
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from qa.reading.e5_inference import SpanReaderInference, _split, gelu
from qa.reading.e5_model import SpanReaderModel
from qa.reading.e5_weights import embedding_rows, read_e5_file
from qa.reading.reader_weights import read_state
from qa.reading.span_model import WindowSettings, make_windows, pad_batch, passage_tokens, question_tokens

from conftest import GWR, ROOT

# float32 的两种算法（融合的注意力、不同的求和顺序）之间的差；分数本身在 ±10 上下
SCORE_TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def shipped():
    return read_state()[0], read_e5_file()


@pytest.fixture(scope="module")
def windows(reader) -> list[list[int]]:
    """Real windows of different lengths: a report's paragraphs with two questions (the last window is short)."""
    text = sorted(GWR.glob("*.txt"))[0].read_text(encoding="utf-8")
    settings = WindowSettings()
    id_lists = []
    for question, passage in (("去年全市生产总值是多少？", text[:900]), ("城镇居民人均可支配收入增长多少？", text[2000:2300])):
        question_ids = question_tokens(reader.tokenizer, question, settings)
        id_lists += [w.ids for w in make_windows(reader.tokenizer, question_ids, passage_tokens(reader.tokenizer, passage), settings)]
    assert len({len(ids) for ids in id_lists}) > 1
    return id_lists


def torch_scores(state, model_file, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The trained PyTorch model on the same weights (word rows looked up for the ids at hand only)."""
    model = SpanReaderModel(model_file.config, dropout=0.0, word_table=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    assert missing == ["encoder.word.weight"] and not unexpected
    unique, inverse = np.unique(ids, return_inverse=True)
    model.encoder.word = torch.nn.Embedding.from_pretrained(torch.from_numpy(embedding_rows(model_file, unique)))
    model.eval()
    with torch.inference_mode():
        starts, ends = model(torch.from_numpy(inverse.reshape(ids.shape)), torch.from_numpy(mask))
    return starts.numpy(), ends.numpy()


def test_numpy_scores_equal_the_pytorch_model(shipped, windows, reader):
    state, model_file = shipped
    ids, mask = pad_batch(windows, reader.tokenizer.special["pad"])
    expected_starts, expected_ends = torch_scores(state, model_file, ids, mask)
    starts, ends = SpanReaderInference(state, model_file, threads=1)(ids, mask)
    real = mask == 1
    assert np.abs(starts - expected_starts)[real].max() < SCORE_TOLERANCE
    assert np.abs(ends - expected_ends)[real].max() < SCORE_TOLERANCE
    assert np.abs(expected_starts[real]).max() > 1  # 比的是真的分数，不是一片零


def test_windows_shared_among_threads_score_as_one_batch(shipped, windows, reader):
    state, model_file = shipped
    pad = reader.tokenizer.special["pad"]
    one = SpanReaderInference(state, model_file, threads=1).windows(windows, pad)
    three = SpanReaderInference(state, model_file, threads=3).windows(windows, pad)
    real = one[2] == 1
    assert np.array_equal(one[2], three[2])
    for single, shared in zip(one[:2], three[:2]):
        assert np.abs(single - shared)[real].max() < SCORE_TOLERANCE


def test_gelu_is_the_exact_one():
    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    expected = torch.nn.functional.gelu(torch.from_numpy(x)).numpy()
    assert np.abs(gelu(x.copy()) - expected).max() < 2e-6  # erf 近似的误差 1.5e-7，乘上 |x|


def test_split_covers_every_window_once():
    for count in range(0, 9):
        for parts in (1, 2, 3):
            groups = _split(count, parts)
            covered = [i for group in groups for i in range(count)[group]]
            assert covered == list(range(count)) and len(groups) <= max(1, min(parts, count))


def test_qa_ask_does_not_import_torch(real_seed_index):
    """One question from the command line: the numpy engine; `-X importtime` lists every module the command loaded."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "qa", "ask", "2007年底杭州因特网注册用户有多少？", "--index", str(real_seed_index), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert json.loads(result.stdout)["span"] == "148.13万户"
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "qa.reading.e5_inference" in imported and "torch" not in imported


def test_both_engines_give_the_same_spans(reader, monkeypatch):
    from qa.reading.reader_weights import NeuralReader

    text = sorted(GWR.glob("*.txt"))[0].read_text(encoding="utf-8")
    passages = [text[:700], text[700:1500], text[1500:1900]]
    numpy_reading = NeuralReader(engine="numpy").read("去年全市生产总值是多少？", passages)
    monkeypatch.setenv("QA_READER_PRECISION", "fp32")  # numpy 算 fp32：同样的算术才能逐分对照
    torch_reading = NeuralReader(engine="torch").read("去年全市生产总值是多少？", passages)
    assert [(s.passage, s.start, s.end) for s in numpy_reading.spans] == [(s.passage, s.start, s.end) for s in torch_reading.spans]
    assert max(abs(a.score - b.score) for a, b in zip(numpy_reading.spans, torch_reading.spans)) < SCORE_TOLERANCE


# bfloat16 只保留 8 位有效数字：分数（±10 上下）差到零点几是它的舍入，不是错
BFLOAT16_TOLERANCE = 0.5


def test_bfloat16_reads_the_same_best_spans_as_fp32_within_its_rounding(monkeypatch):
    from qa.reading.reader_weights import NeuralReader, uses_bfloat16
    from qa.reading.spans import ReaderUnavailable

    text = sorted(GWR.glob("*.txt"))[0].read_text(encoding="utf-8")
    passages = [text[:700], text[700:1500], text[1500:1900]]
    monkeypatch.setenv("QA_READER_PRECISION", "fp32")
    full = NeuralReader(engine="torch")
    assert not full.model.bfloat16
    monkeypatch.setenv("QA_READER_PRECISION", "bf16")
    assert uses_bfloat16()
    half = NeuralReader(engine="torch")
    for question in ("去年全市生产总值是多少？", "城镇居民人均可支配收入增长多少？"):
        exact, rounded = full.read(question, passages), half.read(question, passages)
        assert (rounded.spans[0].passage, rounded.spans[0].start, rounded.spans[0].end) == (exact.spans[0].passage, exact.spans[0].start, exact.spans[0].end)
        real = exact.start_logits > -1e3
        assert np.abs(rounded.start_logits - exact.start_logits)[real].max() < BFLOAT16_TOLERANCE
        assert not np.array_equal(rounded.start_logits, exact.start_logits)  # 真的换了算术
    monkeypatch.setenv("QA_READER_PRECISION", "half")
    with pytest.raises(ReaderUnavailable, match="QA_READER_PRECISION"):
        NeuralReader(engine="torch")


def test_the_torch_engine_runs_on_one_thread_when_asked_and_gives_the_same_spans(monkeypatch):
    from qa.reading.reader_weights import NeuralReader

    reader = NeuralReader(engine="torch")
    # 前向在阅读器的批处理线程里跑，线程数按那个线程设：记下每次设的值（真的照设）
    chosen = []
    set_threads = torch.set_num_threads
    monkeypatch.setattr(torch, "set_num_threads", lambda n: (chosen.append(n), set_threads(n)))
    passages = ["至2007年底，全市因特网注册用户148.13万户，其中宽带用户120.44万户。"]
    everywhere = reader.read("杭州因特网注册用户有多少？", passages)
    reader.set_threads(1)  # 后台在算向量时，服务这样设
    one = reader.read("杭州因特网注册用户有多少？", passages)
    reader.set_threads(None)
    reader.read("杭州因特网注册用户有多少？", passages)
    assert chosen == [reader.model.default_threads, 1, reader.model.default_threads]
    assert [(s.start, s.end) for s in one.spans] == [(s.start, s.end) for s in everywhere.spans]
    assert passages[0][one.spans[0].start : one.spans[0].end] == "148.13万户"
