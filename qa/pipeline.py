"""One `ask` for every caller (CLI, web app, evaluator): clean -> follow-up -> search -> read."""
from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from qa.reading.answerer import Answerer
from qa.indexing.embed import Encoder
from qa.indexing.formats.builder import locate
from qa.reading.intent import resolve_follow_up
from qa.reading.ranking import Calibration, FigureRanker
from qa.search.retrieve import SearchIndex, clean_question, load_index
from qa.text.question import plain_question, question_parts
from qa.text.synonyms import Thesaurus
from qa.types import Answer, Chunk, Hit, Location, Veto

if TYPE_CHECKING:  # torch 只在真的加载阅读器时才导入（index、search 启动更快）
    from qa.reading.reader_weights import NeuralReader

SEARCH_DEPTH = 10  # 检索前 10 段：阅读器读前几段，评测用它算 hit@k


_CJK = re.compile(r"[\u3400-\u9fff]")
NOT_CHINESE = "问题里没有中文：目前只能可靠地读懂中文问题，请用中文再问一次（文档里的英文缩写可以照写，如「ERP」）"


@dataclass(frozen=True)
class Asked:
    """An answer with what led to it: the question as understood, the ranking, the time it took."""

    answer: Answer
    understood_as: str
    hits: tuple[Hit, ...]
    latency_ms: float


class Pipeline:
    """A loaded index with its reader; `ask` is the only way questions are answered."""

    def __init__(
        self,
        index: SearchIndex,
        reader: NeuralReader,
        calibration: Calibration,
        thesaurus: Thesaurus | None = None,
        ranker: FigureRanker | None = None,
    ):
        self.index = index
        self.answerer = Answerer(index, reader, calibration, ranker, thesaurus)

    @classmethod
    def open(
        cls,
        index_dir: Path,
        encoder: Encoder | None = None,
        reader: NeuralReader | None = None,
        thesaurus: Thesaurus | None = None,
        store: str | None = None,
        engine: str | None = None,
    ) -> Pipeline:
        """Load the index (the folder, or the Milvus `store` when named; with its encoder unless one is passed)
        and the shipped reader: both at once, since half of each is reading files and numpy work that leaves the
        other thread free (a `qa ask` starts that much sooner). `engine`: the reader's (see `load_reader`)."""
        if reader is not None:
            return cls.over(load_index(Path(index_dir), encoder, store), reader, thesaurus)
        from qa.reading.reader_weights import load_reader

        with ThreadPoolExecutor(1, thread_name_prefix="load-reader") as pool:
            loading = pool.submit(load_reader, engine=engine)
            index = load_index(Path(index_dir), encoder, store)
            return cls.over(index, loading.result(), thesaurus)

    @classmethod
    def over(
        cls,
        index: SearchIndex,
        reader: NeuralReader | None = None,
        thesaurus: Thesaurus | None = None,
        figure_ranker: bool = True,
    ) -> Pipeline:
        """A pipeline over a loaded index with the shipped reader, its calibration and (unless `figure_ranker` is
        off, for comparisons) the figure ranker."""
        ranker = FigureRanker.load() if figure_ranker else None
        if reader is None:
            from qa.reading.reader_weights import load_reader

            reader = load_reader()
        return cls(index, reader, Calibration.load(), thesaurus, ranker)

    @property
    def reader(self) -> NeuralReader | None:
        return self.answerer.reader

    def ask(self, question: str, previous_question: str | None = None, retriever: str = "hybrid") -> Asked:
        """Answer one question, read as people type it (markup dropped, courtesy and preamble set aside:
        `qa.text.question`); a short follow-up is read in the context of the previous one. A message that asks
        several things is answered whole here; `ask_all` answers it part by part."""
        parts = question_parts(clean_question(question), self.answerer.place_names)
        return self._ask_one(parts[0] if len(parts) == 1 else plain_question(question), previous_question, retriever)

    def ask_all(self, question: str, previous_question: str | None = None, retriever: str = "hybrid") -> list[Asked]:
        """One answer per question the message asks (「A和B分别是多少？」 -> two), each read after the one before."""
        answers = []
        for part in question_parts(clean_question(question), self.answerer.place_names):
            answers.append(self._ask_one(part, previous_question, retriever))
            previous_question = answers[-1].understood_as
        return answers

    def _ask_one(self, question: str, previous_question: str | None, retriever: str) -> Asked:
        started = time.perf_counter()
        question = clean_question(question)
        understood = resolve_follow_up(question, previous_question, self.answerer.place_names)
        hits = self.answerer.retrieve(understood, SEARCH_DEPTH, retriever)
        answer = self.with_locations(self.answerer.ask(understood, hits))
        if answer.abstained and not _CJK.search(understood):
            # 问题里没有一个汉字：读问题的那一步只懂中文，说清楚为什么没答
            answer = replace(answer, veto=Veto("language", NOT_CHINESE))
        return Asked(answer, understood, tuple(hits), (time.perf_counter() - started) * 1000)

    def with_locations(self, answer: Answer) -> Answer:
        """The answer with each citation's place in its original file (page, table cell), where the file has one."""
        citations = tuple(
            replace(citation, location=locate(self.locations.get(citation.doc, ()), citation.start, citation.end))
            for citation in answer.citations
        )
        return replace(answer, citations=citations)

    def chunks_of(self, doc: str) -> list[Chunk]:
        """The document's chunks in text order (empty for a document the index does not hold)."""
        return list(self._chunks_by_doc.get(doc, ()))

    def page_text(self, doc: str, page: int) -> str:
        """One page of a PDF as the index holds it (its chunks' text within the page), for showing a citation in
        context; '' when the document has no such page."""
        ranges = [(loc.start, loc.end) for loc in self.locations.get(doc, ()) if loc.page == page and loc.cell is None]
        pieces = []
        for chunk in self._chunks_by_doc.get(doc, ()):
            for start, end in ranges:
                low, high = max(start, chunk.start), min(end, chunk.end)
                if low < high:
                    pieces.append(chunk.text[low - chunk.start : high - chunk.start])
        return "\n".join(pieces)

    @cached_property
    def _chunks_by_doc(self) -> dict[str, list[Chunk]]:
        """The index's chunks per document, in text order (grouped once, not on every cited page)."""
        grouped: dict[str, list[Chunk]] = {}
        for chunk in sorted(self.index.chunks, key=lambda chunk: chunk.start):
            grouped.setdefault(chunk.doc, []).append(chunk)
        return grouped

    @cached_property
    def locations(self) -> dict[str, tuple[Location, ...]]:
        """Per document, where its text came from (PDF pages, table cells), as the index manifest keeps it."""
        return {
            doc: tuple(Location.from_dict(item) for item in info.get("locations", ()))
            for doc, info in self.index.manifest["documents"].items()
            if info.get("locations")
        }

