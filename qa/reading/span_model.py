"""The neural span reader's inputs and outputs: question + passage windows in, start/end scores decoded to spans.

The reader is an E5 encoder (fine-tuned from the bundled multilingual-e5-small) with a linear start/end head
(`e5_model.SpanReaderModel` to train, `e5_inference` to answer). The input is
`<s> query: 问题 </s></s> passage: 段落 </s>`, as XLM-R pairs are written; position 0 (`<s>`) stands for
"no answer in this window". Windows and decoding live here, free of torch, so training and inference share them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.reading.e5_tokenizer import E5Tokenizer, Tokens

QUESTION_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

# 片段两端修剪。模型只能在 token 边界起止，而 XLM-R 的词表常把「人的」「在日本」切成一个 token。
# 训练段落的 5,122 个人写答案里：以「的」开头 0 个、结尾 5 个；以「在」「是」开头 43 个（0.8 %）。
# 在 dev 段落上（金标段落给定）修剪后 EM：CMRC 51.8 → 53.4，DRCD 62.0 → 63.2。
EDGE_PARTICLES = "的"  # 两端都剪
LEADING_FUNCTION_CHARS = "在是"  # 只剪开头：「在日本冲绳县」→「日本冲绳县」（不剪「于」：它也是姓）


@dataclass(frozen=True)
class WindowSettings:
    max_tokens: int = 256  # 一个窗口的总长度（含问题与特殊符号）
    max_question_tokens: int = 48
    stride: int = 128  # 相邻窗口的段落起点相隔多少个 token（有重叠，答案不会被切断）
    max_answer_tokens: int = 32


@dataclass(frozen=True)
class Window:
    """One model input: ids, and for each passage token its character span in the passage text."""

    ids: list[int]
    passage_offset: int  # ids 里第一个段落 token 的位置
    starts: list[int]  # 段落 token 的字符起点（相对段落文本）
    ends: list[int]


def question_tokens(tokenizer: E5Tokenizer, question: str, settings: WindowSettings) -> list[int]:
    return tokenizer.tokenize(QUESTION_PREFIX + question).ids[: settings.max_question_tokens]


def passage_tokens(tokenizer: E5Tokenizer, passage: str) -> Tokens:
    """Tokens of the passage with offsets relative to the passage (the prefix's tokens dropped)."""
    tokens = tokenizer.tokenize(PASSAGE_PREFIX + passage)
    shift = len(PASSAGE_PREFIX)
    keep = [i for i, end in enumerate(tokens.ends) if end > shift]
    return Tokens(
        [tokens.ids[i] for i in keep],
        [max(tokens.starts[i] - shift, 0) for i in keep],
        [tokens.ends[i] - shift for i in keep],
    )


def make_windows(tokenizer: E5Tokenizer, question_ids: list[int], passage: Tokens, settings: WindowSettings) -> list[Window]:
    """Overlapping windows over the passage, each with the whole question in front."""
    bos, eos = tokenizer.special["bos"], tokenizer.special["eos"]
    prefix = [bos, *question_ids, eos, eos, *tokenizer.tokenize(PASSAGE_PREFIX.strip()).ids]
    room = settings.max_tokens - len(prefix) - 1
    windows, first = [], 0
    while True:
        last = min(first + room, len(passage.ids))
        ids = prefix + passage.ids[first:last] + [eos]
        windows.append(Window(ids, len(prefix), passage.starts[first:last], passage.ends[first:last]))
        if last >= len(passage.ids):
            return windows
        first += min(settings.stride, room)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Characters [start, end) of text without the particles an answer does not begin or end with; never empty."""
    while end - start > 1:
        if text[start] in EDGE_PARTICLES or text[start] in LEADING_FUNCTION_CHARS:
            start += 1
        elif text[end - 1] in EDGE_PARTICLES:
            end -= 1
        else:
            break
    return start, end


def pad_batch(id_lists: list[list[int]], pad: int, length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Padded ids and the attention mask (1 for real tokens) for a batch of windows, padded to `length` (by default
    the longest window's)."""
    length = max([len(ids) for ids in id_lists] + [length or 0])
    ids = np.full((len(id_lists), length), pad, dtype=np.int64)
    mask = np.zeros((len(id_lists), length), dtype=np.int64)
    for row, window_ids in enumerate(id_lists):
        ids[row, : len(window_ids)] = window_ids
        mask[row, : len(window_ids)] = 1
    return ids, mask


@dataclass(frozen=True)
class SpanGuess:
    start: int  # 段落文本里的字符偏移
    end: int
    score: float  # 起点分 + 终点分
    null_score: float  # 这个窗口「没有答案」的分（<s> 的起点分 + 终点分）


# 答案片段不跨句：「中印关系在继续改善。我国和不丹」不是答案。（训练集的人写答案里跨句的占 1.6 %，多是长篇的描述）
SENTENCE_ENDS = "。！？!?\n"


def crosses_sentence(passage: str, start: int, end: int) -> bool:
    """Whether characters [start, end) hold a sentence end before their last character."""
    return any(char in SENTENCE_ENDS for char in passage[start : end - 1])


def best_spans(
    window: Window, start_logits: np.ndarray, end_logits: np.ndarray, settings: WindowSettings, top: int = 5, passage: str | None = None
) -> list[SpanGuess]:
    """The top-scoring (start <= end) token spans of one window, as character spans of the passage; given the
    passage text, none that crosses a sentence end."""
    offset, count = window.passage_offset, len(window.starts)
    starts = start_logits[offset : offset + count]
    ends = end_logits[offset : offset + count]
    null = float(start_logits[0] + end_logits[0])
    candidates = min(count, 20)
    start_order = np.argsort(-starts)[:candidates]
    end_order = np.argsort(-ends)[:candidates]
    guesses = []
    for s in start_order:
        for e in end_order:
            if s <= e < s + settings.max_answer_tokens and not (passage and crosses_sentence(passage, window.starts[s], window.ends[e])):
                guesses.append(SpanGuess(window.starts[s], window.ends[e], float(starts[s] + ends[e]), null))
    guesses.sort(key=lambda g: -g.score)
    return guesses[:top]
