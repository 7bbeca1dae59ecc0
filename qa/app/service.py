"""What the web app and the command line do, without a UI: ask, search, manage the corpus, rebuild, evaluate.

The service enforces who may change what: every changing operation takes the `Caller` and refuses anyone but an
administrator (`NotAllowed`, with the reason in Chinese), whatever layer calls it."""
from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from qa.app.accounts import AccessPolicy, Accounts, Caller
from qa.app.audit import OK, AuditEntry, AuditLog, audit_log_for, file_sha256
from qa.app.document_view import whole_document
from qa.app.progress import ProgressMeter, vector_status
from qa.app.state import adopt_state_beside_corpus, trash_dir
from qa.app.trash import Trash, TrashItem
from qa.indexing.build import BuildReport, embed_pending, update_index
from qa.indexing.embed import Encoder, load_encoder, resolve_model_name
from qa.indexing.store import IndexUnavailable, read_manifest
from qa.search.stores import EmbeddingState
from qa.evaluate import BadEvalFile, check_documents, evaluate, load_questions
from qa.indexing.ingest import KINDS, MAX_FILE_BYTES, SUPPORTED_SUFFIXES, UnreadableFile, corpus_files, decode_bytes, load_document, normalise_text
from qa.pipeline import Pipeline
from qa.text.synonyms import Thesaurus
from qa.types import Answer, Document, Hit

if TYPE_CHECKING:  # 阅读器的模块要 torch：只在真的加载时导入
    from qa.reading.reader_weights import NeuralReader

MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # 上传与建库同一个上限
_SUFFIX_LIST = " ".join(SUPPORTED_SUFFIXES)
# 知识库表格里的类型名
STATE_INDEXED, STATE_PENDING, STATE_DELETED = "已索引", "待重建", "已删除，重建后生效"
KIND_NAMES = {"text": "文本", "pdf": "PDF", "docx": "Word", "html": "网页", "xlsx": "Excel", "csv": "CSV"}
_UNSAFE_NAME_CHARS = re.compile(r"[^\w\u4e00-\u9fff.\-（）()]+")

Progress = Callable[[str, int, int], None]
STARTUP_USER = "启动时更新"  # 启动时收进了直接放进文件夹的文档：操作记录里这样写
MAX_EVAL_UPLOAD_BYTES = 4 * 1024 * 1024  # 评测文件是 JSONL 题目，几 MB 已是上万题
VECTOR_REFRESH_SECONDS = 3.0  # 后台算好的向量多久并入一次正在用的索引
BUSY_READER_THREADS = 1  # 后台算向量时阅读器的线程数
INDEX_CHECK_SECONDS = 2.0  # 多久看一次索引是否被别的进程（`qa index`、另一个服务）更新了


class NotAllowed(PermissionError):
    """The caller may not do this; the message says why and what to do (in Chinese)."""


@dataclass(frozen=True)
class UploadResult:
    ok: bool
    doc: str | None
    message: str


class QAService:
    """One corpus and its index; questions keep using the old index while a rebuild runs."""

    def __init__(
        self, corpus_dir: Path, index_dir: Path, model: str | None = None, background: bool = True,
        policy: AccessPolicy | None = None, encoder: Encoder | None = None, reader: NeuralReader | None = None,
    ):
        self.corpus_dir = Path(corpus_dir)
        # 谁能改知识库的说明（拒绝时告诉对方怎么办）；没给：本机使用，和命令行一样
        self.policy = policy or AccessPolicy(Accounts([]), local_admin=True)
        # 已加载的编码器和阅读器可以传进来共用（同一进程里的几个服务、测试）；没给就按索引的模型加载
        self._encoder = encoder
        self._reader = reader
        self.index_dir = Path(index_dir)
        self.model = model
        self.background = background  # False：rebuild 等向量全部算完才返回（测试、脚本）
        self.thesaurus = Thesaurus()
        self._pipeline: Pipeline | None = None
        self._rebuild_lock = threading.Lock()
        self._embedding: threading.Thread | None = None
        self._embedding_lock = threading.Lock()
        self._embedding_requests = 0
        self._background_encoder = None  # 后台嵌入自己的编码器（不跟提问抢同一把锁）
        self._stopping = threading.Event()
        self.embedding_progress = ProgressMeter()
        self._hashes: dict[Path, tuple[tuple[int, int], str]] = {}  # 文件 -> ((大小, 修改时间), SHA-256)
        self.last_report: BuildReport | None = None
        self.embedding_error: str | None = None
        adopt_state_beside_corpus(self.corpus_dir, self.index_dir)  # 旧版本写在文档文件夹旁的操作记录和回收站
        self.trash = Trash(self.corpus_dir, trash_dir(self.index_dir))
        self.audit = audit_log_for(self.index_dir)
        self._manifest_stamp: tuple | None = None  # 已加载的索引对应的 manifest.json（大小、修改时间、inode）
        self._watcher: threading.Thread | None = None

    # ---- 索引 -------------------------------------------------------------

    def start(self, progress: Progress | None = None) -> BuildReport:
        """Bring the index up to date with the corpus folder before serving (files put there directly are taken in,
        recorded in the audit log as 「启动时更新」); IndexUnavailable when there is nothing to serve."""
        report = self._update(progress)
        if report.docs_added or report.docs_changed or report.docs_removed:
            record_rebuild(self.audit, STARTUP_USER)
        return report

    def rebuild(self, caller: Caller, progress: Progress | None = None) -> BuildReport:
        """Take in the corpus's new, changed and removed files (administrators only): their text is searchable
        (BM25) when this returns; their vectors are computed in the background and taken in batch by batch. One
        rebuild at a time; recorded in the audit log, whether it succeeded or not."""
        self._allow(caller)
        return self._update(progress, caller)

    def _allow(self, caller: Caller | None) -> None:
        if caller is None or not caller.is_admin:
            raise NotAllowed(self.policy.refusal())

    def _update(self, progress: Progress | None = None, caller: Caller | None = None) -> BuildReport:
        user = caller.name if caller else None
        with self._rebuild_lock:
            encoder = self._pipeline.index.encoder if self._pipeline else self._encoder or load_encoder(self._model_name())
            try:
                report = update_index(self.corpus_dir, self.index_dir, encoder, self.model, progress=progress)
            except IndexUnavailable as error:
                if user:
                    record_rebuild(self.audit, user, error)
                raise
            self._reload(encoder)
            self.last_report = report
            if user:
                record_rebuild(self.audit, user)
        if self.background:
            self._start_embedding()
        else:
            self._embed()
        return report

    def _model_name(self) -> str:
        manifest = read_manifest(self.index_dir) if (self.index_dir / "manifest.json").exists() else None
        return resolve_model_name(self.model or (manifest["encoder"]["model"] if manifest else None))

    def _reload(self, encoder) -> None:
        current = self._pipeline
        # 新索引完整加载后才替换引用：正在回答的问题继续用旧的；阅读器不随索引变，沿用
        reader = current.reader if current else self._reader
        stamp = self._stamp()
        self._pipeline = Pipeline.open(self.index_dir, encoder, reader, self.thesaurus)
        self._manifest_stamp = stamp

    def _stamp(self) -> tuple | None:
        try:
            info = (self.index_dir / "manifest.json").stat()
        except OSError:
            return None
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    def check_for_newer_index(self) -> bool:
        """Load the index if another process (`qa index`, a second server) wrote a newer one; questions keep the old
        one until the new one is loaded. True if it was swapped in."""
        if self._pipeline is None or self._stamp() == self._manifest_stamp:
            return False
        with self._rebuild_lock:
            stamp = self._stamp()
            if stamp == self._manifest_stamp:
                return False
            manifest = read_manifest(self.index_dir)
            if manifest is None or manifest == self._pipeline.index.manifest:
                self._manifest_stamp = stamp  # 我们自己写的（后台嵌入），或内容没变
                return False
            try:
                self._reload(self._pipeline.index.encoder)
            except IndexUnavailable:
                return False  # 别的进程写到一半：下次再看
        return True

    def watch_index(self, interval: float = INDEX_CHECK_SECONDS) -> None:
        """Check for a newer index every `interval` seconds in a background thread (the web app does)."""
        def watch() -> None:
            while not self._stopping.wait(interval):
                try:
                    self.check_for_newer_index()
                except Exception as error:  # 看一眼失败不该让服务停：下次再看
                    print(f"检查索引更新时出错：{error}", file=sys.stderr)

        if self._watcher is None:
            self._watcher = threading.Thread(target=watch, name="qa-index-watch", daemon=True)
            self._watcher.start()

    def _start_embedding(self) -> None:
        """Ask for the missing vectors; a thread already at work goes round once more (the new segment may have
        been written after it last looked)."""
        with self._embedding_lock:
            self._embedding_requests += 1
            if self._embedding is None or not self._embedding.is_alive():
                self._embedding = threading.Thread(target=self._embed_until_idle, name="qa-embedding", daemon=True)
                self._embedding.start()

    def _embed_until_idle(self) -> None:
        reader = self._pipeline.reader if self._pipeline else None
        if reader is not None:
            reader.set_threads(BUSY_READER_THREADS)  # 两个核都在算向量：阅读器用一个线程反而快得多
        try:
            while not self._stopping.is_set():
                with self._embedding_lock:
                    seen = self._embedding_requests
                self._embed()
                with self._embedding_lock:
                    if self._embedding_requests == seen or self.embedding_error:
                        return
        finally:
            if reader is not None:
                reader.set_threads(None)

    def _embed(self) -> None:
        """Compute the missing vectors with an encoder of its own (questions keep theirs, not waiting for a
        batch), taking in what is done every few seconds; when all are done, load the compacted index."""
        encoder = self._background_encoder or load_encoder(self._model_name())
        self._background_encoder = encoder
        last_refresh = [time.monotonic()]

        def progress(stage: str, done: int, total: int) -> None:
            self.embedding_progress(stage, done, total)
            if time.monotonic() - last_refresh[0] >= VECTOR_REFRESH_SECONDS:
                self.pipeline.index.refresh_vectors()
                last_refresh[0] = time.monotonic()

        try:
            report = embed_pending(self.index_dir, encoder, progress, self._stopping.is_set)
        except IndexUnavailable as error:
            if not self.background:
                raise
            self.embedding_error = str(error)
            return
        with self._rebuild_lock:
            if report.embedded + report.reused and not self._stopping.is_set():
                self._reload(self._pipeline.index.encoder if self._pipeline else encoder)

    def embedding_state(self) -> EmbeddingState:
        """How many of the indexed chunks have their vector (the rest are found by BM25 until then)."""
        store = self.pipeline.index.store
        state = getattr(store, "embedding_state", None)
        total = len(store.chunks)
        return state() if state else EmbeddingState(total, total)

    def embedding_status(self) -> str:
        """「向量：1,200/7,000 段（32.5/秒，约剩 3 分 0 秒）；其余段落暂按关键词检索」, or '' when all are done."""
        state = self.embedding_state()
        if state.complete:
            return ""
        return vector_status(state.embedded, state.total, self.embedding_progress.latest, self.embedding_running, self.embedding_error)

    @property
    def embedding_running(self) -> bool:
        return self._embedding is not None and self._embedding.is_alive()

    def wait_for_vectors(self) -> None:
        """Until the background embedding has finished (scripts and benchmarks; the app never waits)."""
        if self._embedding is not None:
            self._embedding.join()

    def close(self) -> None:
        """Stop the background embedding after its current batch (what is on disk stays and is resumed later)."""
        self._stopping.set()
        if self._embedding is not None:
            self._embedding.join()

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._update()
        return self._pipeline

    # ---- 问答 -------------------------------------------------------------

    def ask(self, question: str, previous_question: str | None = None) -> tuple[Answer, str, float]:
        """(answer, the question as understood after follow-up resolution, latency in ms)."""
        asked = self.pipeline.ask(question, previous_question)
        return asked.answer, asked.understood_as, asked.latency_ms

    def ask_all(self, question: str, previous_question: str | None = None) -> list[tuple[Answer, str, float]]:
        """Each question the message asks (「A和B分别是多少？」 -> two), answered in turn: (answer, understood, ms)."""
        return [(asked.answer, asked.understood_as, asked.latency_ms) for asked in self.pipeline.ask_all(question, previous_question)]

    def page_texts(self, answer: Answer) -> dict[tuple[str, int], str]:
        """The text of every PDF page the answer cites, keyed by (document, page)."""
        pipeline = self.pipeline
        return {
            (c.doc, c.location.page): pipeline.page_text(c.doc, c.location.page)
            for c in answer.citations
            if c.location is not None and c.location.page is not None and c.location.cell is None
        }

    def document_page(self, doc: str, start: int, end: int) -> str | None:
        """「查看全文」: the indexed document as a page, the quote [start, end) highlighted (the cited table cell
        marked); None for a document the index does not hold."""
        return whole_document(self.pipeline, doc, start, end)

    def search(self, question: str, k: int = 5) -> list[Hit]:
        """The passages `ask` would read (a question that names a report is searched in it)."""
        return self.pipeline.answerer.retrieve(question, k)

    # ---- 知识库 -----------------------------------------------------------

    def documents(self) -> list[dict]:
        """One row per document, indexed or waiting: file, title, publication date ({"date", "source"} or None),
        sections, chunks, how many of them have vectors, when it was added, and its `state`: 「已索引」, 「待重建」
        (a file added or changed since the index was built) or 「已删除，重建后生效」 (gone from the corpus,
        still answering until the rebuild)."""
        index = self.pipeline.index
        counting = getattr(index.store, "embedded_by_document", None)
        embedded = counting() if counting else None
        sections: dict[str, set] = {}
        for chunk in index.chunks:
            sections.setdefault(chunk.doc, set()).add(chunk.section_path)
        indexed = index.manifest["documents"]
        rows = []
        for doc, info in sorted(indexed.items()):
            path = self.corpus_dir / doc
            if not path.exists():
                state = STATE_DELETED
            elif self._file_hash(path) != info.get("sha256"):
                state = STATE_PENDING  # 文件在索引建好后又改过（或换成了别的文件，不论修改时间）
            else:
                state = STATE_INDEXED
            vectors = "全部" if embedded is None or embedded[doc] >= info["chunks"] else f"{embedded[doc]}/{info['chunks']}"
            rows.append(
                {
                    "file": doc, "state": state, "title": info["title"], "type": KIND_NAMES.get(info.get("kind", "text"), info.get("kind", "")),
                    "extent": "，".join(_extent(info.get("pages"), info.get("tables"))), "published": info.get("published"),
                    "notes": info.get("notes", []), "sections": len(sections.get(doc, ())),
                    "chunks": info["chunks"], "vectors": vectors, "added": _added(path),
                }
            )
        for path in self._corpus_files():
            if path.name not in indexed:
                kind = KINDS.get(path.suffix.lower(), "")
                rows.append(
                    {
                        "file": path.name, "state": STATE_PENDING, "title": "", "type": KIND_NAMES.get(kind, kind), "extent": "",
                        "published": None, "notes": [], "sections": 0, "chunks": 0, "vectors": "—", "added": _added(path),
                    }
                )
        return sorted(rows, key=lambda row: row["file"])

    def _file_hash(self, path: Path) -> str:
        """The file's SHA-256, computed again only when its size or modification time changed (the knowledge-base
        table refreshes every few seconds)."""
        stat = path.stat()
        signature = (stat.st_size, stat.st_mtime_ns)
        known = self._hashes.get(path)
        if known is None or known[0] != signature:
            known = (signature, file_sha256(path))
            self._hashes[path] = known
        return known[1]

    def add_document(self, filename: str, data: bytes, caller: Caller) -> UploadResult:
        """Check and save an uploaded file into the corpus (administrators only); on any problem nothing is written.
        A text is stored as UTF-8; a PDF, Word, web page or spreadsheet is stored as uploaded, once its reader has
        read it. Recorded in the audit log with its result."""
        self._allow(caller)
        result = self._add_document(filename, data)
        stored = self.corpus_dir / result.doc if result.ok else None
        self.audit.record(
            caller.name, "upload", result.doc or safe_filename(filename) or _printable(filename),
            file_sha256(stored) if stored else hashlib.sha256(data).hexdigest(), OK if result.ok else result.message,
        )
        return result

    def _add_document(self, filename: str, data: bytes) -> UploadResult:
        name = safe_filename(filename)
        if name is None:
            return UploadResult(False, None, f"文件名「{_printable(filename)}」不可用：只接受 {_SUFFIX_LIST} 文件。")
        if len(data) > MAX_UPLOAD_BYTES:
            return UploadResult(False, None, f"{name} 太大（{len(data) // 1024} KB），上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。")
        if not data.strip():
            return UploadResult(False, None, f"{name} 是空文件。")
        if (self.corpus_dir / name).exists():
            return UploadResult(False, None, f"已有同名文件 {name}，没有覆盖它；要换成新版本，请先删除旧的（会移到回收站），或改个名字再上传。")
        is_text = KINDS[Path(name).suffix] == "text"
        if is_text:
            try:
                data = normalise_text(decode_bytes(data)).encode("utf-8")  # 统一存成 UTF-8
            except UnreadableFile as error:
                return UploadResult(False, None, f"{name} 无法读取：{error}。")
        # 先写到一个隐藏的临时文件（后缀不变，读取方式才对），读得通、不重复才改成正式文件名
        temporary = self.corpus_dir / f".uploading-{name}"
        temporary.write_bytes(data)
        try:
            document = load_document(temporary)
            duplicate = self._same_text(document.sha256)
            if duplicate:
                return UploadResult(False, None, f"{name} 与已有的 {duplicate} 内容相同，未重复添加。")
            os.replace(temporary, self.corpus_dir / name)
        except UnreadableFile as error:
            return UploadResult(False, None, f"{name} 无法读取：{error}。")
        finally:
            temporary.unlink(missing_ok=True)
        notes = "".join(f"注意：{note}。" for note in document.notes)
        return UploadResult(True, name, f"已添加 {name}（{_describe(document)}）。{notes}点「重建索引」后即可提问。")

    def _same_text(self, digest: str) -> str | None:
        """The corpus file whose text has this fingerprint (the index's record first; files it has not seen read)."""
        indexed = self._pipeline.index.manifest["documents"] if self._pipeline else {}
        for doc, info in indexed.items():
            if info["sha256"] == digest and (self.corpus_dir / doc).exists():
                return doc
        for existing in self._corpus_files():
            if existing.name in indexed:
                continue
            try:
                if load_document(existing).sha256 == digest:
                    return existing.name
            except (UnreadableFile, OSError):
                continue
        return None

    def delete_document(self, doc: str, caller: Caller) -> str:
        """Move a corpus file to the trash (administrators only; restorable), recorded in the audit log."""
        self._allow(caller)
        user = caller.name
        name = safe_filename(doc)
        path = self.corpus_dir / name if name else None
        if path is None or name != doc or not path.is_file():
            return f"没有找到文档 {_printable(doc)}。"
        digest = file_sha256(path)
        self.trash.put(name, user, digest)
        self.audit.record(user, "delete", name, digest)
        return f"已把 {name} 移到回收站（可以恢复）。点「重建索引」后生效。"

    def trash_items(self, caller: Caller) -> list[TrashItem]:
        """What the trash holds (administrators only)."""
        self._allow(caller)
        return self.trash.items()

    def audit_entries(self, caller: Caller, limit: int | None = None) -> list[AuditEntry]:
        """The audit log, oldest first; the last `limit` entries when given (administrators only)."""
        self._allow(caller)
        return self.audit.entries(limit) if limit else self.audit.entries()

    def restore_document(self, item_id: str, caller: Caller) -> str:
        """Move a file back from the trash under its old name (administrators only); refused if that name is taken."""
        self._allow(caller)
        user = caller.name
        item = self.trash.find(item_id or "")
        if item is None:
            return f"回收站里没有 {_printable(item_id)}。"
        if (self.corpus_dir / item.file).exists():
            message = f"知识库里已有同名文件 {item.file}，没有覆盖它；请先删除或改名后再恢复。"
            self.audit.record(user, "restore", item.file, item.sha256, message)
            return message
        restored = self.trash.take_back(item)
        self.audit.record(user, "restore", item.file, file_sha256(restored))
        return f"已恢复 {item.file}。点「重建索引」后生效。"

    def _corpus_files(self) -> list[Path]:
        return corpus_files(self.corpus_dir)  # 不含隐藏文件（上传中的临时文件）

    # ---- 评测 -------------------------------------------------------------

    def evaluation_file(self, eval_dir: Path, choice: str | None, uploaded: Path | None, caller: Caller) -> Path:
        """The file to evaluate: an upload (administrators only, at most MAX_EVAL_UPLOAD_BYTES) or a file of
        `eval_dir` chosen by name; a path from a client is never opened. BadEvalFile says what is wrong."""
        if uploaded is not None:
            self._allow(caller)
            if Path(uploaded).stat().st_size > MAX_EVAL_UPLOAD_BYTES:
                raise BadEvalFile(f"评测文件太大（上限 {MAX_EVAL_UPLOAD_BYTES // (1024 * 1024)} MB）。")
            return Path(uploaded)
        names = evaluation_files(eval_dir)
        if choice not in names:
            raise BadEvalFile(f"没有这个评测文件：{_printable(str(choice or ''))[:100]}；可选：{'、'.join(names)}。")
        return Path(eval_dir) / choice

    def evaluate(self, path: Path, progress: Callable[[int, int], None] | None = None) -> tuple[dict, list[dict]]:
        """Run an evaluation file the server chose (`evaluation_file`)."""
        path = Path(path)
        try:
            return evaluate_file(self.pipeline, path, progress=progress)
        except BadEvalFile as error:  # 说文件名，不说服务器上的路径
            raise BadEvalFile(str(error).replace(str(path), path.name)) from None

    def eval_files_for_index(self, eval_dir: Path) -> list[str]:
        """The evaluation files in `eval_dir` whose questions are about documents this index holds."""
        documents = set(self.pipeline.index.manifest["documents"])
        fitting = []
        for name in evaluation_files(eval_dir):
            path = Path(eval_dir) / name
            try:
                check_documents(load_questions(path), documents, path)
            except (BadEvalFile, OSError):
                continue
            fitting.append(path.name)
        return fitting


def evaluate_file(
    pipeline: Pipeline, path: Path, retriever: str = "hybrid", progress: Callable[[int, int], None] | None = None
) -> tuple[dict, list[dict]]:
    """Metrics and per-question records of an evaluation file over a pipeline (the web app's and `qa eval`'s one
    flow): the whole file is checked first (its format, and that its documents are in the index), then answered.
    BadEvalFile says what is wrong before any question is asked."""
    questions = load_questions(path)
    check_documents(questions, set(pipeline.index.manifest["documents"]), path)
    return evaluate(pipeline, questions, retriever, progress=progress)


def record_rebuild(audit: AuditLog, user: str, error: Exception | None = None) -> None:
    """A rebuild in the audit log, from the web app or the command line: who, and why it failed if it did."""
    audit.record(user, "rebuild", result=str(error) if error else OK)


def evaluation_files(eval_dir: Path) -> list[str]:
    """The names of the evaluation files (JSONL) in `eval_dir`, sorted: the only ones a client may choose."""
    return sorted(path.name for path in Path(eval_dir).glob("*.jsonl"))


def safe_filename(filename: str) -> str | None:
    """A plain file name inside the corpus folder: no folders, no control characters, a supported suffix."""
    base = re.split(r"[\\\\/]", filename or "")[-1]
    base = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or f".{suffix.lower()}" not in SUPPORTED_SUFFIXES:
        return None
    return f"{stem[:80]}.{suffix.lower()}"


def _describe(document: Document) -> str:
    """「PDF，12 页，2 张表，8,302 字」"""
    return "，".join([KIND_NAMES.get(document.kind, document.kind), *_extent(document.pages, document.tables), f"{len(document.text)} 字"])


def _added(path: Path) -> str:
    """When a corpus file was added or last changed, in local time; 「—」 when it is gone."""
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M") if path.exists() else "—"


def _extent(pages: int | None, tables: int | None) -> list[str]:
    """「12 页」「2 张表」, whichever the document has."""
    return [part for part in (f"{pages} 页" if pages else "", f"{tables} 张表" if tables else "") if part]


def _printable(text: str) -> str:
    return "".join(char if char.isprintable() else "�" for char in (text or ""))[:100]
