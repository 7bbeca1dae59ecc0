"""Questions asked at once share the reader's forward passes and get the scores they would get alone."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.reading.batching import LENGTH_STEP, WindowBatcher, bucket_length

from conftest import GWR

QUESTIONS = [
    "去年全市生产总值是多少？",
    "城镇居民人均可支配收入增长多少？",
    "今年的主要预期目标是什么？",
    "财政收入完成多少？",
    "新增城镇就业多少人？",
    "粮食产量是多少？",
]


@pytest.fixture(scope="module")
def passages() -> list[str]:
    """Three real passages of different lengths from a government work report."""
    text = sorted(GWR.glob("*.txt"))[1].read_text(encoding="utf-8")
    return [text[:700], text[1500:1650], text[3000:3400]]


def test_a_window_is_padded_to_its_bucket_whoever_shares_its_batch():
    assert bucket_length(1) == LENGTH_STEP
    assert bucket_length(LENGTH_STEP) == LENGTH_STEP
    assert bucket_length(LENGTH_STEP + 1) == 2 * LENGTH_STEP
    assert bucket_length(256) == 256


def test_questions_asked_together_get_exactly_the_scores_they_get_alone(reader, passages):
    alone = [reader.read(question, passages) for question in QUESTIONS]
    before = reader.batcher.batches
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        together = list(pool.map(lambda question: reader.read(question, passages), QUESTIONS))
    # 六个问题、每个三段以上的窗口：一起问时批数少于窗口的档数之和
    assert reader.batcher.batches - before < sum(len({len(w.ids) for w in r.windows}) for r in alone)
    for one, shared in zip(alone, together):
        assert shared.spans == one.spans
        assert np.array_equal(shared.start_logits, one.start_logits)
        assert np.array_equal(shared.end_logits, one.end_logits)


def test_a_batch_of_windows_from_several_questions_runs_as_one_pass(reader, passages):
    batcher = WindowBatcher(reader.model, reader.tokenizer.special["pad"])
    windows = [reader.read(question, passages).windows for question in QUESTIONS[:3]]
    full = [[w.ids for w in ws if len(w.ids) == 256] for ws in windows]
    assert all(full), "each question should have a full-length window over the long passage"
    requests = [[ids[0]] for ids in full]
    alone = [batcher.windows(request) for request in requests]
    runs = batcher.batches
    together = batcher.run(requests)
    assert batcher.batches == runs + 1  # 三个问题同长的窗口：一次前向
    for (starts, ends, mask), (shared_starts, shared_ends, shared_mask) in zip(alone, together):
        assert np.array_equal(starts, shared_starts) and np.array_equal(ends, shared_ends)
        assert np.array_equal(mask, shared_mask)


def test_a_failing_pass_reaches_every_waiting_question_and_the_reader_goes_on(reader, passages):
    batcher = WindowBatcher(reader.model, reader.tokenizer.special["pad"])
    vocabulary = reader.tokenizer.special["pad"] + 10**7  # 词表外的 id：真模型查词向量时出错
    with pytest.raises(IndexError):
        batcher.windows([[0, vocabulary, 2]])
    starts, ends, mask = batcher.windows([reader.read(QUESTIONS[0], passages).windows[0].ids])
    assert mask.sum() > 0 and np.isfinite(starts).all() and np.isfinite(ends).all()


def test_a_lone_question_runs_on_every_core_and_questions_asked_together_on_one_each(passages, monkeypatch):
    from qa.reading.reader_weights import NeuralReader

    reader = NeuralReader(engine="torch")
    passes = []  # 每次前向用几个核（None：每核一个线程）
    forward = reader.model.windows
    monkeypatch.setattr(reader.model, "windows", lambda *args: (passes.append(args[3]), forward(*args))[1])
    reader.read(QUESTIONS[0], passages)
    assert passes and set(passes) == {None}
    passes.clear()
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        list(pool.map(lambda question: reader.read(question, passages), QUESTIONS))
    assert 1 in passes  # 有别的问题在跑或在等：各用一个核
