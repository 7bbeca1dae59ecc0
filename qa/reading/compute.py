"""Computed answers: a change the text gives both ends of (「由389亿元增长至1464.85亿元」), as a difference or a rate."""
from __future__ import annotations

import re

from qa.text.figures import Figure, format_number

_CHANGE_BETWEEN = re.compile(r"^[^，,；;。]{0,10}?(?:至|到)$")


def change_pair(sentence: str, figures: list[Figure], position: int) -> tuple[Figure, Figure] | None:
    """「由389亿元增长至1464.85亿元」「从2002年的1200元增加到2007年的2000元」: (from, to)."""
    before = figures[position]
    following = figures[position + 1 :]
    left_edge = figures[position - 1].end if position else 0
    if not re.search(r"(?:由|从)[^，,；;。]{0,8}$", sentence[left_edge : before.start]):
        return None
    for after in following[:2]:
        between = sentence[before.end : after.start]
        if after.kind in ("date", "range"):
            continue
        if _CHANGE_BETWEEN.match(re.sub(r"(?:19|20)\d{2}年(?:的)?", "", between)) and after.unit == before.unit and after.kind == before.kind:
            if before.qualifier or after.qualifier:
                return None  # 「不足50亿元」「300多亿元」：约数不做减法
            return before, after
        break
    return None


def compute(wants: str, before: Figure, after: Figure) -> tuple[str, str, float, str] | None:
    before_number, before_suffix = split_number(before.text)
    after_number, after_suffix = split_number(after.text)
    if before_number is None or after_number is None:
        return None
    if wants == "rate":
        if before.value == 0:
            return None
        rate = (after.value - before.value) / before.value * 100
        result = f"{format_number(round(rate, 2))}%"
        formula = f"（{format_number(after_number)} − {format_number(before_number)}）÷ {format_number(before_number)} = {result}"
        return result, formula, round(rate, 2), "%"
    if before.kind == "percent":
        difference = round(after_number - before_number, 4)
        result = f"{format_number(abs(difference))}个百分点"
        return result, f"{after.text} − {before.text} = {format_number(difference)}个百分点", abs(difference), "个百分点"
    if before_suffix == after_suffix:
        difference = round(after_number - before_number, 4)
        result = f"{format_number(abs(difference))}{after_suffix}"
        value = abs(after.value - before.value)
    else:
        value = abs(after.value - before.value)
        result = f"{format_number(value)}{after.unit}"
    formula = f"{after.text} − {before.text} = {format_number(round(after_number - before_number, 4)) + after_suffix if before_suffix == after_suffix else format_number(after.value - before.value) + after.unit}"
    return result, formula, value, after.unit


def split_number(text: str) -> tuple[float | None, str]:
    match = re.match(r"([\d,]+(?:\.\d+)?)(.*)$", text)
    if not match:
        return None, text
    return float(match.group(1).replace(",", "")), match.group(2)
