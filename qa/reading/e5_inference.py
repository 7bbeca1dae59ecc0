"""The fine-tuned E5 span reader's forward pass in numpy, for answering without PyTorch.

Training runs in PyTorch (`e5_model`, `span_model.SpanReaderModel`); answering only needs the forward pass, and
importing torch costs 1.4 s of every `qa ask` start. This module computes the same function from the same weights
(post-LayerNorm layers, exact GELU, scaled dot-product attention) with numpy's BLAS; `tests/test_reader_inference.py`
checks its start/end scores against the PyTorch model's.

Threads: the windows are split between worker threads, each running BLAS on one thread. numpy lets go of the GIL in
products and element-wise steps, so both cores work on all of it; a two-thread BLAS instead leaves GELU and softmax
on one core, and its threads wait for each other when the other core is busy (embedding in the background): 2.5–6.8 s
against 1.4 s for the same six windows, measured with the machine loaded.
"""
from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from qa.reading.e5_weights import E5File, embedding_rows
from qa.reading.span_model import pad_batch

# 填充位置在注意力里的分数：足够小，softmax 后为 0；不用 -inf，免得整行都是填充时出 NaN
PADDING_SCORE = -1e9
# erf 的 Abramowitz–Stegun 7.1.26 近似（最大绝对误差 1.5e-7，与 float32 的精度相当）：numpy 没有 erf
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU, as torch's default, with erf by Abramowitz–Stegun 7.1.26; computed in place in
    float32 (this is a fifth of the reader's time: temporaries and float64 would double it)."""
    y = x * np.float32(1.0 / math.sqrt(2.0))
    sign = np.sign(y)
    a = np.abs(y, out=y)
    t = a * np.float32(_ERF_P)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    polynomial = t * np.float32(_ERF_A[4])
    for coefficient in reversed(_ERF_A[:4]):
        polynomial += np.float32(coefficient)
        polynomial *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    polynomial *= a  # 1 − erf(|y|)
    np.subtract(np.float32(1.0), polynomial, out=polynomial)
    polynomial *= sign  # erf(y)
    polynomial += np.float32(1.0)
    polynomial *= x
    polynomial *= np.float32(0.5)
    return polynomial


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


@dataclass(frozen=True)
class Linear:
    """y = x @ weight + bias, the weight stored [in, out] (the transpose of torch's) so the product is one GEMM."""

    weight: np.ndarray
    bias: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        # 三维数组直接乘会按批逐个乘（慢三倍）：摊平成一个矩阵乘
        y = x.reshape(-1, x.shape[-1]) @ self.weight
        y += self.bias
        return y.reshape(*x.shape[:-1], -1)

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], name: str) -> Linear:
        return cls(np.ascontiguousarray(state[f"{name}.weight"].T), state[f"{name}.bias"])

    @classmethod
    def joined(cls, parts: list[Linear], scales: list[float]) -> Linear:
        """Several linears on the same input as one wider product, each part's output multiplied by its scale."""
        weight = np.concatenate([part.weight * np.float32(scale) for part, scale in zip(parts, scales)], axis=1)
        bias = np.concatenate([part.bias * np.float32(scale) for part, scale in zip(parts, scales)])
        return cls(np.ascontiguousarray(weight), bias)


@dataclass(frozen=True)
class Norm:
    weight: np.ndarray
    bias: np.ndarray
    eps: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return layer_norm(x, self.weight, self.bias, self.eps)

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], name: str, eps: float) -> Norm:
        return cls(state[f"{name}.weight"], state[f"{name}.bias"], eps)


@dataclass(frozen=True)
class Layer:
    """One post-LayerNorm transformer layer, as `e5_model.E5Layer` without dropout. Query, key and value are one
    product (`query_key_value`), the query already divided by √(head size)."""

    heads: int
    query_key_value: Linear
    attention_out: Linear
    attention_norm: Norm
    feed_in: Linear
    feed_out: Linear
    output_norm: Norm

    def __call__(self, x: np.ndarray, padding: np.ndarray | None) -> np.ndarray:
        batch, length, hidden = x.shape
        size = hidden // self.heads
        # [batch, length, 3, heads, size] -> 3 × [batch, heads, length, size]
        q, k, v = self.query_key_value(x).reshape(batch, length, 3, self.heads, size).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2)
        if padding is not None:
            scores += padding
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.feed_out(gelu(self.feed_in(x))))


class SpanReaderInference:
    """Token ids -> start and end scores per token, from a span reader's state (names as `SpanReaderModel`'s)."""

    def __init__(self, state: dict[str, np.ndarray], model_file: E5File, threads: int | None = None):
        config = model_file.config
        self._model_file = model_file  # 词向量从 4 位矩阵按需取行
        self.position = state["encoder.position.weight"]
        self.token_type = state["encoder.token_type"]
        self.embedding_norm = Norm.from_state(state, "encoder.embedding_norm", config.eps)
        self.layers = [self._layer(state, f"encoder.layers.{i}", config.heads, config.eps) for i in range(layer_count(state))]
        self.span_head = Linear.from_state(state, "span_head")
        self.threads = threads or reader_threads()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="reader") if self.threads > 1 else None
        self._blas = ThreadpoolController()

    @staticmethod
    def _layer(state: dict[str, np.ndarray], prefix: str, heads: int, eps: float) -> Layer:
        def linear(name: str) -> Linear:
            return Linear.from_state(state, f"{prefix}.{name}")

        def norm(name: str) -> Norm:
            return Norm.from_state(state, f"{prefix}.{name}", eps)

        head_size = state[f"{prefix}.query.weight"].shape[0] // heads
        query_key_value = Linear.joined(
            [linear("query"), linear("key"), linear("value")], [1.0 / math.sqrt(head_size), 1.0, 1.0]
        )
        return Layer(
            heads, query_key_value, linear("attention_out"), norm("attention_norm"),
            linear("feed_in"), linear("feed_out"), norm("output_norm"),
        )

    def embed(self, ids: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(ids, return_inverse=True)
        words = embedding_rows(self._model_file, unique)[inverse.reshape(ids.shape)]
        x = words + self.position[: ids.shape[1]][None] + self.token_type
        return self.embedding_norm(x)

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ids, mask: [batch, length] (mask 1 for real tokens) -> start and end scores, each [batch, length]."""
        x = self.embed(ids).astype(np.float32)
        padding = None  # 一批窗口一样长时不必屏蔽
        if not mask.all():
            padding = np.where(mask == 0, np.float32(PADDING_SCORE), np.float32(0.0))[:, None, None, :]
        for layer in self.layers:
            x = layer(x, padding)
        logits = self.span_head(x)
        return logits[..., 0], logits[..., 1]

    def windows(
        self, id_lists: list[list[int]], pad: int, length: int | None = None, threads: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Start scores, end scores and the mask for windows of token ids, each [windows, longest], shared out among
        the worker threads in contiguous groups (each group padded to `length`, or to its own longest window).
        `threads` is not used: this engine is for one question at a time (`qa ask`) and splits its own work."""
        groups = _split(len(id_lists), self.threads)
        with self._blas.limit(limits=1, user_api="blas"):
            batches = [pad_batch(id_lists[group], pad, length) for group in groups]
            if self._pool is None or len(groups) == 1:
                outputs = [self(ids, mask) for ids, mask in batches]
            else:
                outputs = list(self._pool.map(lambda batch: self(*batch), batches))
        length = max(group_mask.shape[1] for _, group_mask in batches)
        starts = np.zeros((len(id_lists), length), dtype=np.float32)
        ends = np.zeros_like(starts)
        mask = np.zeros(starts.shape, dtype=np.int64)
        for group, (_, group_mask), (group_starts, group_ends) in zip(groups, batches, outputs):
            width = group_mask.shape[1]
            starts[group, :width], ends[group, :width], mask[group, :width] = group_starts, group_ends, group_mask
        return starts, ends, mask


def layer_count(state: dict) -> int:
    """How many transformer layers a span reader's state holds (names `encoder.layers.<i>.…`)."""
    return 1 + max(int(name.split(".")[2]) for name in state if name.startswith("encoder.layers."))


def reader_threads() -> int:
    """Worker threads for the reader: QA_READER_THREADS, else one per core."""
    return max(1, int(os.environ.get("QA_READER_THREADS") or os.cpu_count() or 1))


def _split(count: int, parts: int) -> list[slice]:
    """`count` items in at most `parts` contiguous, near-equal groups."""
    parts = max(1, min(parts, count))
    bounds = [round(i * count / parts) for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds, bounds[1:])]
