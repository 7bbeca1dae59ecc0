"""Traditional -> simplified Chinese for matching (OpenCC's t2s tables); texts shown to users keep their characters."""
from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in simplified characters (「會通過幾個區」→「会通过几个区」); simplified text comes back unchanged."""
    return _converter().convert(text) if text else text
