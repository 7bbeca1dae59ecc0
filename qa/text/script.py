"""Script and width folding for matching: traditional -> simplified (OpenCC's t2s tables), full-width digits and
letters -> ASCII. Texts shown to users keep their own characters."""
from __future__ import annotations

from functools import lru_cache

import opencc


# 全角数字、小数点、百分号、字母、斜杠、连字符（「３０９．８元」「０．７％」）换成半角；一字换一字，偏移不变。
# 全角逗号不换：中文里它是分句的逗号（「分别为100，200」不是千分位）。
_HALF_WIDTH = str.maketrans(
    "０１２３４５６７８９．％／－" + "".join(map(chr, range(0xFF21, 0xFF3B))) + "".join(map(chr, range(0xFF41, 0xFF5B))),
    "0123456789.%/-" + "".join(map(chr, range(0x41, 0x5B))) + "".join(map(chr, range(0x61, 0x7B))),
)


def to_half_width(text: str) -> str:
    """Full-width digits, letters, 「．％／－」 as ASCII, character for character (offsets stay valid)."""
    return text.translate(_HALF_WIDTH)


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in simplified characters (「會通過幾個區」→「会通过几个区」); simplified text comes back unchanged."""
    return _converter().convert(text) if text else text
