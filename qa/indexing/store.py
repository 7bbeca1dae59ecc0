"""The index folder: append-only segments (chunks, BM25 words, vectors written batch by batch) named by a manifest
that is replaced atomically; JSON, JSONL, .npy and FAISS files only, no pickle.

    index/manifest.json            what is in the index: documents (each points to the segment holding its chunks),
                                   the segments in order, the current BM25 generation, the approximate index if any
    index/segments/<name>/chunks.jsonl   one chunk per line
    index/segments/<name>/tokens.jsonl   the words BM25 indexes for each chunk (so they are never re-tokenised)
    index/segments/<name>/batches/00012.npy   vectors of rows 12·B … 13·B−1, while the segment is being embedded
    index/segments/<name>/vectors.npy    all its vectors once every batch is there (memory-mapped on load)
    index/bm25-<generation>/       bm25s over the live chunks, in manifest order
    index/ann-<generation>.faiss   optional approximate (HNSW) index over the vectors of whole segments

A segment never changes once the manifest names it, except that its vectors arrive. A chunk is live while the
manifest's entry for its document names that segment: a changed or removed document's old rows are dead at once,
and dropped later by compaction. Every file is written under a temporary name and renamed; the manifest is renamed
last, so a kill at any moment leaves the previous manifest and everything it names intact.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from qa.types import Chunk

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
SEGMENTS = "segments"
CHUNKS = "chunks.jsonl"
TOKENS = "tokens.jsonl"
VECTORS = "vectors.npy"
BATCHES = "batches"
README = "README.md"
README_TEXT = "# index/\n\n由 `qa index` 生成，请勿手工修改；删除后重新运行 `qa index` 即可重建。\n"
EMBED_BATCH = 64  # 每批向量单独落盘：被杀掉最多重算一批。新段按 $QA_EMBED_BATCH（若设）分批，批大小记在段的清单条目里
# 格式 1 的文件（整体重写的索引）：读它的嵌入缓存来复用向量
LEGACY_CACHE_VECTORS = "embedding_cache.npy"
LEGACY_CACHE_KEYS = "embedding_cache.json"

REBUILD_HINT = "请运行 `qa index --rebuild` 重建索引"


class IndexUnavailable(Exception):
    """The index folder is missing, stale or damaged; the message names the fix."""


@dataclass
class Segment:
    """One segment as loaded: its chunks and the vectors computed so far (rows without one are not `present`)."""

    entry: dict  # 清单里这个段的条目：name、chunks、batch
    chunks: list[Chunk]
    vectors: np.ndarray  # [len(chunks), dim] float32; memory-mapped when the segment is complete
    present: np.ndarray  # [len(chunks)] bool

    @property
    def name(self) -> str:
        return self.entry["name"]

    @property
    def complete(self) -> bool:
        return bool(self.present.all())


def segment_entry(name: str, rows: int) -> dict:
    """A new segment's manifest entry; its batch size stays with it (a resumed build must cut the same batches)."""
    return {"name": name, "chunks": rows, "batch": int(os.environ.get("QA_EMBED_BATCH") or EMBED_BATCH)}


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest of an existing index, None when there is no index; checks the format version."""
    path = Path(index_dir) / MANIFEST
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


def write_manifest(index_dir: Path, manifest: dict) -> None:
    """Replace the manifest atomically: readers see the old one or the new one, never half of either."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    if not (index_dir / README).exists():
        (index_dir / README).write_text(README_TEXT, encoding="utf-8")
    _write_atomically(index_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))


def segment_dir(index_dir: Path, name: str) -> Path:
    return Path(index_dir) / SEGMENTS / name


def write_segment(index_dir: Path, name: str, chunks: list[Chunk], tokens: list[list[str]], vectors: np.ndarray | None = None) -> None:
    """A new segment's chunks and BM25 words, written beside and renamed into place; its vectors come batch by
    batch (`write_batch`) unless they are all known already (compaction)."""
    folder = segment_dir(index_dir, name)
    building = folder.with_name(f".{name}.building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    _write_lines(building / CHUNKS, (asdict(chunk) for chunk in chunks))
    _write_lines(building / TOKENS, tokens)
    if vectors is not None:
        np.save(building / VECTORS, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
    _fsync_tree(building)
    os.replace(building, folder)


def read_segment_chunks(index_dir: Path, name: str) -> list[Chunk]:
    chunks = []
    with (segment_dir(index_dir, name) / CHUNKS).open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            chunks.append(Chunk(**{**row, "section_path": tuple(row["section_path"])}))
    return chunks


def read_segment_tokens(index_dir: Path, name: str) -> list[list[str]]:
    with (segment_dir(index_dir, name) / TOKENS).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def missing_batches(index_dir: Path, entry: dict) -> list[int]:
    """The batches of a segment whose vectors are not on disk yet."""
    folder = segment_dir(index_dir, entry["name"])
    if (folder / VECTORS).exists():
        return []
    done = {int(path.stem) for path in (folder / BATCHES).glob("*.npy")} if (folder / BATCHES).exists() else set()
    return [batch for batch in range(-(-entry["chunks"] // entry["batch"])) if batch not in done]


def write_batch(index_dir: Path, name: str, batch: int, vectors: np.ndarray) -> None:
    folder = segment_dir(index_dir, name) / BATCHES
    folder.mkdir(exist_ok=True)
    _save_npy(folder / f"{batch:05d}.npy", vectors)


def seal_segment(index_dir: Path, entry: dict, dim: int) -> None:
    """All batches there: join them into one vectors.npy (memory-mapped from now on) and drop the batch files."""
    folder = segment_dir(index_dir, entry["name"])
    vectors, present = _read_batches(folder, entry, dim)
    if not present.all():
        raise IndexUnavailable(f"段 {entry['name']} 的向量还没算完，不能合并。")
    _save_npy(folder / VECTORS, vectors)
    shutil.rmtree(folder / BATCHES, ignore_errors=True)


def read_segment(index_dir: Path, entry: dict, dim: int) -> Segment:
    """A segment with whatever vectors it has; a complete one is memory-mapped, not read into memory."""
    name = entry["name"]
    folder = segment_dir(index_dir, name)
    chunks = read_segment_chunks(index_dir, name)
    for _ in range(2):  # 读批次文件时恰好被合并成 vectors.npy：再读一次就是合并后的
        if (folder / VECTORS).exists():
            vectors = np.load(folder / VECTORS, mmap_mode="r", allow_pickle=False)
            if vectors.shape != (len(chunks), dim):
                raise IndexUnavailable(f"段 {name} 的向量是 {vectors.shape}，应为 ({len(chunks)}, {dim})，{REBUILD_HINT}。")
            return Segment(entry, chunks, vectors, np.ones(len(chunks), dtype=bool))
        try:
            vectors, present = _read_batches(folder, {**entry, "chunks": len(chunks)}, dim)
            return Segment(entry, chunks, vectors, present)
        except FileNotFoundError:
            continue
    raise IndexUnavailable(f"段 {name} 的向量文件不见了，{REBUILD_HINT}。")


def live_rows(manifest: dict, name: str, chunks: list[Chunk]) -> np.ndarray:
    """Indices of a segment's rows whose document still points to this segment."""
    documents = manifest["documents"]
    return np.array([i for i, chunk in enumerate(chunks) if documents.get(chunk.doc, {}).get("segment") == name], dtype=np.int64)


def covered_segments(manifest: dict) -> int:
    """How many leading segments the manifest's approximate index covers (0 when there is none)."""
    ann = manifest.get("ann") or {}
    names = [entry["name"] for entry in manifest["segments"]]
    covered = ann.get("segments", [])
    return len(covered) if names[: len(covered)] == covered else 0


def remove_unlisted(index_dir: Path, manifest: dict | None) -> None:
    """Delete what a killed build or a finished compaction left behind: segments, BM25 generations and approximate
    indexes the manifest does not name, and half-written temporary files. Call only under the build lock."""
    index_dir = Path(index_dir)
    listed = {segment["name"] for segment in manifest["segments"]} if manifest else set()
    keep = {manifest.get("bm25"), (manifest.get("ann") or {}).get("file")} if manifest else set()
    if (index_dir / SEGMENTS).exists():
        for folder in (index_dir / SEGMENTS).iterdir():
            if folder.name not in listed:
                shutil.rmtree(folder, ignore_errors=True)
    for path in index_dir.glob("*"):
        derived = path.name.startswith(("bm25-", "ann-")) and path.name not in keep
        if derived or path.name.startswith(".") and path.name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def read_legacy_cache(index_dir: Path, encoder_id: str) -> dict[str, np.ndarray]:
    """The embedding cache of a format-1 index (keyed by the hash of the embedded text), so upgrading reuses its
    vectors; empty when there is none or it belongs to another encoder."""
    keys_path, vectors_path = Path(index_dir) / LEGACY_CACHE_KEYS, Path(index_dir) / LEGACY_CACHE_VECTORS
    if not keys_path.exists() or not vectors_path.exists():
        return {}
    try:
        header = json.loads(keys_path.read_text(encoding="utf-8"))
        if header.get("encoder") != encoder_id:
            return {}
        return dict(zip(header["keys"], np.load(vectors_path, allow_pickle=False)))
    except (OSError, ValueError, KeyError):
        return {}  # 旧缓存读不了就不用：大不了重新嵌入


def remove_legacy_files(index_dir: Path) -> None:
    """What a format-1 index kept beside the manifest; gone once the new manifest is in."""
    for name in ("chunks.jsonl", "vectors.faiss", LEGACY_CACHE_VECTORS, LEGACY_CACHE_KEYS):
        (Path(index_dir) / name).unlink(missing_ok=True)
    shutil.rmtree(Path(index_dir) / "bm25", ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path, blocking: bool = True):
    """One writer of the manifest at a time per index folder (a second `qa index` waits for the first). Yields
    False instead of waiting when `blocking` is off and another process holds it."""
    with _flock(_sibling(index_dir, "lock"), blocking) as held:
        if held:
            _restore_previous(index_dir)
        yield held


@contextlib.contextmanager
def embed_lock(index_dir: Path, blocking: bool = True):
    """One process computes vectors at a time (the server's background job or a `qa index`), so no batch is
    computed twice."""
    with _flock(_sibling(index_dir, "embed-lock"), blocking) as held:
        yield held


@contextlib.contextmanager
def _flock(path: Path, blocking: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _restore_previous(index_dir: Path) -> None:
    """A format-1 build killed between its two renames left the old index beside the folder: put it back."""
    index_dir = Path(index_dir)
    previous = _sibling(index_dir, "previous")
    if not (index_dir / MANIFEST).exists() and (previous / MANIFEST).exists():
        shutil.rmtree(index_dir, ignore_errors=True)
        os.replace(previous, index_dir)
    for stale in index_dir.parent.glob(f".{index_dir.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)


def _read_batches(folder: Path, entry: dict, dim: int) -> tuple[np.ndarray, np.ndarray]:
    rows = entry["chunks"]
    vectors = np.zeros((rows, dim), dtype=np.float32)
    present = np.zeros(rows, dtype=bool)
    if (folder / BATCHES).exists():
        for path in (folder / BATCHES).glob("*.npy"):
            start = int(path.stem) * entry["batch"]
            batch = np.load(path, allow_pickle=False)
            if batch.shape[1:] != (dim,) or start + len(batch) > rows:
                raise IndexUnavailable(f"向量批次 {path} 的形状 {batch.shape} 不对，{REBUILD_HINT}。")
            vectors[start : start + len(batch)] = batch
            present[start : start + len(batch)] = True
    return vectors, present


def _save_npy(path: Path, matrix: np.ndarray) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        np.save(handle, np.ascontiguousarray(matrix, dtype=np.float32), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _write_lines(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _sibling(index_dir: Path, kind: str) -> Path:
    index_dir = Path(index_dir).resolve()
    return index_dir.parent / f".{index_dir.name}.{kind}"


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
