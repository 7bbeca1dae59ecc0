import codecs
from pathlib import Path

import pytest

from qa.indexing.ingest import UnreadableFile, decode_bytes, load_corpus, load_document

TEXT = "滨海市信息化报告\n全市因特网用户148.13万户，比上年增长12%。\n"


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.encode("utf-16"),  # 带 BOM
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-bom", "utf-16-le", "utf-16-be"],
)
def test_encodings_decode_to_the_same_text(raw):
    assert decode_bytes(raw) == TEXT


def test_crlf_is_normalised_and_title_is_first_line(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode("gbk"))
    document = load_document(path)
    assert document.text == TEXT
    assert document.title == "滨海市信息化报告"
    assert document.doc == "a.txt"


def test_markdown_title_loses_hashes(tmp_path: Path):
    path = tmp_path / "b.md"
    path.write_text("# 统计公报\n\n正文。\n", encoding="utf-8")
    assert load_document(path).title == "统计公报"


def test_bad_files_are_reported_by_name_and_the_rest_is_loaded(tmp_path: Path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n \u3000\n", encoding="utf-8")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "latin.txt").write_bytes(bytes([0x81, 0x30, 0xFF, 0xFE, 0x20]) * 3 + b"\x81")
    (tmp_path / "ignored.doc").write_bytes(b"\xd0\xcf\x11\xe0 old Word")  # 不支持的格式不读也不报
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4")
    documents, skipped = load_corpus(tmp_path)
    assert [d.doc for d in documents] == ["good.txt"]
    reasons = {item.doc: item.reason for item in skipped}
    assert set(reasons) == {"empty.txt", "blank.md", "image.txt", "latin.txt", "broken.pdf"}
    assert "损坏" in reasons["broken.pdf"]
    assert "空文件" in reasons["empty.txt"]
    assert "二进制" in reasons["image.txt"]


def test_undecodable_bytes_raise_a_chinese_reason():
    with pytest.raises(UnreadableFile, match="编码"):
        decode_bytes(b"\x81\xff\xfd\x81\x81\x81" * 5 + b"\x81")
