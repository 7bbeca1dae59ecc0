"""Save, load and atomically swap the index folder (JSON, JSONL, .npy, .faiss; no pickle)."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import faiss
import numpy as np

from qa.types import Chunk

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.faiss"
BM25_DIR = "bm25"
CACHE_VECTORS = "embedding_cache.npy"
CACHE_KEYS = "embedding_cache.json"
README = "README.md"
README_TEXT = "# index/\n\n由 `qa index` 生成，请勿手工修改；删除后重新运行 `qa index` 即可重建。\n"

REBUILD_HINT = "请运行 `qa index --rebuild` 重建索引"


class IndexUnavailable(Exception):
    """The index folder is missing, stale or damaged; the message names the fix."""


@dataclass
class StoredIndex:
    """Everything in the index folder, loaded."""

    manifest: dict
    chunks: list[Chunk]
    vectors: faiss.Index
    bm25: bm25s.BM25
    cache: dict[str, np.ndarray]  # 嵌入缓存：被嵌入文本的 sha256 -> 向量


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest of an existing index, None when there is no index; checks the format version."""
    path = _readable_dir(index_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexUnavailable(f"索引清单 {path} 已损坏（{error}），{REBUILD_HINT}。") from error
    version = manifest.get("format_version") if isinstance(manifest, dict) else None
    if version != FORMAT_VERSION:
        raise IndexUnavailable(f"索引格式版本为 {version}，当前程序需要 {FORMAT_VERSION}，{REBUILD_HINT}。")
    return manifest


def read_index(index_dir: Path) -> StoredIndex:
    """Load the whole index folder; any missing or damaged part is an IndexUnavailable."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexUnavailable(f"在 {index_dir} 没有找到索引，请先运行 `qa index`。")
    folder = _readable_dir(index_dir)
    try:
        chunks = read_chunks(folder / CHUNKS)
        vectors = faiss.read_index(str(folder / VECTORS))
        bm25 = bm25s.BM25.load(str(folder / BM25_DIR), show_progress=False, allow_pickle=False)
        cache = read_cache(folder, manifest["encoder"]["id"])
    except Exception as error:  # faiss、bm25s、json 的异常各不相同，统一成一条能照做的提示
        raise IndexUnavailable(f"索引文件已损坏或不完整（{error}），{REBUILD_HINT}。") from error
    if vectors.ntotal != len(chunks) or len(chunks) != sum(d["chunks"] for d in manifest["documents"].values()):
        raise IndexUnavailable(f"索引文件之间不一致（向量 {vectors.ntotal} 条，段落 {len(chunks)} 条），{REBUILD_HINT}。")
    return StoredIndex(manifest=manifest, chunks=chunks, vectors=vectors, bm25=bm25, cache=cache)


def read_chunks(path: Path) -> list[Chunk]:
    chunks = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            chunks.append(Chunk(**{**row, "section_path": tuple(row["section_path"])}))
    return chunks


def read_cache(folder: Path, encoder_id: str) -> dict[str, np.ndarray]:
    """The embedding cache, or an empty one when it belongs to another encoder."""
    keys_path, vectors_path = folder / CACHE_KEYS, folder / CACHE_VECTORS
    if not keys_path.exists() or not vectors_path.exists():
        return {}
    header = json.loads(keys_path.read_text(encoding="utf-8"))
    if header.get("encoder") != encoder_id:
        return {}
    matrix = np.load(vectors_path, allow_pickle=False)
    return dict(zip(header["keys"], matrix))


def write_index(
    index_dir: Path,
    manifest: dict,
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25: bm25s.BM25,
    cache: dict[str, np.ndarray],
) -> None:
    """Write a complete index beside `index_dir`, then swap it in; a crash leaves the old one."""
    index_dir = Path(index_dir)
    building = _sibling(index_dir, f"building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)

    (building / README).write_text(README_TEXT, encoding="utf-8")
    with (building / CHUNKS).open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    faiss.write_index(flat, str(building / VECTORS))
    bm25.save(str(building / BM25_DIR), show_progress=False, allow_pickle=False)
    keys = list(cache)
    dim = vectors.shape[1]
    cache_matrix = np.vstack([cache[key] for key in keys]) if keys else np.zeros((0, dim), np.float32)
    np.save(building / CACHE_VECTORS, cache_matrix.astype(np.float32), allow_pickle=False)
    (building / CACHE_KEYS).write_text(
        json.dumps({"encoder": manifest["encoder"]["id"], "keys": keys}), encoding="utf-8"
    )
    # manifest 最后写：没有它的文件夹不算索引
    (building / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    _fsync_tree(building)
    swap_in(building, index_dir)


def swap_in(building: Path, index_dir: Path) -> None:
    """Replace index_dir by building; between the two renames the old copy stays readable."""
    previous = _sibling(index_dir, "previous")
    if index_dir.exists():
        shutil.rmtree(previous, ignore_errors=True)
        os.replace(index_dir, previous)
    os.replace(building, index_dir)
    shutil.rmtree(previous, ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index folder (a second `qa index` waits for the first)."""
    lock_path = _sibling(index_dir, "lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            # 上次被杀掉的构建留下的临时文件夹
            for stale in index_dir.parent.glob(f".{index_dir.name}.building-*"):
                shutil.rmtree(stale, ignore_errors=True)
            _restore_previous(index_dir)
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _restore_previous(index_dir: Path) -> None:
    """Finish a swap that a crash interrupted: put the previous copy back in place."""
    previous = _sibling(index_dir, "previous")
    if _readable_dir(index_dir) == previous:
        shutil.rmtree(index_dir, ignore_errors=True)
        os.replace(previous, index_dir)


def _readable_dir(index_dir: Path) -> Path:
    """index_dir, or the previous copy when a crash fell exactly between the two renames."""
    index_dir = Path(index_dir)
    previous = _sibling(index_dir, "previous")
    if not (index_dir / MANIFEST).exists() and (previous / MANIFEST).exists():
        return previous
    return index_dir


def _sibling(index_dir: Path, kind: str) -> Path:
    index_dir = Path(index_dir).resolve()
    return index_dir.parent / f".{index_dir.name}.{kind}"


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
