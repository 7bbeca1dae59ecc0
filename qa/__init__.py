"""杭州信息化问答: offline question answering over Chinese reports, with citations."""

__version__ = "0.1.0"

from qa.build import BuildReport, build_index  # noqa: E402
from qa.retrieve import SearchIndex, load_index  # noqa: E402
from qa.types import Chunk, Document, Hit, Section  # noqa: E402

__all__ = ["BuildReport", "Chunk", "Document", "Hit", "SearchIndex", "Section", "build_index", "load_index"]
