"""Chunks, dense vectors and BM25 in Milvus (a server, or a Milvus Lite file): the layout, the connection and
building the store (`qa.search.milvus` scores it).

Collections, for a prefix (default "qa"):

    {prefix}_meta        key -> ASCII JSON or base64 text: "current" names the live generation and its BM25
                         statistics; "manifest.{g}.{i}" are the parts of generation g's manifest (the shape of
                         manifest.json), "moments.{g}.{i}" those of its vectors' mean and covariance
    {prefix}_chunks_{g}  a row per chunk: its fields, `seq` (its row in `chunks`), its embedding key,
                         the dense vector and the BM25 sparse vector
    {prefix}_terms_{g}   a row per indexed word: its sparse dimension and document frequency

Every build writes a whole new generation, then switches "current" to it in one row (as the index folder renames
its manifest last): a reader sees the old index or the new one, never half of one. Only chunks whose text is new
are embedded; the others' vectors are copied from the previous generation.

BM25 is bm25s's default ("lucene": idf = ln(1 + (N - df + 0.5) / (df + 0.5)), term weight
tf / (tf + k1 · (1 - b + b · dl / avgdl))) over the words `bm25_tokens` gives the embedded index. A chunk's sparse
vector holds idf × term weight per word and a query's holds how often it says each word, so Milvus's inner product
is the bm25s score. idf and avgdl belong to the whole corpus, so every build re-weights every row from the current
N, df and avgdl, as the embedded index rebuilds bm25s over all live chunks: after documents are added or removed the
scores equal those of a fresh bm25s index. N and avgdl stay in "current" and df in the terms collection, for
inspection and for an append-only mode that would compute idf at query time instead.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qa import __version__
from qa.indexing.build import (
    BuildReport,
    Progress,
    bm25_tokens,
    corpus_changes,
    document_entry,
    embedding_key,
    published_report,
    published_years_of,
    read_corpus,
)
from qa.indexing.chunk import ChunkSettings, chunk_document
from qa.indexing.embed import Encoder, load_encoder, resolve_model_name
from qa.indexing.ingest import Skipped
from qa.indexing.sections import split_sections
from qa.indexing.store import IndexUnavailable
from qa.indexing.tokenize import TOKENIZER_VERSION, Tokenizer
from qa.types import Chunk, Document

# Milvus 里的布局改了就加一（与索引文件夹的 FORMAT_VERSION 各管各的）
MILVUS_FORMAT_VERSION = 1
DEFAULT_PREFIX = "qa"
SCHEME = "milvus://"
LITE_SUFFIX = ".db"
DEFAULT_PORT = 19530
# 每次读写的行数：一页的向量和文字远小于 gRPC 单条消息的上限
PAGE_ROWS = 2048
# 每批送去编码的段落数：进度按批报告
EMBED_BATCH = 64
# VARCHAR 的最大长度（字节）；元数据存成 ASCII，字符数就是字节数
MAX_VARCHAR = 65535
SHA256_HEX = 64
# Milvus 要求每个集合至少有一个向量字段：元数据和词表集合各放一个用不到的二维零向量
PLACEHOLDER = [0.0, 0.0]
# bm25s.BM25() 的默认参数（method="lucene"）；tests/test_milvus.py 逐分对照 bm25s 验证
BM25_METHOD = "lucene"
BM25_K1 = 1.5
BM25_B = 0.75

CURRENT = "current"
REOPEN_HINT = "索引可能刚被 `qa index` 更新，请重新打开"
REBUILD_STORE_HINT = "请运行 `qa index --rebuild --store …` 重建"
_PREFIX_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
CHUNK_FIELDS = ("id", "seq", "doc", "title", "section_path", "text", "start", "end")


@dataclass(frozen=True)
class Bm25Weights:
    """The BM25 side of a generation: a sparse vector per chunk, and the word dimensions and statistics behind it."""

    vectors: list[dict[int, float]]
    dims: dict[str, int]
    document_frequency: dict[str, int]
    documents: int
    average_length: float

    def statistics(self) -> dict:
        return {
            "method": BM25_METHOD,
            "k1": BM25_K1,
            "b": BM25_B,
            "documents": self.documents,
            "average_length": self.average_length,
        }


def index_into_milvus(
    corpus_dir: Path,
    uri: str,
    model: str | None = None,
    rebuild: bool = False,
    encoder: Encoder | None = None,
    progress: Progress | None = None,
    settings: ChunkSettings = ChunkSettings(),
    prefix: str = DEFAULT_PREFIX,
    tokenizer: Tokenizer | None = None,
) -> BuildReport:
    """Bring the Milvus store at `uri` up to date with corpus_dir, as build_index does for a folder; `rebuild`
    ignores whatever is there; `tokenizer` saves loading jieba's dictionary again where one is at hand. One writer
    at a time: Milvus has no lock that a second `qa index` would wait for."""
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise IndexUnavailable(f"语料文件夹 {corpus_dir} 不存在。")
    check_prefix(prefix)
    client = connect(uri, create=True)
    try:
        with milvus_errors("写入 Milvus 失败", "已有的索引保持不变，可以重试"):
            return _update(
                client, corpus_dir, uri, model, rebuild, encoder, progress, settings, prefix, tokenizer, started
            )
    finally:
        client.close()


def bm25_weights(token_lists: list[list[str]]) -> Bm25Weights:
    """Sparse vectors whose inner product with a query's word counts is bm25s's default score (see module doc)."""
    dims: dict[str, int] = {}
    for tokens in token_lists:
        for token in tokens:
            dims.setdefault(token, len(dims))
    counts = [Counter(tokens) for tokens in token_lists]
    document_frequency = Counter(token for count in counts for token in count)
    documents = len(token_lists)
    average_length = float(np.mean([len(tokens) for tokens in token_lists])) if token_lists else 0.0
    # bm25s 把 idf 存成 float32，再乘以 float64 的词频项、存成 float32：照做，分数才逐位接近
    idf = {
        token: float(np.float32(math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))))
        for token, frequency in document_frequency.items()
    }
    vectors = []
    for tokens, count in zip(token_lists, counts):
        length_norm = BM25_K1 * ((1 - BM25_B) + BM25_B * len(tokens) / average_length)
        vectors.append({dims[token]: idf[token] * tf / (length_norm + tf) for token, tf in count.items()})
    return Bm25Weights(vectors, dims, dict(document_frequency), documents, average_length)


def parse_store_uri(uri: str) -> tuple[str, bool]:
    """(what MilvusClient is given, whether it is a Milvus Lite path) for a `--store` value.

    After an optional "milvus://", a value ending in ".db" is a Milvus Lite path, relative to the working folder
    unless it starts with "/" or "~" (milvus:///srv/qa.db, milvus://./qa.db, qa.db; this Milvus Lite keeps a folder
    there). Anything else is HOST[:PORT] of a Milvus server, port 19530 by default (milvus://localhost:19530);
    http:// and https:// URIs go to the server as they are."""
    text = uri.strip()
    if text.startswith(("http://", "https://")):
        return text, False
    target = text.removeprefix(SCHEME)
    if target.endswith(LITE_SUFFIX):
        return str(Path(target).expanduser().resolve()), True
    host = target.rstrip("/")
    if not host or "/" in host:
        raise IndexUnavailable(
            f"看不懂存储地址 {uri!r}：服务器写作 milvus://主机:端口，本地 Milvus Lite 写作以 .db 结尾的路径。"
        )
    return f"http://{host if ':' in host else f'{host}:{DEFAULT_PORT}'}", False


def connect(uri: str, create: bool = False):
    """A MilvusClient for the store; IndexUnavailable (in Chinese) when the server or the Lite file cannot be opened.
    A Lite path that does not exist yet is created only when `create`."""
    pymilvus = _pymilvus()
    target, lite = parse_store_uri(uri)
    if lite:
        path = Path(target)
        if not create and not path.exists():
            raise IndexUnavailable(f"Milvus Lite 文件 {path} 不存在，请先运行 `qa index --store {uri}`。")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pymilvus.MilvusClient(uri=target)
    except pymilvus.MilvusException as error:
        if lite:
            raise IndexUnavailable(
                f"打不开 Milvus Lite 文件 {target}（{error.message}）；它可能正被另一个进程使用。"
            ) from error
        raise IndexUnavailable(
            f"连不上 Milvus 服务器 {target}（{error.message}）；请确认服务已启动、地址和端口无误。"
        ) from error


@contextlib.contextmanager
def milvus_errors(what: str, advice: str):
    """Milvus's errors as IndexUnavailable: what failed, Milvus's own words, and what to do."""
    try:
        yield
    except _pymilvus().MilvusException as error:
        raise IndexUnavailable(f"{what}（{error.message}）；{advice}。") from error


def _pymilvus():
    try:
        import pymilvus
    except ImportError as error:  # 可选依赖：只有用 Milvus 存储时才需要，也不拖慢默认的启动
        raise IndexUnavailable("使用 Milvus 存储需要先安装：pip install pymilvus milvus-lite") from error
    return pymilvus


def _update(
    client, corpus_dir: Path, uri: str, model, rebuild, encoder, progress, settings, prefix, tokenizer, started
) -> BuildReport:
    """index_into_milvus once connected: the same added/changed/removed bookkeeping as update_index."""
    _ensure_meta(client, prefix)
    current = read_current(client, prefix)
    old = json.loads(read_blob(client, prefix, "manifest", current)) if current and not rebuild else None
    if old and old.get("format_version") != MILVUS_FORMAT_VERSION:
        raise IndexUnavailable(
            f"Milvus 索引格式版本为 {old.get('format_version')}，当前程序需要 {MILVUS_FORMAT_VERSION}，{REBUILD_STORE_HINT}。"
        )
    model_name = resolve_model_name(model or (old["encoder"]["model"] if old else None))
    if encoder is None:
        encoder = load_encoder(model_name)
    if old and old["encoder"]["id"] != encoder.id:
        raise IndexUnavailable(
            f"现有 Milvus 索引用编码器 {old['encoder']['id']} 构建，这次要用 {encoder.id}；"
            f"换模型请运行 `qa index --rebuild --store {uri} --model {model_name}`。"
        )
    documents, skipped = read_corpus(corpus_dir, progress)
    added, changed, removed, recut = corpus_changes(documents, old, settings)
    if old and not (added or changed or removed or recut):
        return _report(old, [], [], [], 0, skipped, started, documents)

    old_rows = []
    if old:
        old_chunks_name, _ = generation_names(prefix, current["generation"])
        ensure_loaded(client, old_chunks_name)
        old_rows = read_rows(client, old_chunks_name, current["chunks"], [*CHUNK_FIELDS, "embedding_key", "dense"])
    kept: dict[str, list[Chunk]] = {}
    for row in old_rows:
        kept.setdefault(row["doc"], []).append(chunk_of(row))
    chunks: list[Chunk] = []
    for document in documents:
        if document.doc in kept and not recut and document.doc not in added and document.doc not in changed:
            chunks.extend(kept[document.doc])
        else:
            chunks.extend(chunk_document(document, split_sections(document), settings))

    known = {row["embedding_key"]: np.asarray(row["dense"], dtype=np.float32) for row in old_rows}
    vectors, encoded = _vectors(chunks, encoder, known, progress)
    weights = bm25_weights(bm25_tokens(chunks, tokenizer or Tokenizer(), published_years_of(documents)))
    if progress:
        progress("BM25", 1, 1)
    manifest = _manifest(documents, chunks, encoder, model_name, settings, started)
    _write_generation(client, prefix, current, manifest, chunks, vectors, weights, progress)
    return _report(manifest, added, changed, removed, encoded, skipped, started, documents)


def _vectors(chunks: list[Chunk], encoder: Encoder, known: dict[str, np.ndarray], progress) -> tuple[np.ndarray, int]:
    """A vector per chunk: texts already embedded reused, the rest encoded in batches; returns (vectors, encoded)."""
    keys = [embedding_key(chunk) for chunk in chunks]
    missing = list({key: chunk for key, chunk in zip(keys, chunks) if key not in known}.items())
    fresh: dict[str, np.ndarray] = {}
    for begin in range(0, len(missing), EMBED_BATCH):
        if progress:
            progress("嵌入", begin, len(missing))
        batch = missing[begin : begin + EMBED_BATCH]
        fresh.update(
            zip([key for key, _ in batch], encoder.encode_passages([chunk.context_text() for _, chunk in batch]))
        )
    if progress and missing:
        progress("嵌入", len(missing), len(missing))
    if not keys:
        return np.zeros((0, encoder.dim), dtype=np.float32), 0
    vectors = np.vstack([fresh[key] if key in fresh else known[key] for key in keys]).astype(np.float32)
    return vectors, len(missing)


def _manifest(
    documents: list[Document],
    chunks: list[Chunk],
    encoder: Encoder,
    model_name: str,
    settings: ChunkSettings,
    started: float,
) -> dict:
    """The keys every store's manifest has (the index folder adds its segments and BM25 generation)."""
    counts = Counter(chunk.doc for chunk in chunks)
    return {
        "format_version": MILVUS_FORMAT_VERSION,
        "qa_version": __version__,
        "encoder": {"id": encoder.id, "model": model_name, "dim": encoder.dim},
        "chunker": settings.as_dict(),
        "tokenizer_version": TOKENIZER_VERSION,
        "documents": {d.doc: document_entry(d, counts.get(d.doc, 0)) for d in documents},
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
    }


def _report(
    manifest: dict,
    added,
    changed,
    removed,
    encoded: int,
    skipped: list[Skipped],
    started: float,
    documents: list[Document],
) -> BuildReport:
    chunks = sum(entry["chunks"] for entry in manifest["documents"].values())
    return BuildReport(
        docs=len(manifest["documents"]),
        chunks=chunks,
        docs_added=added,
        docs_changed=changed,
        docs_removed=removed,
        chunks_embedded=encoded,
        chunks_reused=chunks - encoded,
        model=manifest["encoder"]["id"],
        seconds=round(time.perf_counter() - started, 3),
        skipped=[asdict(item) for item in skipped],
        warnings=[{"doc": document.doc, "reason": note} for document in documents for note in document.notes],
        published=published_report(manifest),
    )


def chunk_of(row: dict) -> Chunk:
    return Chunk(
        id=row["id"],
        doc=row["doc"],
        title=row["title"],
        section_path=tuple(row["section_path"]),
        text=row["text"],
        start=row["start"],
        end=row["end"],
    )


def _write_generation(
    client,
    prefix: str,
    current: dict | None,
    manifest: dict,
    chunks: list[Chunk],
    vectors: np.ndarray,
    weights: Bm25Weights,
    progress,
) -> None:
    """Write the next generation beside the live one, switch "current" to it, then drop every other generation."""
    generation = current["generation"] + 1 if current else 1
    chunks_name, terms_name = generation_names(prefix, generation)
    _create_chunks_collection(client, chunks_name, vectors.shape[1])
    rows = [
        {
            "id": chunk.id,
            "seq": seq,
            "doc": chunk.doc,
            "title": chunk.title,
            "section_path": list(chunk.section_path),
            "text": chunk.text,
            "start": chunk.start,
            "end": chunk.end,
            "embedding_key": embedding_key(chunk),
            "dense": vector.tolist(),
            "bm25": sparse,
        }
        for seq, (chunk, vector, sparse) in enumerate(zip(chunks, vectors, weights.vectors))
    ]
    _insert_pages(client, chunks_name, rows, progress)
    _create_keyed_collection(client, terms_name, "term", {"dim": "INT64", "df": "INT64"})
    # 空占位词（没有词的段落）只在段落向量里占一维，查询永远问不到它
    terms = [
        {"term": term, "dim": dim, "df": weights.document_frequency[term], "placeholder": PLACEHOLDER}
        for term, dim in weights.dims.items()
        if term
    ]
    _insert_pages(client, terms_name, terms, None)

    mean = vectors.mean(axis=0, dtype=np.float64) if len(vectors) else np.zeros(vectors.shape[1])
    centred = vectors.astype(np.float64) - mean
    covariance = centred.T @ centred / max(len(vectors), 1)
    moments = base64.b64encode(np.concatenate([mean, covariance.ravel()]).astype("<f8").tobytes()).decode("ascii")
    parts = {
        "manifest": _write_blob(client, prefix, f"manifest.{generation}", json.dumps(manifest)),
        "moments": _write_blob(client, prefix, f"moments.{generation}", moments),
    }
    pointer = {"generation": generation, "chunks": len(chunks), "parts": parts, "bm25": weights.statistics()}
    # 这一行是提交点：写下之前读者看到旧一代，之后看到新一代
    client.upsert(f"{prefix}_meta", [_meta_row(CURRENT, json.dumps(pointer))])
    _drop_other_generations(client, prefix, generation)


def _insert_pages(client, name: str, rows: list[dict], progress) -> None:
    for begin in range(0, len(rows), PAGE_ROWS):
        if progress:
            progress("写入", begin, len(rows))
        client.insert(name, rows[begin : begin + PAGE_ROWS])
    if progress and rows:
        progress("写入", len(rows), len(rows))


def _write_blob(client, prefix: str, key: str, text: str) -> int:
    """Store ASCII text under key.0, key.1, … (each within a VARCHAR); returns how many parts."""
    parts = [text[begin : begin + MAX_VARCHAR] for begin in range(0, len(text), MAX_VARCHAR)] or [""]
    client.upsert(f"{prefix}_meta", [_meta_row(f"{key}.{i}", part) for i, part in enumerate(parts)])
    return len(parts)


def read_blob(client, prefix: str, name: str, current: dict) -> str:
    keys = [f"{name}.{current['generation']}.{i}" for i in range(current["parts"][name])]
    rows = client.query(f"{prefix}_meta", filter=in_filter("key", keys), output_fields=["key", "text"])
    parts = {row["key"]: row["text"] for row in rows}
    if set(parts) != set(keys):
        raise IndexUnavailable(f"Milvus 索引的 {name} 不完整（第 {current['generation']} 代），{REBUILD_STORE_HINT}。")
    return "".join(parts[key] for key in keys)


def _drop_other_generations(client, prefix: str, keep: int) -> None:
    """Remove what earlier builds (or one that stopped halfway) left: other generations' collections and blobs."""
    pattern = re.compile(rf"{re.escape(prefix)}_(chunks|terms)_(\d+)")
    for name in client.list_collections():
        found = pattern.fullmatch(name)
        if found and int(found.group(2)) != keep:
            client.drop_collection(name)
    meta = f"{prefix}_meta"
    keys = [row["key"] for row in client.query(meta, filter=f'key != "{CURRENT}"', output_fields=["key"])]
    stale = [key for key in keys if key.split(".")[1] != str(keep)]
    if stale:
        client.delete(meta, filter=in_filter("key", stale))


def _create_chunks_collection(client, name: str, dim: int) -> None:
    data_type = _pymilvus().DataType
    if client.has_collection(name):  # 上次没写完的同代集合
        client.drop_collection(name)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", data_type.VARCHAR, is_primary=True, max_length=MAX_VARCHAR)
    schema.add_field("seq", data_type.INT64)
    schema.add_field("doc", data_type.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("title", data_type.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("section_path", data_type.JSON)
    schema.add_field("text", data_type.VARCHAR, max_length=MAX_VARCHAR)
    schema.add_field("start", data_type.INT64)
    schema.add_field("end", data_type.INT64)
    schema.add_field("embedding_key", data_type.VARCHAR, max_length=SHA256_HEX)
    schema.add_field("dense", data_type.FLOAT_VECTOR, dim=dim)
    schema.add_field("bm25", data_type.SPARSE_FLOAT_VECTOR)
    index = client.prepare_index_params()
    # 精确检索：FLAT 内积与内嵌索引的矩阵乘积同分；稀疏倒排索引不丢小权重时也是精确的
    index.add_index("dense", index_type="FLAT", metric_type="IP")
    index.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    _create_indexed(client, name, schema, index)


def _create_keyed_collection(client, name: str, key: str, fields: dict[str, str]) -> None:
    """Rows looked up by a string key, with the placeholder vector Milvus requires of every collection."""
    data_type = _pymilvus().DataType
    if client.has_collection(name):
        client.drop_collection(name)
    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field(key, data_type.VARCHAR, is_primary=True, max_length=MAX_VARCHAR)
    for field, kind in fields.items():
        extra = {"max_length": MAX_VARCHAR} if kind == "VARCHAR" else {}
        schema.add_field(field, getattr(data_type, kind), **extra)
    schema.add_field("placeholder", data_type.FLOAT_VECTOR, dim=len(PLACEHOLDER))
    index = client.prepare_index_params()
    index.add_index("placeholder", index_type="FLAT", metric_type="L2")
    _create_indexed(client, name, schema, index)


def _create_indexed(client, name: str, schema, index) -> None:
    """Create, index and load an empty collection; Strong consistency, so what a build writes is read at once."""
    client.create_collection(name, schema=schema, consistency_level="Strong")
    # 空集合的索引立即建好：不等 pymilvus 每个索引轮询半秒
    client.create_index(name, index, sync=False)
    client.load_collection(name)


def _ensure_meta(client, prefix: str) -> None:
    if not client.has_collection(f"{prefix}_meta"):
        _create_keyed_collection(client, f"{prefix}_meta", "key", {"text": "VARCHAR"})
    ensure_loaded(client, f"{prefix}_meta")


def ensure_loaded(client, name: str) -> None:
    """Load a collection if it is not (Milvus Lite reopens a file with its collections released)."""
    if client.get_load_state(name)["state"] != _pymilvus().client.types.LoadState.Loaded:
        client.load_collection(name)


def _meta_row(key: str, text: str) -> dict:
    return {"key": key, "text": text, "placeholder": PLACEHOLDER}


def read_current(client, prefix: str) -> dict | None:
    """The live generation's pointer; None when the store holds no index yet."""
    meta = f"{prefix}_meta"
    if not client.has_collection(meta):
        return None
    ensure_loaded(client, meta)
    rows = client.query(meta, filter=in_filter("key", [CURRENT]), output_fields=["text"])
    return json.loads(rows[0]["text"]) if rows else None


def read_rows(client, name: str, total: int, fields: list[str]) -> list[dict]:
    """All rows of a chunks collection in `seq` order, a page at a time."""
    rows = []
    for begin in range(0, total, PAGE_ROWS):
        rows.extend(client.query(name, filter=f"seq >= {begin} and seq < {begin + PAGE_ROWS}", output_fields=fields))
    rows.sort(key=lambda row: row["seq"])
    if [row["seq"] for row in rows] != list(range(total)):
        raise IndexUnavailable(
            f"Milvus 集合 {name} 缺了段落（应有 {total} 段，读到 {len(rows)} 段），{REBUILD_STORE_HINT}。"
        )
    return rows


def generation_names(prefix: str, generation: int) -> tuple[str, str]:
    return f"{prefix}_chunks_{generation}", f"{prefix}_terms_{generation}"


def check_prefix(prefix: str) -> None:
    if not _PREFIX_PATTERN.fullmatch(prefix):
        raise ValueError(f"集合名前缀 {prefix!r} 不合法：只能用字母、数字和下划线，且不以数字开头。")


def in_filter(field: str, values: list[str]) -> str:
    """A Milvus filter `field in ["a", "b"]` with the strings escaped (Milvus Lite has no filter templates)."""
    quoted = ('"' + "".join(_STRING_ESCAPES.get(char, char) for char in value) + '"' for value in values)
    return f"{field} in [{', '.join(quoted)}]"
