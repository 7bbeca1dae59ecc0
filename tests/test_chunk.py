from qa.indexing.chunk import ChunkSettings, chunk_document, split_section
from qa.indexing.ingest import load_document
from qa.indexing.sections import split_sections
from qa.types import Document, Section

from conftest import SEEDS


def _seed_chunks(name: str, settings: ChunkSettings = ChunkSettings()):
    document = load_document(SEEDS / name)
    return document, split_sections(document), chunk_document(document, split_sections(document), settings)


def test_chunks_stay_inside_one_section_and_quote_the_source_exactly():
    for name in ("000_7c521dbcc8602230.txt", "003_c06bb3e7b6855ebf.txt"):
        document, sections, chunks = _seed_chunks(name, ChunkSettings(max_chars=150, overlap_chars=60))
        for chunk in chunks:
            assert document.text[chunk.start : chunk.end] == chunk.text
            owners = [s for s in sections if s.start <= chunk.start and chunk.end <= s.end]
            assert len(owners) == 1 and owners[0].path == chunk.section_path
            assert len(chunk.text) <= 150


def test_figure_chunk_carries_doc_title_and_section_path():
    document, _, chunks = _seed_chunks("000_7c521dbcc8602230.txt")
    chunk = next(c for c in chunks if "148.13万户" in c.text)
    assert chunk.doc == "000_7c521dbcc8602230.txt"
    assert chunk.title == "杭州大步挺进国际一流信息化城市"
    assert chunk.section_path == ("信息基础设施建设全国领先",)
    assert chunk.context_text().startswith("杭州大步挺进国际一流信息化城市 > 信息基础设施建设全国领先\n")
    span = document.text.index("614.98万门")
    assert chunk.start <= span < chunk.end


def test_long_section_splits_at_sentence_ends_with_overlap():
    text = "".join(f"第{i}句话有一些内容，数字是{i}0万元。" for i in range(1, 21))
    section = Section(path=("s",), text=text, start=0, end=len(text))
    spans = split_section(text, section, ChunkSettings(max_chars=60, overlap_chars=30))
    assert len(spans) > 3
    for start, end in spans:
        assert text[end - 1] == "。"  # 只在句末切
        assert end - start <= 60
    # 相邻两块共享上一块的最后一句
    for (_, previous_end), (next_start, _) in zip(spans, spans[1:]):
        assert next_start < previous_end


def test_sentence_longer_than_the_limit_is_cut_at_commas():
    text = "，".join(f"第{i}项指标为{i}亿元" for i in range(40)) + "。"
    section = Section(path=("s",), text=text, start=0, end=len(text))
    spans = split_section(text, section, ChunkSettings(max_chars=50, overlap_chars=0))
    assert all(end - start <= 50 for start, end in spans)
    assert "".join(text[s:e] for s, e in spans) == text


def test_chunk_ids_are_unique_and_ordered():
    document = Document(doc="d.txt", title="t", text="t\n第一段。\n", sha256="x")
    chunks = chunk_document(document, split_sections(document), ChunkSettings())
    assert [c.id for c in chunks] == ["d.txt#0"]
