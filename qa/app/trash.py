"""Deleted documents are moved to a trash folder (beside the index, `qa.app.state`), with who deleted them and when,
and can be restored byte for byte (renamed; copied whole and then renamed where the trash is on another disk)."""
from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

_RECORD_SUFFIX = ".deleted.json"


@dataclass(frozen=True)
class TrashItem:
    id: str  # 回收站里的文件名：时间-随机串-原名（同一文件删两次也不冲突）
    file: str  # 原来的文件名
    deleted_at: str
    deleted_by: str
    sha256: str
    size: int


class Trash:
    """A trash folder: each deleted file under a unique id, with a small JSON record beside it."""

    def __init__(self, corpus_dir: Path, folder: Path):
        self.corpus_dir = Path(corpus_dir)
        self.folder = Path(folder)

    def put(self, name: str, user: str, sha256: str) -> TrashItem:
        """Move corpus/<name> to the trash (nothing is lost half-way: see `_move`)."""
        source = self.corpus_dir / name
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now().astimezone()
        item = TrashItem(f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}-{name}", name, now.isoformat(timespec="seconds"), user, sha256, source.stat().st_size)
        record = self.folder / (item.id + _RECORD_SUFFIX)
        record.write_text(json.dumps(asdict(item), ensure_ascii=False), encoding="utf-8")
        _move(source, self.folder / item.id)
        return item

    def items(self) -> list[TrashItem]:
        """What can be restored, newest first."""
        if not self.folder.is_dir():
            return []
        items = []
        for record in self.folder.glob("*" + _RECORD_SUFFIX):
            try:
                item = TrashItem(**json.loads(record.read_text(encoding="utf-8")))
            except (ValueError, TypeError, OSError):
                continue
            if (self.folder / item.id).is_file():
                items.append(item)
        return sorted(items, key=lambda item: item.id, reverse=True)

    def find(self, item_id: str) -> TrashItem | None:
        """The item with this id (only ids the trash lists: a path from a client is never opened)."""
        return next((item for item in self.items() if item.id == item_id), None)

    def take_back(self, item: TrashItem) -> Path:
        """Move the item back into the corpus under its old name; the caller checks that the name is free."""
        target = self.corpus_dir / item.file
        _move(self.folder / item.id, target)
        (self.folder / (item.id + _RECORD_SUFFIX)).unlink(missing_ok=True)
        return target


def _move(source: Path, target: Path) -> None:
    """A rename; across disks, a whole copy under a hidden name renamed into place, then the source removed — at
    every moment one complete copy exists under a real name."""
    try:
        os.replace(source, target)
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
        partial = target.with_name(f".moving-{target.name}")
        shutil.copy2(source, partial)
        os.replace(partial, target)
        source.unlink()
