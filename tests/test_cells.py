"""A question that names a row or a column of a table is not answered from the table's other rows or columns: the
cells' rows and columns come from the index manifest (real table facts built by TextBuilder)."""
from __future__ import annotations

from qa.indexing.formats.builder import TextBuilder
from qa.indexing.formats.tables import Table
from qa.reading.cells import TableCells


def _ports() -> tuple[str, TableCells]:
    builder = TextBuilder()
    builder.paragraph([("全港货物吞吐量稳中有升。", 1)])
    rows = (("港区", "2022年", "2023年", "增长（%）"), ("北港区", "8,654.3", "9,102.8", "5.2"), ("南港区", "7,219.6", "7,048.1", "-2.4"))
    builder.table(Table(rows, "表2 青川港分港区货物吞吐量（单位：万吨）", lambda r, c: f"第{r + 1}行第{c + 1}列", 1))
    extracted = builder.extracted("青川港年报", pages=1)
    return extracted.text, TableCells({"ports.pdf": {"locations": [location.as_dict() for location in extracted.locations]}})


def test_a_named_row_rules_out_the_other_rows_and_a_named_column_the_other_columns():
    text, cells = _ports()
    question = "2023年青川港南港区货物吞吐量是多少万吨？"
    assert cells.veto(question, "ports.pdf", text.index("7,048.1"), "7,048.1") is None
    other_row = cells.veto(question, "ports.pdf", text.index("9,102.8"), "9,102.8")
    assert other_row.name == "cell" and "南港区" in other_row.reason and "北港区" in other_row.reason
    other_column = cells.veto(question, "ports.pdf", text.index("7,219.6"), "7,219.6")
    assert other_column.name == "cell" and "2023年" in other_column.reason
    # 列标题里括号中的单位不必出现在问题里
    assert cells.veto("南港区的吞吐量增长了百分之几？", "ports.pdf", text.index("-2.4"), "-2.4") is None


def test_no_veto_when_the_question_names_no_row_or_both_or_the_figure_is_not_in_a_table():
    text, cells = _ports()
    assert cells.veto("2023年青川港货物吞吐量是多少？", "ports.pdf", text.index("9,102.8"), "9,102.8") is None
    assert cells.veto("2023年北港区比南港区多多少万吨？", "ports.pdf", text.index("9,102.8"), "9,102.8") is None
    assert cells.veto("2023年南港区货物吞吐量是多少？", "ports.pdf", text.index("稳中有升"), "稳中有升") is None
    assert cells.veto("2023年南港区货物吞吐量是多少？", "other.pdf", 0, "1") is None


def test_labels_in_traditional_characters_are_named_by_a_simplified_question():
    builder = TextBuilder()
    builder.table(Table((("區縣", "人口（萬人）"), ("東湖區", "72.1"), ("西山區", "58.7")), "表1 人口", lambda r, c: f"R{r}C{c}", 1))
    extracted = builder.extracted("人口")
    cells = TableCells({"people.pdf": {"locations": [location.as_dict() for location in extracted.locations]}})
    assert cells.veto("东湖区人口多少万人？", "people.pdf", extracted.text.index("58.7"), "58.7").name == "cell"
    assert cells.veto("东湖区人口多少万人？", "people.pdf", extracted.text.index("72.1"), "72.1") is None


def test_a_cell_is_pinned_when_the_question_names_its_row_and_column_and_no_other():
    text, cells = _ports()
    assert cells.pinned("2023年青川港南港区货物吞吐量是多少万吨？", "ports.pdf", text.index("7,048.1"))
    assert not cells.pinned("青川港南港区货物吞吐量是多少万吨？", "ports.pdf", text.index("7,048.1"))  # 没点列
    assert not cells.pinned("2023年南港区比北港区少多少？", "ports.pdf", text.index("7,048.1"))  # 点了两行
    assert not cells.pinned("2023年南港区货物吞吐量是多少？", "ports.pdf", text.index("稳中有升"))
