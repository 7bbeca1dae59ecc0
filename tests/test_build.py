"""Incremental, atomic index builds, with the fake encoder (fast)."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.indexing.build import build_index
from qa.indexing.tokenize import TOKENIZER_VERSION, Tokenizer
from qa.search.retrieve import load_index
from qa.indexing.store import FORMAT_VERSION, MANIFEST, IndexUnavailable
from qa.search.stores import FolderStore

from conftest import DATA

NEW_TEXT = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人。\n"


def test_first_build_then_add_change_remove(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    first = build_index(seed_corpus, index, encoder=fake_encoder)
    assert first.docs == 2
    assert sorted(first.docs_added) == ["000_7c521dbcc8602230.txt", "003_c06bb3e7b6855ebf.txt"]
    assert first.chunks_embedded == first.chunks > 0

    unchanged = build_index(seed_corpus, index, encoder=fake_encoder)
    assert (unchanged.chunks_embedded, unchanged.chunks_reused) == (0, first.chunks)
    assert unchanged.docs_added == unchanged.docs_changed == unchanged.docs_removed == []

    (seed_corpus / "new.txt").write_text(NEW_TEXT, encoding="utf-8")
    added = build_index(seed_corpus, index, encoder=fake_encoder)
    new_chunks = [c for c in FolderStore.open(index).chunks if c.doc == "new.txt"]
    assert added.docs_added == ["new.txt"]
    assert added.chunks_embedded == len(new_chunks) == 2
    assert added.chunks_reused == first.chunks

    (seed_corpus / "new.txt").write_text(NEW_TEXT.replace("12个", "15个"), encoding="utf-8")
    changed = build_index(seed_corpus, index, encoder=fake_encoder)
    assert changed.docs_changed == ["new.txt"]
    assert changed.chunks_embedded == 1  # 只有改了的那一段重新嵌入

    (seed_corpus / "new.txt").unlink()
    removed = build_index(seed_corpus, index, encoder=fake_encoder)
    assert removed.docs_removed == ["new.txt"]
    assert removed.chunks == first.chunks
    assert all(c.doc != "new.txt" for c in FolderStore.open(index).chunks)


def test_manifest_and_chunk_rows_follow_the_contract(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)
    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["encoder"]["id"] == fake_encoder.id and manifest["encoder"]["dim"] == 64
    assert manifest["chunker"] == {"max_chars": 400, "overlap_chars": 80, "sections_version": 3}
    doc = manifest["documents"]["003_c06bb3e7b6855ebf.txt"]
    assert doc["title"] == "杭州信息化发展环境" and len(doc["sha256"]) == 64
    segment = index / "segments" / doc["segment"]
    rows = (segment / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    assert set(json.loads(rows[0])) == {"id", "doc", "title", "section_path", "text", "start", "end"}
    assert "杭州" in rows[0]  # ensure_ascii=False
    assert len(rows) == len((segment / "tokens.jsonl").read_text(encoding="utf-8").splitlines())
    vectors = np.load(segment / "vectors.npy")  # 算完的段合成一个文件，批次文件删掉
    assert vectors.shape == (len(rows), 64) and not (segment / "batches").exists()
    assert sorted(path.name for path in index.iterdir()) == ["README.md", manifest["bm25"], "manifest.json", "segments"]


def test_unreadable_file_is_skipped_and_reported(seed_corpus: Path, tmp_path: Path, fake_encoder):
    (seed_corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    report = build_index(seed_corpus, tmp_path / "index", encoder=fake_encoder)
    assert report.docs == 2
    assert report.skipped == [{"doc": "broken.txt", "reason": "是二进制文件，不是文本"}]


def test_other_encoder_or_format_names_the_rebuild_command(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)

    class OtherEncoder(type(fake_encoder)):
        id = "fake/other"

    with pytest.raises(IndexUnavailable, match="qa index --rebuild"):
        load_index(index, encoder=OtherEncoder())
    with pytest.raises(IndexUnavailable, match="qa index --rebuild"):
        build_index(seed_corpus, index, encoder=OtherEncoder())
    assert build_index(seed_corpus, index, encoder=OtherEncoder(), rebuild=True).chunks_embedded > 0

    manifest = json.loads((index / MANIFEST).read_text(encoding="utf-8"))
    (index / MANIFEST).write_text(json.dumps({**manifest, "format_version": 999}), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="qa index --rebuild"):
        load_index(index, encoder=OtherEncoder())


def test_damaged_index_gives_a_clear_error_and_rebuild_repairs_it(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)
    next((index / "segments").glob("*/vectors.npy")).write_bytes(b"not a numpy file")
    with pytest.raises(IndexUnavailable, match="损坏.*qa index --rebuild"):
        load_index(index, encoder=fake_encoder)
    build_index(seed_corpus, index, encoder=fake_encoder, rebuild=True)
    assert load_index(index, encoder=fake_encoder).search("注册用户", k=1)


def test_empty_corpus_is_a_clear_error(tmp_path: Path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="没有可读的.*empty.txt：是空文件"):
        build_index(corpus, tmp_path / "index", encoder=fake_encoder)


def test_markdown_document_is_indexed_with_its_section_path(tmp_path: Path, fake_encoder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "gongbao.md", corpus)
    build_index(corpus, tmp_path / "index", encoder=fake_encoder)
    hits = load_index(tmp_path / "index", encoder=fake_encoder).search("移动电话用户", k=1, retriever="bm25")
    assert hits[0].chunk.section_path == ("二、信息产业", "（一）通信")


def test_new_section_rules_rechunk_an_index_and_reuse_the_vectors_of_unchanged_chunks(seed_corpus: Path, tmp_path: Path, fake_encoder):
    from qa.indexing.chunk import ChunkSettings

    index = tmp_path / "index"
    first = build_index(seed_corpus, index, encoder=fake_encoder)
    upgraded = build_index(seed_corpus, index, encoder=fake_encoder, settings=ChunkSettings(sections_version=99))
    assert sorted(upgraded.docs_added) == sorted(first.docs_added)  # 全部重新切分
    assert (upgraded.chunks_embedded, upgraded.chunks_reused) == (0, first.chunks)  # 段落没变，向量全部复用
    assert json.loads((index / MANIFEST).read_text(encoding="utf-8"))["chunker"]["sections_version"] == 99


def test_a_new_bm25_tokenizer_rebuilds_bm25_without_embedding(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    first = build_index(seed_corpus, index, encoder=fake_encoder)
    manifest_path = index / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["tokenizer_version"] == TOKENIZER_VERSION
    manifest["tokenizer_version"] = TOKENIZER_VERSION - 1  # 旧版本建的索引
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    again = build_index(seed_corpus, index, encoder=fake_encoder)
    assert (again.chunks_embedded, again.chunks_reused) == (0, first.chunks)
    assert json.loads(manifest_path.read_text(encoding="utf-8"))["tokenizer_version"] == TOKENIZER_VERSION


def test_bm25_words_fold_full_width_digits_and_traditional_characters():
    tokenizer = Tokenizer()
    assert tokenizer.tokens("２０００年全国普通高校招生") == tokenizer.tokens("2000年全国普通高校招生")
    assert tokenizer.tokens("臺北捷運的路線") == tokenizer.tokens("台北捷运的路线")
