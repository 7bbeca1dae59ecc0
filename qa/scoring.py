"""CMRC-style answer scores: exact match and character F1 after removing punctuation and spaces."""
from __future__ import annotations

import unicodedata


def normalise_answer(text: str) -> str:
    """Lower case, no punctuation, symbols or spaces (what CMRC 2018's scorer removes)."""
    return "".join(c for c in (text or "").lower() if not unicodedata.category(c).startswith(("P", "Z", "C")))


def exact_match(prediction: str, golds: list[str] | tuple[str, ...]) -> float:
    """1.0 when the prediction equals one gold answer after normalisation."""
    guess = normalise_answer(prediction)
    return float(any(guess == normalise_answer(gold) for gold in golds))


def char_f1(prediction: str, golds: list[str] | tuple[str, ...]) -> float:
    """Best character F1 over the gold answers; overlap is the longest common substring, as in CMRC 2018."""
    guess = normalise_answer(prediction)
    best = 0.0
    for gold in golds:
        target = normalise_answer(gold)
        common = _longest_common_substring(guess, target)
        if common:
            precision, recall = common / len(guess), common / len(target)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _longest_common_substring(a: str, b: str) -> int:
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    longest = 0
    for char in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, start=1):
            if char == other:
                current[j] = previous[j - 1] + 1
                longest = max(longest, current[j])
        previous = current
    return longest
