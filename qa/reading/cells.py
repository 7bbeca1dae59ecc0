"""Table cells a question names. A table becomes one fact per cell (「南港区 2023年为7,048.1万吨。」); when the question
names a row of the table (「南港区」) or a column (「2023年」「增加值」), the figures of the table's other rows or columns
do not answer it, however alike their sentences read. The index manifest keeps where each cell is (its row label
and column heading), so this is read from the table itself, not guessed from the wording."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from qa.text.script import to_simplified
from qa.types import Location, Veto

# 标签里括号中的单位、说明（「增长（%）」「户籍人口（人）」）不要求问题里也写
_NOTE = re.compile(r"[（(][^（）()]*[)）]")
# 短于这么多字的标签片段（「一」「合」）不算点名
MIN_NAME_CHARS = 2


@dataclass(frozen=True)
class _Cell:
    start: int
    end: int
    table: str
    row: str
    column: str


class TableCells:
    """Every table cell of the indexed documents, by document, with the rows and columns of its table."""

    def __init__(self, documents: dict[str, dict]):
        self._cells: dict[str, list[_Cell]] = {}
        self._starts: dict[str, list[int]] = {}
        self._labels: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        for doc, entry in documents.items():
            cells = []
            for item in entry.get("locations", ()):
                location = Location.from_dict(item)
                if location.cell and location.table:
                    cells.append(_Cell(location.start, location.end, location.table, location.row or "", location.column or ""))
            if cells:
                cells.sort(key=lambda cell: cell.start)
                self._cells[doc] = cells
                self._starts[doc] = [cell.start for cell in cells]
                for cell in cells:
                    rows, columns = self._labels.setdefault((doc, cell.table), (set(), set()))
                    rows.add(cell.row)
                    columns.add(cell.column)

    def veto(self, question: str, doc: str, position: int, figure: str) -> Veto | None:
        """Why the figure at character `position` of `doc` is not what the question asks, when it sits in a table
        cell whose row (or column) is not the one the question names; None otherwise."""
        cell = self._cell_at(doc, position)
        if cell is None:
            return None
        asked = _folded(question)
        rows, columns = self._labels[(doc, cell.table)]
        for kind, labels, own in (("行", rows, cell.row), ("列", columns, cell.column)):
            named = sorted(label for label in labels if label and _names(asked, label))
            if named and own not in named:
                return Veto("cell", f"问题问的是表中「{'」「'.join(named)}」这一{kind}，「{figure}」在「{own or '—'}」{kind}")
        return None

    def pinned(self, question: str, doc: str, position: int) -> bool:
        """Whether the question names exactly this cell: its row label and its column heading, and no other row or
        column of its table (「2023年南港区货物吞吐量」 for the cell 南港区 × 2023年)."""
        cell = self._cell_at(doc, position)
        if cell is None:
            return False
        asked = _folded(question)
        rows, columns = self._labels[(doc, cell.table)]
        return all(
            [label for label in labels if label and _names(asked, label)] == [own]
            for labels, own in ((rows, cell.row), (columns, cell.column))
        )

    def _cell_at(self, doc: str, position: int) -> _Cell | None:
        starts = self._starts.get(doc)
        if not starts:
            return None
        i = bisect.bisect_right(starts, position) - 1
        if i >= 0 and self._cells[doc][i].start <= position < self._cells[doc][i].end:
            return self._cells[doc][i]
        return None


def _names(question: str, label: str) -> bool:
    """Whether the question names the label: every part of it (「增加值 2023年」: 增加值 and 2023年), units aside."""
    parts = [part for part in _folded(_NOTE.sub(" ", label)).split() if len(part) >= MIN_NAME_CHARS]
    return bool(parts) and all(part in question for part in parts)


def _folded(text: str) -> str:
    return to_simplified(text).replace("　", " ")
