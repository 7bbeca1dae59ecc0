"""The segmented index folder: texts searchable before their vectors, appends as new segments, removal then
compaction, the approximate (HNSW) graph past a size, and a format-1 index upgraded with its vectors reused."""
import json
import shutil
from pathlib import Path

import numpy as np

import qa.indexing.build as build
from qa.indexing.build import build_index, embed_pending, update_index
from qa.indexing.store import MANIFEST
from qa.search.retrieve import SearchIndex, load_index
from qa.search.stores import FolderStore

from conftest import GWR

QUESTION = "2007年底杭州因特网注册用户有多少？"
BRIEF = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人。\n"


def manifest_of(index: Path) -> dict:
    return json.loads((index / MANIFEST).read_text(encoding="utf-8"))


def test_new_texts_are_searchable_by_bm25_before_any_vector(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    update_index(seed_corpus, index, fake_encoder)
    store = FolderStore.open(index)
    assert store.embedding_state().embedded == 0 and store.embedding_state().total == len(store.chunks) > 0
    assert sum(store.embedded_by_document().values()) == 0
    hits = SearchIndex(store, fake_encoder).search(QUESTION, k=1)
    assert "148.13万户" in hits[0].chunk.text and hits[0].dense_score is None  # 只靠 BM25
    assert SearchIndex(store, fake_encoder).search(QUESTION, k=1, retriever="dense") == []

    report = embed_pending(index, fake_encoder)
    assert report.embedded == len(store.chunks)
    refreshed = store.with_new_vectors()
    assert refreshed.embedding_state().complete
    per_document = {doc: info["chunks"] for doc, info in manifest_of(index)["documents"].items()}
    assert refreshed.embedded_by_document() == per_document
    assert SearchIndex(refreshed, fake_encoder).search(QUESTION, k=1)[0].dense_score is not None


def test_appends_add_segments_and_removals_compact(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)
    first = manifest_of(index)["segments"]
    before = [hit.chunk.id for hit in load_index(index, fake_encoder).search(QUESTION, k=5)]
    shutil.copy(GWR / "gwr-2013.txt", seed_corpus / "gwr-2013.txt")
    build_index(seed_corpus, index, encoder=fake_encoder)
    segments = manifest_of(index)["segments"]
    assert segments[:1] == first and len(segments) == 2  # 追加一个新段，旧段一个字节不动

    (seed_corpus / "gwr-2013.txt").unlink()  # 死行超过四分之一：合并成一个段
    build_index(seed_corpus, index, encoder=fake_encoder)
    manifest = manifest_of(index)
    assert len(manifest["segments"]) == 1 and manifest["segments"][0]["chunks"] == len(FolderStore.open(index).chunks)
    assert sorted(p.name for p in (index / "segments").iterdir()) == [manifest["segments"][0]["name"]]
    assert [hit.chunk.id for hit in load_index(index, fake_encoder).search(QUESTION, k=5)] == before


def test_past_the_size_threshold_search_goes_through_an_hnsw_graph(seed_corpus: Path, tmp_path: Path, fake_encoder, monkeypatch):
    monkeypatch.setattr(build, "ANN_MIN_CHUNKS", 10)
    for name in ("gwr-2013.txt", "gwr-2017.txt"):
        shutil.copy(GWR / name, seed_corpus / name)
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)
    manifest = manifest_of(index)
    assert manifest["ann"]["segments"] == [entry["name"] for entry in manifest["segments"]]
    assert (index / manifest["ann"]["file"]).exists()

    approximate = FolderStore.open(index)
    exact = _exact_scores(approximate, fake_encoder, QUESTION)
    dense = approximate.dense_scores(fake_encoder.encode_queries([QUESTION])[0])
    top = np.argsort(-exact)[:10]
    assert set(np.argsort(-dense.values)[:10]) == set(top)  # 前十与精确检索相同
    assert np.allclose(dense.values[top], exact[top], atol=1e-5)
    assert abs(dense.mean - exact.mean()) < 0.02 and abs(dense.std - exact.std()) < 0.02  # 抽样估的均值、标准差
    assert "148.13万户" in SearchIndex(approximate, fake_encoder).search(QUESTION, k=1)[0].chunk.text

    # 一个小的新段（不到图的 10%）：不重建图，新段精确算
    (seed_corpus / "brief.txt").write_text(BRIEF, encoding="utf-8")
    build_index(seed_corpus, index, encoder=fake_encoder)
    manifest = manifest_of(index)
    assert len(manifest["segments"]) == 2 and manifest["ann"]["segments"] == [manifest["segments"][0]["name"]]
    store = FolderStore.open(index)
    question = "滨海市新引进多少信息技术人才？"
    dense = store.dense_scores(fake_encoder.encode_queries([question])[0]).values
    new_rows = [i for i, chunk in enumerate(store.chunks) if chunk.doc == "brief.txt"]
    assert np.allclose(dense[new_rows], _exact_scores(store, fake_encoder, question)[new_rows], atol=1e-5)
    assert SearchIndex(store, fake_encoder).search(question, k=1)[0].chunk.doc == "brief.txt"

    # 一篇报告那么大的新段：超过 10%，图重建，覆盖两个段
    shutil.copy(GWR / "gwr-2002.txt", seed_corpus / "gwr-2002.txt")
    build_index(seed_corpus, index, encoder=fake_encoder)
    manifest = manifest_of(index)
    assert manifest["ann"]["segments"] == [entry["name"] for entry in manifest["segments"]]
    store = FolderStore.open(index)
    exact = _exact_scores(store, fake_encoder, QUESTION)
    dense = store.dense_scores(fake_encoder.encode_queries([QUESTION])[0]).values
    assert set(np.argsort(-dense)[:10]) == set(np.argsort(-exact)[:10])


def test_a_format_1_index_is_upgraded_reusing_its_vectors(seed_corpus: Path, tmp_path: Path, fake_encoder):
    index = tmp_path / "index"
    build_index(seed_corpus, index, encoder=fake_encoder)
    store = FolderStore.open(index)
    # 造一个格式 1 的索引：清单 + 嵌入缓存（键是被嵌入文字的哈希）
    keys = [build.embedding_key(chunk) for chunk in store.chunks]
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    matrix = fake_encoder.encode_passages([chunk.context_text() for chunk in store.chunks])
    np.save(legacy / "embedding_cache.npy", matrix)
    (legacy / "embedding_cache.json").write_text(json.dumps({"encoder": fake_encoder.id, "keys": keys}), encoding="utf-8")
    (legacy / "chunks.jsonl").write_text("", encoding="utf-8")
    (legacy / MANIFEST).write_text(json.dumps({"format_version": 1, "encoder": {"id": fake_encoder.id}}), encoding="utf-8")
    report = build_index(seed_corpus, legacy, encoder=fake_encoder)
    assert report.chunks_embedded == 0 and report.chunks == len(store.chunks)
    assert not (legacy / "embedding_cache.npy").exists() and not (legacy / "chunks.jsonl").exists()
    assert "148.13万户" in load_index(legacy, fake_encoder).search(QUESTION, k=1)[0].chunk.text


def _exact_scores(store: FolderStore, encoder, question: str) -> np.ndarray:
    query = encoder.encode_queries([question])[0]
    vectors = encoder.encode_passages([chunk.context_text() for chunk in store.chunks])
    return vectors @ query
