"""Checks before a zipped office file (.docx, .xlsx) is opened: a damaged archive or a zip bomb is refused."""
from __future__ import annotations

import zipfile
from pathlib import Path

from qa.indexing.formats.errors import UnreadableFile

# 正常的 Word/Excel 文件解压后几十 MB 以内；压缩比几十倍以内（纯文字 XML 的压缩比约 5–20）
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_MEMBERS = 10_000


def check_zip(path: Path, what: str) -> None:
    """Raise UnreadableFile unless path is a zip archive whose contents are a sane size."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile(f"{what}已损坏或格式不对（不是有效的压缩包）") from error
    if len(members) > MAX_MEMBERS:
        raise UnreadableFile(f"{what}内含 {len(members)} 个部件，疑似压缩炸弹，已拒绝")
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(f"{what}解压后有 {total // (1024 * 1024)} MB，超过上限 {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB，疑似压缩炸弹，已拒绝")
    for member in members:
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1) and member.file_size > 1024 * 1024:
            raise UnreadableFile(f"{what}里有一个部件压缩比超过 {MAX_COMPRESSION_RATIO} 倍，疑似压缩炸弹，已拒绝")  # 部件名（word/document.xml）对用户没有意义
