"""Public MRC paragraphs as a corpus: one document per paragraph, indexed incrementally (for `benchmarks/mrc_open.py`
and the training scripts that fit on open-domain answers)."""
from __future__ import annotations

import re
from pathlib import Path

from qa.indexing.build import BuildReport, build_index
from qa.mrc import MrcParagraph

DEFAULT_WORKDIR = Path("/tmp/mrc_open")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


def document_name(paragraph: MrcParagraph) -> str:
    """`<paragraph id>.txt` with anything but ASCII letters, digits, `_`, `.`, `-` replaced by `_`."""
    return f"{_UNSAFE_FILE_CHARS.sub('_', paragraph.id)}.txt"


def index_paragraphs(paragraphs: list[MrcParagraph], workdir: Path, progress=None) -> tuple[dict[str, str], BuildReport]:
    """Write the paragraphs as a corpus in workdir/corpus and (incrementally) index it into workdir/index;
    returns paragraph id -> file name, and the build report."""
    names = write_corpus(paragraphs, workdir / "corpus")
    return names, build_index(workdir / "corpus", workdir / "index", progress=progress)


def write_corpus(paragraphs: list[MrcParagraph], corpus_dir: Path) -> dict[str, str]:
    """One text per paragraph (title line, then the paragraph); returns paragraph id -> file name.

    Unchanged files are left alone and stray .txt files removed, so the index build sees exactly this corpus."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    taken: set[str] = set()
    for paragraph in paragraphs:
        name = document_name(paragraph)
        if paragraph.id in names or name in taken:
            raise SystemExit(f"two paragraphs map to the file name {name}; paragraph ids must be unique")
        names[paragraph.id] = name
        taken.add(name)
        path = corpus_dir / name
        text = f"{paragraph.title}\n{paragraph.text}\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in corpus_dir.glob("*.txt"):
        if path.name not in taken:
            path.unlink()
    return names
