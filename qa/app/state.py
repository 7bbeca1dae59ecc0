"""Where the app keeps what it writes besides the index: the audit log, the trash and the accounts file.

By default beside the index folder (`index.audit.jsonl`, `index.trash/`, `credentials.txt`), never beside the corpus
folder, which may be read-only or shared by several indexes; `QA_STATE` names another folder. State an older version
kept beside the corpus is moved over the first time (`adopt_state_beside_corpus`).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def state_dir(index_dir: Path) -> Path:
    """$QA_STATE, else the folder the index folder is in."""
    return Path(os.environ.get("QA_STATE") or Path(index_dir).absolute().parent)


def audit_path(index_dir: Path) -> Path:
    return state_dir(index_dir) / f"{Path(index_dir).name}.audit.jsonl"


def trash_dir(index_dir: Path) -> Path:
    return state_dir(index_dir) / f"{Path(index_dir).name}.trash"


def credentials_path(index_dir: Path) -> Path:
    """$QA_CREDENTIALS, else `credentials.txt` in the state folder."""
    return Path(os.environ.get("QA_CREDENTIALS") or state_dir(index_dir) / "credentials.txt")


def adopt_state_beside_corpus(corpus_dir: Path, index_dir: Path) -> list[Path]:
    """Move the audit log and the trash an older version wrote beside the corpus (`corpus.audit.jsonl`,
    `corpus.trash/`) to their new places, when nothing is there yet; the paths moved."""
    corpus_dir = Path(corpus_dir).absolute()
    moved = []
    for old, new in (
        (corpus_dir.parent / f"{corpus_dir.name}.audit.jsonl", audit_path(index_dir)),
        (corpus_dir.parent / f"{corpus_dir.name}.trash", trash_dir(index_dir)),
    ):
        if old.exists() and not new.exists() and old.resolve() != new.resolve():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(old), str(new))
            moved.append(new)
    return moved
