"""Computed answers: a change the text gives both ends of (「由389亿元增长至1464.85亿元」), as a difference or a rate;
and the year before a figure whose increase the text gives (「招生268万人，比上年增加48万人」: the year before, 220万人)."""
from __future__ import annotations

import re

from qa.text.clauses import previous_quantity_end
from qa.text.figures import Figure, format_number
from qa.text.script import to_half_width

_CHANGE_BETWEEN = re.compile(r"^[^，,；;。]{0,10}?(?:至|到)$")
# 「从」与起点数字之间可以有时间和主语（「从2004年人均每月700元」），但不跨分句
_CHANGE_FROM = re.compile(r"(?:由|从)[^，,；;。]{0,12}$")
# 两个数字之间、与变化无关的时间说法：「增加到2012年末的」「提高到现在的」
_TIME_BETWEEN = re.compile(r"(?:(?:19|20)\d{2}年(?:末|底|初)?|现在|目前|当前)(?:的)?")


def change_pair(sentence: str, figures: list[Figure], position: int) -> tuple[Figure, Figure] | None:
    """「由389亿元增长至1464.85亿元」「从2002年的1200元增加到2007年的2000元」: (from, to)."""
    before = figures[position]
    following = figures[position + 1 :]
    if not _CHANGE_FROM.search(sentence[previous_quantity_end(figures, position) : before.start]):
        return None
    for after in following[:2]:
        between = sentence[before.end : after.start]
        if after.kind in ("date", "range"):
            continue
        if _CHANGE_BETWEEN.match(_TIME_BETWEEN.sub("", between)) and after.unit == before.unit and after.kind == before.kind:
            if before.qualifier or after.qualifier:
                return None  # 「不足50亿元」「300多亿元」：约数不做减法
            return before, after
        break
    return None


# 「268万人，比上年增加48万人」：紧跟在数字后面、同单位的绝对增减量
_CHANGE_ON_PREVIOUS_YEAR = re.compile(r"^[，,]?(?:比|较)(?:上年|去年|前一年)(?P<verb>增加|增长|多|提高|上升|减少|下降|降低|少)了?$")
_DECREASE_VERBS = ("减少", "下降", "降低", "少")


def previous_year_value(sentence: str, figures: list[Figure], position: int) -> tuple[str, str, float, str, Figure] | None:
    """The year before, when the figure at `position` is followed by its change on that year in the same unit
    (「全国普通高校招生268万人，比上年增加48万人」 → 220万人): (result, formula, value, unit, change figure), else None.
    Percentages and approximate figures (「300多万人」) give nothing: their base year cannot be computed exactly."""
    if position + 1 >= len(figures):
        return None
    figure, change = figures[position], figures[position + 1]
    match = _CHANGE_ON_PREVIOUS_YEAR.match(sentence[figure.end : change.start])
    if match is None or figure.kind != "number" or change.kind != "number" or figure.unit != change.unit:
        return None
    if figure.qualifier or change.qualifier:
        return None
    number, suffix = split_number(to_half_width(figure.text))
    change_number, change_suffix = split_number(to_half_width(change.text))
    if number is None or change_number is None or suffix != change_suffix:
        return None
    sign = 1 if match["verb"] in _DECREASE_VERBS else -1
    result_number = round(number + sign * change_number, 4)
    if result_number <= 0:
        return None
    result = f"{format_number(result_number)}{suffix}"
    operator = "+" if sign > 0 else "−"
    formula = f"{format_number(number)}{suffix} {operator} {format_number(change_number)}{suffix} = {result}"
    return result, formula, figure.value + sign * change.value, figure.unit, change


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
