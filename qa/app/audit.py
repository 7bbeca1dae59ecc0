"""The append-only record of every change to the knowledge base: one JSON line per upload, deletion, restore, rebuild.

Lines are only ever appended (O_APPEND, flushed and fsynced before the action's reply), never rewritten, so a
crash loses at most the line being written. Refused requests change nothing and are not recorded here.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

ACTIONS = ("upload", "delete", "restore", "rebuild")
OK = "ok"


@dataclass(frozen=True)
class AuditEntry:
    time: str  # ISO 8601，带时区
    user: str
    action: str
    file: str | None
    sha256: str | None
    result: str  # "ok"，或失败的原因


class AuditLog:
    """`audit.jsonl`-style file beside the corpus; `record` appends, `entries` reads the latest."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(self, user: str, action: str, file: str | None = None, sha256: str | None = None, result: str = OK) -> AuditEntry:
        if action not in ACTIONS:
            raise ValueError(f"未知操作「{action}」，可选：{'、'.join(ACTIONS)}")
        entry = AuditEntry(datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"), user, action, file, sha256, result)
        line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(descriptor, line)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        return entry

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        """The recorded changes, oldest first (the last `limit` of them); a damaged line is skipped, not fatal."""
        if not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entries.append(AuditEntry(**json.loads(line)))
            except (ValueError, TypeError):
                continue
        return entries[-limit:] if limit else entries


def audit_log_for(index_dir: Path) -> AuditLog:
    """The index's audit log (`qa.app.state`: `<index>.audit.jsonl` beside the index folder, or in $QA_STATE)."""
    from qa.app.state import audit_path

    return AuditLog(audit_path(index_dir))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
