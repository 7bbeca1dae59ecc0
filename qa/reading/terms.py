"""What a question looks for in a passage: its weighted character bigrams (and synonyms for words the corpus never
uses), and the overlap measures the figure and span features are made of."""
from __future__ import annotations

import math
from dataclasses import dataclass

from qa.indexing.tokenize import STOP_WORDS
from qa.text.bigrams import BigramFrequencies, bigrams
from qa.text.synonyms import Thesaurus


@dataclass(frozen=True)
class QuestionTerms:
    """The question's weighted character bigrams, plus synonyms for words the corpus never uses (「员工」→「职工」),
    each worth the word it stands for."""

    bigrams: dict[str, float]
    alternatives: tuple[tuple[float, tuple[frozenset[str], ...]], ...]
    total: float
    counts_people: bool  # 问的是人（「员工」「观众」）：答案的单位应是人、名、位、人次


class TermWeigher:
    """Weighs a question's bigrams by how rare they are in the corpus (idf over chunks)."""

    def __init__(self, texts: list[str], jieba, thesaurus: Thesaurus):
        self._df = BigramFrequencies(texts)
        self._count = max(len(texts), 1)
        self._jieba = jieba
        self.thesaurus = thesaurus

    def terms(self, text: str) -> QuestionTerms:
        weights = {gram: self._idf(gram) for gram in set(bigrams(text))}
        alternatives, counts_people = [], False
        for word in self._jieba.lcut(text):
            if len(word) < 2 or word in STOP_WORDS:
                continue
            counts_people = counts_people or self.thesaurus.names_people(word)
            word_grams = set(bigrams(word))
            if all(self._df.get(gram) for gram in word_grams):
                continue  # 语料里有这个词，用不着同义词
            options = tuple(
                frozenset(bigrams(synonym))
                for synonym in sorted(self.thesaurus.synonyms(word))
                if len(synonym) >= 2 and all(self._df.get(gram) for gram in bigrams(synonym))
            )
            if options:
                alternatives.append((sum(weights.get(gram, 0.0) for gram in word_grams), options))
        return QuestionTerms(weights, tuple(alternatives), sum(weights.values()), counts_people)

    def _idf(self, gram: str) -> float:
        return math.log((self._count + 1) / (self._df.get(gram, 0) + 0.5))


def overlap(terms: QuestionTerms, text: str, leave_out: frozenset[str] = frozenset()) -> float:
    """Share of the question's weighted bigrams (or synonyms standing in for them) that appear in text; the bigrams in
    `leave_out` count neither way."""
    total = terms.total - sum(weight for gram, weight in terms.bigrams.items() if gram in leave_out)
    if total <= 0:
        return 0.0
    present = set(bigrams(text))
    found = sum(weight for gram, weight in terms.bigrams.items() if gram in present and gram not in leave_out)
    found += sum(weight for weight, options in terms.alternatives if any(option <= present for option in options))
    return min(1.0, found / total)


def precision(left: str, question: str) -> float:
    """Share of the words right before a figure that the question also uses."""
    grams = bigrams(left)
    if not grams:
        return 0.0
    asked = set(bigrams(question))
    return sum(1 for gram in grams if gram in asked) / len(grams)


def suffix_match(label: str, question: str) -> int:
    """How many characters at the end of the label (the words right before a figure) the question repeats."""
    label = label.rstrip("的为达是了共有 ")
    longest = 0
    for size in range(2, min(len(label), 8) + 1):
        if label[-size:] in question:
            longest = size
        else:
            break
    return longest
