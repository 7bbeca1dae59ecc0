"""杭州信息化问答: offline question answering over Chinese reports, with citations.

The names below are imported when first used: `import qa` (and so any `qa.…` module, such as the reader's model for
training on a machine that has only PyTorch and numpy) loads nothing heavy."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("qa")  # pyproject.toml 里的版本，只写在一处
except PackageNotFoundError:  # 没安装、直接从源码目录运行
    __version__ = "0+unknown"

# 名字 → 所在模块：第一次用到时才导入（问答器要 jieba、bm25s、faiss 等）
_EXPORTS = {
    "Answerer": "qa.reading.answerer",
    "BuildReport": "qa.indexing.build",
    "build_index": "qa.indexing.build",
    "SearchIndex": "qa.search.retrieve",
    "load_index": "qa.search.retrieve",
    **{name: "qa.types" for name in ("Answer", "Chunk", "Citation", "Document", "Hit", "Section")},
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
