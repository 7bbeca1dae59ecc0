"""Corpus files -> Document: plain text (encoding detection, binary and empty-file rejection) and the other formats
people keep reports in (PDF, Word, web pages, spreadsheets: qa.indexing.formats)."""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from qa.indexing.dates import document_published
from qa.indexing.formats.builder import Extracted
from qa.indexing.formats.errors import UnreadableFile
from qa.indexing.sections import join_wrapped_lines
from qa.types import Document

# 后缀 -> 文档类型（知识库表格里显示的就是它）
KINDS = {".txt": "text", ".md": "text", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".xlsx": "xlsx", ".csv": "csv"}
SUPPORTED_SUFFIXES = tuple(KINDS)
MAX_FILE_BYTES = 50 * 1024 * 1024

# 控制字符（除换行、制表、换页）在正常文本里几乎不会出现，出现很多就是二进制或解码错了
_ALLOWED_CONTROLS = {"\n", "\r", "\t", "\f", "\v"}


@dataclass(frozen=True)
class Skipped:
    """A corpus file that was not indexed, and why."""

    doc: str
    reason: str


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The supported files directly inside the corpus folder, sorted by name."""
    return sorted(
        path
        for path in corpus_dir.iterdir()
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")
    )


def decode_bytes(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 or GB18030/GBK; raise UnreadableFile otherwise."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return _strict_decode(raw, encoding)
    utf16 = _utf16_without_bom(raw)
    if utf16:
        return _strict_decode(raw, utf16)
    if b"\x00" in raw:
        raise UnreadableFile("是二进制文件，不是文本")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_binary(text):
            return text
    raise UnreadableFile("无法识别文件编码（支持 UTF-8、GB18030/GBK、UTF-16）或不是文本文件")


def normalise_text(text: str) -> str:
    """Unify line endings so offsets mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_document(path: Path) -> Document:
    """Read one file into a Document; raise UnreadableFile with a Chinese reason."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableFile(f"文件太大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
        if size == 0:
            raise UnreadableFile("是空文件")
        kind = KINDS.get(path.suffix.lower(), "text")
        if kind == "text":
            return _text_document(path.name, path.stem, path.read_bytes())
        extracted = _extract(path, kind)
    except OSError as error:
        raise UnreadableFile(f"无法读取：{error.strerror or error}") from error
    except (UnreadableFile, MemoryError, ImportError):
        raise  # 缺了读取库是安装问题，不是文件坏了
    except Exception as error:  # 第三方解析库在坏文件上抛什么都有可能：一律算读不了，不让它拖垮整个建库
        raise UnreadableFile(f"文件已损坏或格式不对（{type(error).__name__}）") from error
    text = extracted.text
    title = extracted.title or title_of(text, path.stem)
    return Document(
        doc=path.name,
        title=title,
        text=text,
        sha256=text_sha256(text),
        kind=kind,
        pages=extracted.pages,
        tables=extracted.tables,
        locations=extracted.locations,
        notes=extracted.notes,
        published=document_published(title, text, extracted.published, path.name),
    )


def _text_document(name: str, stem: str, raw: bytes) -> Document:
    text = normalise_text(decode_bytes(raw))
    if not text.strip():
        raise UnreadableFile("是空文件")
    # 指纹按文件原文算（上传查重比的是它）；索引读的是段内断行接好的文字；日期按原来的行找
    title = title_of(text, stem)
    return Document(
        doc=name, title=title, text=join_wrapped_lines(text), sha256=text_sha256(text), published=document_published(title, text, None, name)
    )


def _extract(path: Path, kind: str) -> Extracted:
    """The format's reader (imported only when a file of that kind is read)."""
    if kind == "pdf":
        from qa.indexing.formats.pdf import read_pdf

        return read_pdf(path)
    if kind == "docx":
        from qa.indexing.formats.word import read_docx

        return read_docx(path)
    if kind == "xlsx":
        from qa.indexing.formats.sheets import read_xlsx

        return read_xlsx(path)
    text = normalise_text(decode_bytes(path.read_bytes()))
    if kind == "csv":
        from qa.indexing.formats.sheets import read_csv

        return read_csv(text, path.stem)
    from qa.indexing.formats.web import read_html

    return read_html(text, path.stem)


def load_corpus(corpus_dir: Path, progress: Callable[[str, int, int], None] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Load every supported file; unreadable ones are reported and skipped, never fatal. `progress` hears
    ("读取", files read, files) after each file (a long PDF takes a moment)."""
    documents, skipped = [], []
    paths = corpus_files(corpus_dir)
    for done, path in enumerate(paths, start=1):
        try:
            documents.append(load_document(path))
        except UnreadableFile as error:
            skipped.append(Skipped(doc=path.name, reason=str(error)))
        if progress:
            progress("读取", done, len(paths))
    return documents, skipped


def title_of(text: str, fallback: str) -> str:
    """The first non-empty line (without Markdown marks), unless it reads like body text."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            if len(line) > 60 or line[-1] in "。！？；":
                return fallback
            return line.lstrip("#").strip()
    return fallback


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _strict_decode(raw: bytes, encoding: str) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"按 {encoding} 解码失败（第 {error.start} 字节）") from error
    if _looks_binary(text):
        raise UnreadableFile("含有大量控制字符，不是文本文件")
    return text


def _utf16_without_bom(raw: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the zero bytes fall (ASCII and CJK both leave a pattern)."""
    sample = raw[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    half = len(sample) // 2
    # 正常文本没有零字节；零字节只落在一侧（ASCII 字符的高位），就是 UTF-16
    enough = max(2, 0.02 * half)
    if odd_zeros >= enough and even_zeros == 0:
        return "utf-16-le"
    if even_zeros >= enough and odd_zeros == 0:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:10000]
    if not sample:
        return False
    controls = sum(1 for char in sample if char < " " and char not in _ALLOWED_CONTROLS)
    return controls / len(sample) > 0.01
