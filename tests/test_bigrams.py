"""Bigram document frequencies (counted by sorting) against the plain definition, on real report text."""
from collections import Counter

from qa.text.bigrams import BigramFrequencies, bigrams

from conftest import GWR, SEEDS


def reference_bigrams(text: str) -> list[str]:
    """The definition: adjacent pairs of the text's letters and digits, each lower-cased."""
    chars = [c.lower() for c in text if c.isalnum()]
    return [a + b for a, b in zip(chars, chars[1:])]


def paragraphs() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(GWR.glob("*.txt")) + sorted(SEEDS.glob("*.txt"))]
    return [part for text in texts for part in text.split("\n\n") if part.strip()] + ["", "。", "Ｗi-Fi 5G，ISO9001"]


def test_bigrams_follow_the_definition():
    for text in paragraphs():
        assert bigrams(text) == reference_bigrams(text)


def test_document_frequencies_equal_counting_sets():
    texts = paragraphs()
    expected = Counter()
    for text in texts:
        expected.update(set(reference_bigrams(text)))
    counted = BigramFrequencies(texts)
    assert len(expected) > 10_000
    assert all(counted.get(gram) == count for gram, count in expected.items())
    assert counted.get("炤炤") == 0 and counted.get("一") == 0 and counted.get("5g") == expected["5g"] > 0


def test_no_texts():
    assert BigramFrequencies([]).get("发展") == 0
