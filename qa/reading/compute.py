"""Computed answers: a change the text gives both ends of (「由389亿元增长至1464.85亿元」), as a difference or a rate;
and the year before a figure whose increase the text gives (「招生268万人，比上年增加48万人」: the year before, 220万人)."""
from __future__ import annotations

import re

from qa.text.clauses import clause_bounds, previous_quantity_end
from qa.text.figures import SCALES, Figure, format_number

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
_ON_THE_YEAR_BEFORE = r"(?:比|较)(?:上年|去年|前一年)(?P<verb>增加|增长|多|提高|上升|减少|下降|降低|少)了?"
_CHANGE_ON_PREVIOUS_YEAR = re.compile(rf"^[，,]?{_ON_THE_YEAR_BEFORE}$")
_DECREASE_VERBS = ("减少", "下降", "降低", "少")
# 分句里只有变化量：「就业预期目标比去年多100万人」
_STANDALONE_CHANGE = re.compile(_ON_THE_YEAR_BEFORE)
# 界限词说的是一个确切的界（「1100万人以上，比去年多100万人」：去年的界是1000万人以上），可以推；约数（「300多万人」
# 「3000亿元左右」）推不出确切的上一年
_EXACT_BOUNDS = ("以上", "以下", "以内", "之内")


def previous_year_value(sentence: str, figures: list[Figure], position: int) -> tuple[str, str, float, str, Figure] | None:
    """The year before, when the figure at `position` is followed by its change on that year in the same unit
    (「全国普通高校招生268万人，比上年增加48万人」 → 220万人): (result, formula, value, unit, change figure), else None.
    Percentages and approximate figures (「300多万人」) give nothing: their base year cannot be computed exactly. A
    bound (「1100万人以上，比去年多100万人」, a target raised by 100万) gives the year before's bound: 1000万人以上."""
    if position + 1 >= len(figures):
        return None
    figure, change = figures[position], figures[position + 1]
    match = _CHANGE_ON_PREVIOUS_YEAR.match(sentence[figure.end : change.start])
    return year_before(figure, change, match["verb"]) if match else None


def standalone_change(sentence: str, figures: list[Figure], position: int) -> tuple[str, str] | None:
    """(what changed, the verb) when the figure at `position` is a change on the year before whose level its
    sentence does not give: 「就业预期目标比去年多100万人」 → ("就业预期目标", "多"); the level is written elsewhere."""
    figure = figures[position]
    clause_start, _ = clause_bounds(sentence, figure)
    if any(other.is_quantity and clause_start <= other.start < figure.start for other in figures):
        return None
    match = _STANDALONE_CHANGE.search(sentence, clause_start, figure.start)
    if match is None or match.end() != figure.start or figure.kind != "number" or figure.qualifier:
        return None
    subject = sentence[clause_start : match.start()].strip()
    return (subject, match["verb"]) if subject else None


def year_before(figure: Figure, change: Figure, verb: str) -> tuple[str, str, float, str, Figure] | None:
    """The year before a figure from its change on that year (`verb`: 增加, 减少 ...), as in `previous_year_value`."""
    if figure.kind != "number" or change.kind != "number" or figure.unit != change.unit:
        return None
    bound = figure.qualifier if figure.qualifier in _EXACT_BOUNDS and figure.text.endswith(figure.qualifier) else ""
    if (figure.qualifier and not bound) or change.qualifier:
        return None
    number, suffix = as_written(figure)
    change_number = change.value / SCALES.get(figure.scale, 1)
    sign = 1 if verb in _DECREASE_VERBS else -1
    result_number = round(number + sign * change_number, 4)
    if result_number <= 0:
        return None
    result = f"{format_number(result_number)}{suffix}{bound}"
    operator = "+" if sign > 0 else "−"
    formula = f"{format_number(number)}{suffix}{bound} {operator} {format_number(change_number)}{suffix} = {result}"
    return result, formula, figure.value + sign * change.value, figure.unit, change


def compute(wants: str, before: Figure, after: Figure) -> tuple[str, str, float, str] | None:
    """(result, formula, value, unit) of the change from `before` to `after`: a rate in %, a difference in percentage
    points between percentages, else a difference in the later figure's scale and unit. Works from the figures'
    values, so any way of writing them (「３．８２亿吨」「一千二百三十万吨」「4亿5000万元」) computes alike."""
    if before.unit != after.unit and not (before.kind == after.kind == "percent"):
        return None
    before_number, _ = as_written(before, after.scale)
    after_number, suffix = as_written(after)
    if wants == "rate":
        if before.value == 0:
            return None
        rate = round((after.value - before.value) / before.value * 100, 2)
        result = f"{format_number(rate)}%"
        formula = f"（{format_number(after_number)} − {format_number(before_number)}）÷ {format_number(before_number)} = {result}"
        return result, formula, rate, "%"
    difference = round(after_number - before_number, 4)
    if before.kind == "percent":
        result = f"{format_number(abs(difference))}个百分点"
        return result, f"{format_number(after_number)}% − {format_number(before_number)}% = {format_number(difference)}个百分点", abs(difference), "个百分点"
    result = f"{format_number(abs(difference))}{suffix}"
    formula = f"{format_number(after_number)}{suffix} − {format_number(before_number)}{suffix} = {format_number(difference)}{suffix}"
    return result, formula, abs(after.value - before.value), after.unit


def total(first: Figure, second: Figure) -> tuple[str, str, float, str] | None:
    """(result, formula, value, unit) of the sum of two figures of one unit, in the first one's scale."""
    if first.unit != second.unit or first.kind != second.kind or first.kind not in ("number", "percent"):
        return None
    first_number, suffix = as_written(first)
    second_number, _ = as_written(second, first.scale)
    result = f"{format_number(round(first_number + second_number, 4))}{suffix}"
    return result, f"{format_number(first_number)}{suffix} + {format_number(second_number)}{suffix} = {result}", first.value + second.value, first.unit


def as_written(figure: Figure, scale: str | None = None) -> tuple[float, str]:
    """The figure as a number in its own scale (or the given one) and the suffix that goes with it:
    148.13万户 → (148.13, "万户"); 「４亿５０００万元」 → (4.5, "亿元"); 7.8% → (7.8, "%")."""
    scale = figure.scale if scale is None else scale
    if figure.kind == "percent":
        return round(figure.value, 6), "%"
    return round(figure.value / SCALES.get(scale, 1), 6), f"{scale}{figure.unit}"
