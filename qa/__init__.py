"""杭州信息化问答: offline question answering over Chinese reports, with citations."""

__version__ = "0.1.0"

from qa.reading.answerer import Answerer  # noqa: E402
from qa.indexing.build import BuildReport, build_index  # noqa: E402
from qa.search.retrieve import SearchIndex, load_index  # noqa: E402
from qa.types import Answer, Chunk, Citation, Document, Hit, Section  # noqa: E402

__all__ = [
    "Answer",
    "Answerer",
    "BuildReport",
    "Chunk",
    "Citation",
    "Document",
    "Hit",
    "SearchIndex",
    "Section",
    "build_index",
    "load_index",
]
