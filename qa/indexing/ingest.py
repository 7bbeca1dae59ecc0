"""Corpus files -> Document: encoding detection, binary and empty-file rejection."""
from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

from qa.indexing.sections import join_wrapped_lines
from qa.types import Document

SUPPORTED_SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 50 * 1024 * 1024

# 控制字符（除换行、制表、换页）在正常文本里几乎不会出现，出现很多就是二进制或解码错了
_ALLOWED_CONTROLS = {"\n", "\r", "\t", "\f", "\v"}


class UnreadableFile(Exception):
    """A file that cannot be turned into text; the message says why, in Chinese."""


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
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"无法读取：{error.strerror or error}") from error
    text = normalise_text(decode_bytes(raw))
    if not text.strip():
        raise UnreadableFile("是空文件")
    # 指纹按文件原文算（上传查重比的是它）；索引读的是段内断行接好的文字
    return Document(doc=path.name, title=title_of(text, path.stem), text=join_wrapped_lines(text), sha256=text_sha256(text))


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[Skipped]]:
    """Load every supported file; unreadable ones are reported and skipped, never fatal."""
    documents, skipped = [], []
    for path in corpus_files(corpus_dir):
        try:
            documents.append(load_document(path))
        except UnreadableFile as error:
            skipped.append(Skipped(doc=path.name, reason=str(error)))
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
