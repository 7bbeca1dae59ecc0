"""Milvus store through Milvus Lite: the embedded index's chunks, dense values and BM25 values, kept up to date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s
import numpy as np
import pytest

pytest.importorskip("pymilvus", reason="pymilvus 在这个平台装不上，跳过 Milvus 存储的测试")
milvus_lite = pytest.importorskip("milvus_lite", reason="milvus-lite 在这个平台装不上，跳过 Milvus 存储的测试")

import format_files as files
from conftest import SEEDS, FakeEncoder, run_qa

from qa.indexing.build import bm25_tokens, build_index
from qa.indexing.embed import load_encoder
from qa.indexing.store import IndexUnavailable
from qa.indexing.tokenize import Tokenizer
from qa.indexing.milvus import bm25_weights, connect, index_into_milvus, parse_store_uri
from qa.search.milvus import MilvusStore, open_milvus
from qa.pipeline import Pipeline
from qa.search.retrieve import SearchIndex
from qa.search.stores import FolderStore

SMALL_DOC = "003_c06bb3e7b6855ebf.txt"
LARGE_DOC = "000_7c521dbcc8602230.txt"
TABLE_DOC = "主要指标.xlsx"
QUESTIONS = [
    "2007年底杭州因特网注册用户有多少？",
    "杭州因特网出口总带宽是多少？",
    "杭州在全国率先启动“无线数字城市”试运行是在几月？",
    "2022年青溪市地区生产总值是多少？",
]
TOLERANCE = 1e-5
BRIEF = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人。\n"


class MemoEncoder:
    """The real encoder, each text encoded once: the embedded and the Milvus build share the slow part (E5 gives a
    text the same vector alone or in a batch, so this changes no value)."""

    def __init__(self, encoder):
        self.encoder, self.id, self.dim = encoder, encoder.id, encoder.dim
        self.known: dict[str, np.ndarray] = {}

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encoder.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(text for text in texts if text not in self.known))
        if todo:
            self.known.update(zip(todo, self.encoder.encode_passages(todo)))
        return np.vstack([self.known[text] for text in texts])


class CountingEncoder(FakeEncoder):
    """The fake encoder, remembering every passage it was asked to encode."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return super().encode_passages(texts)


class OtherEncoder(FakeEncoder):
    id = "fake/another-model"


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()


@pytest.fixture(scope="module")
def real_stores(tmp_path_factory, tokenizer):
    """The two seed reports and a small sheet, indexed with the real encoder into a folder and into Milvus Lite."""
    folder = tmp_path_factory.mktemp("milvus-real")
    corpus = folder / "corpus"
    shutil.copytree(SEEDS, corpus)
    files.write_xlsx(corpus / TABLE_DOC)
    encoder = MemoEncoder(load_encoder())
    build_index(corpus, folder / "index", encoder=encoder)
    report = index_into_milvus(corpus, str(folder / "qa.db"), encoder=encoder, tokenizer=tokenizer)
    store = open_milvus(str(folder / "qa.db"), encoder=encoder)
    yield FolderStore.open(folder / "index"), store, encoder, report
    store.close()
    milvus_lite.server_manager_instance.release_server(str(folder / "qa.db"))


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, tokenizer):
    """The two seed reports in Milvus Lite, with the fake encoder."""
    folder = tmp_path_factory.mktemp("milvus-fake")
    shutil.copytree(SEEDS, folder / "corpus")
    index_into_milvus(folder / "corpus", str(folder / "qa.db"), encoder=FakeEncoder(), tokenizer=tokenizer)
    store = open_milvus(str(folder / "qa.db"))
    yield store
    store.close()
    milvus_lite.server_manager_instance.release_server(str(folder / "qa.db"))


@pytest.fixture
def lite_path(tmp_path):
    """A Milvus Lite path of the test's own, its in-process server stopped afterwards."""
    path = tmp_path / "qa.db"
    yield path
    milvus_lite.server_manager_instance.release_server(str(path))


def scores_by_id(store, values: np.ndarray) -> dict[str, float]:
    return {chunk.id: float(value) for chunk, value in zip(store.chunks, values)}


def assert_same_scores(folder: FolderStore, store: MilvusStore, encoder, tokenizer: Tokenizer, question: str) -> None:
    """Same dense and BM25 value for every chunk (matched by id: the folder keeps segment order), same mean and std."""
    query = encoder.encode_queries([question])[0]
    expected, actual = folder.dense_scores(query), store.dense_scores(query)
    expected_dense, actual_dense = scores_by_id(folder, expected.values), scores_by_id(store, actual.values)
    assert actual_dense.keys() == expected_dense.keys()
    assert np.allclose([actual_dense[key] for key in expected_dense], list(expected_dense.values()), atol=TOLERANCE)
    assert actual.mean == pytest.approx(expected.mean, abs=TOLERANCE)
    assert actual.std == pytest.approx(expected.std, abs=TOLERANCE)
    tokens = tokenizer.tokens(question)
    expected_bm25 = scores_by_id(folder, folder.bm25_scores(tokens))
    actual_bm25 = scores_by_id(store, store.bm25_scores(tokens))
    assert max(expected_bm25.values()) > 0
    assert np.allclose(
        [actual_bm25[key] for key in expected_bm25], list(expected_bm25.values()), atol=TOLERANCE, rtol=TOLERANCE
    )


@pytest.mark.slow
def test_real_encoder_gives_the_embedded_chunks_and_manifest(real_stores):
    folder, store, _, report = real_stores
    assert store.chunks == folder.chunks
    assert report.docs_added == sorted(report.docs_added) and TABLE_DOC in report.docs_added
    assert report.chunks == len(store.chunks) and report.chunks_embedded == report.chunks
    for key in ("encoder", "chunker", "tokenizer_version"):
        assert store.manifest[key] == folder.manifest[key]
    # 文件夹索引的条目多记一个段名；其余（含表格单元格的位置）相同
    expected = {
        doc: {k: v for k, v in entry.items() if k != "segment"} for doc, entry in folder.manifest["documents"].items()
    }
    assert store.manifest["documents"] == expected
    assert "locations" in store.manifest["documents"][TABLE_DOC]


@pytest.mark.slow
@pytest.mark.parametrize("question", QUESTIONS)
def test_real_encoder_gives_the_embedded_dense_and_bm25_values(real_stores, tokenizer, question):
    folder, store, encoder, _ = real_stores
    assert_same_scores(folder, store, encoder, tokenizer, question)


@pytest.mark.slow
def test_real_encoder_ranks_the_answer_first(real_stores, tokenizer):
    _, store, encoder, _ = real_stores
    question = QUESTIONS[0]
    dense = store.dense_scores(encoder.encode_queries([question])[0])
    bm25 = store.bm25_scores(tokenizer.tokens(question))
    fused = 0.5 * (dense.values - dense.mean) / dense.std + 0.5 * (bm25 - bm25.mean()) / bm25.std()
    assert "148.13万户" in store.chunks[int(np.argmax(fused))].text


def test_bm25_equals_bm25s_defaults(seed_store, tokenizer):
    """Milvus's sparse inner products are bm25s's scores, duplicates in the query counted twice."""
    store = seed_store
    reference = bm25s.BM25()
    reference.index(bm25_tokens(store.chunks, tokenizer), show_progress=False)
    for question in [*QUESTIONS, "杭州 杭州 因特网", "没有这个词xyzzy"]:
        tokens = tokenizer.tokens(question)
        ids = [reference.vocab_dict[token] for token in tokens if token in reference.vocab_dict]
        expected = reference.get_scores_from_ids(ids) if ids else np.zeros(len(store.chunks))
        assert np.allclose(store.bm25_scores(tokens), expected, atol=TOLERANCE, rtol=TOLERANCE)
    assert store.bm25_statistics["documents"] == len(store.chunks)


def test_bm25_weights_reproduce_bm25s_on_words_alone():
    token_lists = [["网络", "网络", "用户"], ["用户", "带宽", "2007年"], [""], ["带宽"]]
    weights = bm25_weights(token_lists)
    reference = bm25s.BM25()
    reference.index(token_lists, show_progress=False)
    query = ["网络", "带宽", "带宽"]
    counts = {weights.dims[token]: query.count(token) for token in set(query)}
    scores = [sum(vector.get(dim, 0.0) * count for dim, count in counts.items()) for vector in weights.vectors]
    ids = [reference.vocab_dict[token] for token in query]
    assert np.allclose(scores, reference.get_scores_from_ids(ids), atol=1e-6)
    assert weights.average_length == pytest.approx(2.0)
    assert weights.document_frequency["带宽"] == 2


def test_incremental_updates_embed_only_new_texts_and_match_the_folder(lite_path, tmp_path, tokenizer):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / SMALL_DOC, corpus)
    encoder = CountingEncoder()
    uri = f"milvus://{lite_path}"

    first = index_into_milvus(corpus, uri, encoder=encoder, tokenizer=tokenizer)
    assert first.docs_added == [SMALL_DOC] and first.chunks_embedded == first.chunks

    shutil.copy(SEEDS / LARGE_DOC, corpus)
    encoder.encoded.clear()
    added = index_into_milvus(corpus, uri, encoder=encoder, tokenizer=tokenizer)
    store = open_milvus(uri)
    large_chunks = [chunk for chunk in store.chunks if chunk.doc == LARGE_DOC]
    assert added.docs_added == [LARGE_DOC] and added.docs_changed == [] and added.docs_removed == []
    assert added.chunks_embedded == len(large_chunks) == len(encoder.encoded)
    assert sorted(encoder.encoded) == sorted(chunk.context_text() for chunk in large_chunks)
    build_index(corpus, tmp_path / "index", encoder=encoder)
    assert_same_scores(FolderStore.open(tmp_path / "index"), store, encoder, tokenizer, QUESTIONS[0])
    store.close()

    (corpus / SMALL_DOC).unlink()
    removed = index_into_milvus(corpus, uri, encoder=encoder, tokenizer=tokenizer)
    store = open_milvus(uri)
    assert removed.docs_removed == [SMALL_DOC] and removed.chunks_embedded == 0
    assert {chunk.doc for chunk in store.chunks} == {LARGE_DOC} and list(store.manifest["documents"]) == [LARGE_DOC]
    build_index(corpus, tmp_path / "index", encoder=encoder)
    assert_same_scores(FolderStore.open(tmp_path / "index"), store, encoder, tokenizer, QUESTIONS[1])
    # 旧的几代都删掉了，只剩元数据和当前一代
    assert sorted(store.client.list_collections()) == ["qa_chunks_3", "qa_meta", "qa_terms_3"]
    store.close()

    unchanged = index_into_milvus(corpus, uri, encoder=encoder, tokenizer=tokenizer)
    assert (unchanged.docs_added, unchanged.docs_changed, unchanged.docs_removed, unchanged.chunks_embedded) == (
        [],
        [],
        [],
        0,
    )


def test_a_changed_text_keeps_the_vectors_of_its_unchanged_paragraphs(lite_path, tmp_path, tokenizer):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / SMALL_DOC, corpus)
    encoder = CountingEncoder()
    before = index_into_milvus(corpus, str(lite_path), encoder=encoder, tokenizer=tokenizer)
    text = (corpus / SMALL_DOC).read_text(encoding="utf-8")
    (corpus / SMALL_DOC).write_text(text + "\n\n附记\n\n全市新增5G基站1200个。\n", encoding="utf-8")
    encoder.encoded.clear()
    after = index_into_milvus(corpus, str(lite_path), encoder=encoder, tokenizer=tokenizer)
    assert after.docs_changed == [SMALL_DOC]
    assert 0 < after.chunks_embedded < before.chunks and any("5G基站1200个" in text for text in encoder.encoded)


def test_reopening_the_lite_file_reads_it_back_from_disk(lite_path, tmp_path, tokenizer):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    encoder = FakeEncoder()
    index_into_milvus(corpus, str(lite_path), encoder=encoder, tokenizer=tokenizer)
    store = open_milvus(str(lite_path))
    tokens = tokenizer.tokens(QUESTIONS[0])
    query = encoder.encode_queries([QUESTIONS[0]])[0]
    chunks, bm25, dense = store.chunks, store.bm25_scores(tokens), store.dense_scores(query)
    store.close()
    milvus_lite.server_manager_instance.release_server(str(lite_path))  # 下次打开从磁盘读，而不是沿用内存里的服务

    reopened = open_milvus(f"milvus://{lite_path}", encoder=encoder)
    assert reopened.chunks == chunks
    assert np.array_equal(reopened.bm25_scores(tokens), bm25)
    assert np.array_equal(reopened.dense_scores(query).values, dense.values)
    reopened.close()


def test_searches_capped_below_the_corpus_keep_the_top_and_the_exact_mean_and_spread(seed_store, tokenizer):
    full, encoder = seed_store, FakeEncoder()
    capped = MilvusStore(full.client, search_limit=5)
    query = encoder.encode_queries([QUESTIONS[0]])[0]
    expected, actual = full.dense_scores(query), capped.dense_scores(query)
    top = np.argsort(-expected.values, kind="stable")[:5]
    assert np.array_equal(actual.values[top], expected.values[top])
    rest = np.setdiff1d(np.arange(len(full.chunks)), top)
    assert np.all(actual.values[rest] == expected.values[top].min())  # 没返回的记为返回里的最低分
    assert actual.mean == pytest.approx(expected.mean, abs=1e-6) and actual.std == pytest.approx(expected.std, abs=1e-6)
    tokens = tokenizer.tokens(QUESTIONS[0])
    bm25 = full.bm25_scores(tokens)
    assert np.array_equal(np.sort(capped.bm25_scores(tokens))[-5:], np.sort(bm25)[-5:])


def test_opening_explains_what_to_do(lite_path, tmp_path, tokenizer):
    with pytest.raises(IndexUnavailable, match="不存在.*qa index --store"):
        open_milvus(str(tmp_path / "missing.db"))
    connect(str(lite_path), create=True).close()
    with pytest.raises(IndexUnavailable, match="还没有问答索引.*qa index --store"):
        open_milvus(str(lite_path))
    with pytest.raises(IndexUnavailable, match="连不上 Milvus 服务器"):
        open_milvus("milvus://127.0.0.1:1")

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index_into_milvus(corpus, str(lite_path), encoder=FakeEncoder(), tokenizer=tokenizer)
    with pytest.raises(IndexUnavailable, match="编码器 fake/char-bigram-64 构建.*--rebuild --store"):
        open_milvus(str(lite_path), encoder=OtherEncoder())
    with pytest.raises(IndexUnavailable, match="换模型"):
        index_into_milvus(corpus, str(lite_path), encoder=OtherEncoder(), tokenizer=tokenizer)
    rebuilt = index_into_milvus(corpus, str(lite_path), encoder=OtherEncoder(), rebuild=True, tokenizer=tokenizer)
    assert rebuilt.model == OtherEncoder.id and rebuilt.chunks_embedded == rebuilt.chunks


def test_store_addresses():
    assert parse_store_uri("milvus://localhost:19530") == ("http://localhost:19530", False)
    assert parse_store_uri("milvus://milvus.internal") == ("http://milvus.internal:19530", False)
    assert parse_store_uri("https://cloud.example:443") == ("https://cloud.example:443", False)
    assert parse_store_uri("milvus:///srv/qa.db") == ("/srv/qa.db", True)
    assert parse_store_uri("milvus://./qa.db") == (str(Path("qa.db").resolve()), True)
    assert parse_store_uri("data/qa.db") == (str(Path("data/qa.db").resolve()), True)
    with pytest.raises(IndexUnavailable, match="看不懂存储地址"):
        parse_store_uri("milvus://host:19530/collection")


@pytest.mark.slow
def test_search_and_ask_give_the_folder_results(real_stores, tmp_path_factory):
    folder, store, encoder, _ = real_stores
    through_folder = Pipeline.over(SearchIndex(folder, encoder))
    through_milvus = Pipeline.over(SearchIndex(store, encoder), reader=through_folder.reader)
    for question in QUESTIONS:
        expected, actual = through_folder.ask(question), through_milvus.ask(question)
        assert [hit.chunk.id for hit in actual.hits] == [hit.chunk.id for hit in expected.hits]
        assert (actual.answer.span, actual.answer.answer) == (expected.answer.span, expected.answer.answer)


def test_the_cli_indexes_searches_and_asks_through_milvus_lite(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "滨海简报.txt").write_text(BRIEF, encoding="utf-8")
    store = f"milvus://{tmp_path / 'qa.db'}"
    report = json.loads(run_qa("index", "--corpus", str(corpus), "--store", store, "--json").stdout)
    assert report["docs_added"] == ["滨海简报.txt"] and report["chunks_embedded"] == report["chunks"] > 0
    audit = [json.loads(line) for line in (tmp_path / "qa.db.audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(entry["action"], entry["result"]) for entry in audit] == [("rebuild", "ok")]  # 记在 Lite 文件旁，不在工作目录
    hits = json.loads(run_qa("search", "滨海市新引进多少信息技术人才？", "--store", store, "--json").stdout)["hits"]
    assert "5200人" in hits[0]["text"]
    answer = json.loads(run_qa("ask", "滨海市新引进多少信息技术人才？", "--store", store, "--json").stdout)
    assert answer["span"] == "5200人"
    missing = run_qa("search", "滨海", "--store", f"milvus://{tmp_path / 'none.db'}", check=False)
    assert missing.returncode == 1 and "qa index --store" in missing.stderr
