"""What a user takes away: a conversation as Markdown, Word (.docx) or a spreadsheet (.xlsx), and evaluation results
as .xlsx or .csv. Plain text only: no HTML from the chat."""
from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from qa.app.labels import TIME_FORMAT, kind_label, veto_text
from qa.types import Answer

# 对话导出的列：(显示的列名, ExportRow 的字段)
CONVERSATION_COLUMNS = (
    ("时间", "time"),
    ("问题", "question"),
    ("回答", "answer"),
    ("答案", "span"),
    ("把握", "confidence"),
    ("文档", "document"),
    ("章节", "section"),
    ("页/单元格", "location"),
    ("引文", "quote"),
)
EVALUATION_COLUMNS = (("编号", "id"), ("题型", "kind"), ("问题", "question"), ("期望", "expected"), ("得到", "answer"),
                      ("答案片段", "span"), ("答对", "right"), ("把握", "confidence"), ("未作答的原因", "reason"))
EXPORT_FORMATS = {"markdown": ".md", "docx": ".docx", "xlsx": ".xlsx", "csv": ".csv"}


@dataclass(frozen=True)
class ExportRow:
    """One answer as it is exported: the first citation is the one quoted."""

    time: str
    question: str
    answer: str
    span: str
    confidence: str
    document: str
    section: str
    location: str
    quote: str


def export_row(question: str, answer: Answer, when: datetime | None = None) -> ExportRow:
    citation = answer.citations[0] if answer.citations else None
    confidence = "" if answer.confidence is None or answer.abstained else f"{answer.confidence:.0%}"
    return ExportRow(
        time=(when or datetime.now()).strftime(TIME_FORMAT),
        question=question,
        answer=answer.answer,
        span="" if answer.abstained else answer.span or "",
        confidence=confidence,
        document=f"《{citation.title}》{citation.doc}" if citation else "",
        section=" › ".join(citation.section) if citation else "",
        location=citation.location.label if citation and citation.location else "",
        quote=citation.quote if citation else "",
    )


def write_conversation(rows: list[ExportRow], path: Path) -> Path:
    """The conversation in the format the suffix names (.md, .docx, .xlsx, .csv)."""
    path = Path(path)
    table = [[getattr(row, field) for _, field in CONVERSATION_COLUMNS] for row in rows]
    if path.suffix == ".md":
        path.write_text(conversation_markdown(rows), encoding="utf-8")
    elif path.suffix == ".docx":
        _write_docx(rows, path)
    else:
        _write_table([name for name, _ in CONVERSATION_COLUMNS], table, path, "对话")
    return path


def conversation_markdown(rows: list[ExportRow]) -> str:
    lines = ["# 杭州信息化问答：对话记录", ""]
    for number, row in enumerate(rows, 1):
        lines += [f"## {number}. {row.question}", "", f"*{row.time}*", "", row.answer, ""]
        if row.span:
            lines += [f"- 答案：**{row.span}**" + (f"（把握 {row.confidence}）" if row.confidence else "")]
        if row.document:
            where = "，".join(filter(None, [row.document, row.section, row.location]))
            lines += [f"- 出处：{where}", f"- 引文：「{row.quote}」"]
        lines.append("")
    return "\n".join(lines)


def write_evaluation(records: list[dict], path: Path) -> Path:
    """Every evaluated question with what was expected and what came back (.xlsx or .csv)."""
    table = [
        [
            record["id"], kind_label(record["kind"]), record["question"], "、".join(record["gold_answers"]) or "（应拒答）",
            record["answer"], record.get("span") or "", "是" if record["answer_correct"] else "否",
            "" if record.get("confidence") is None else f"{record['confidence']:.0%}", veto_text(record),
        ]
        for record in records
    ]
    return _write_table([name for name, _ in EVALUATION_COLUMNS], table, Path(path), "评测结果")


def _write_table(header: list[str], table: list[list], path: Path, sheet: str) -> Path:
    if path.suffix == ".csv":
        # 带 BOM：Excel 直接打开也认得中文
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            csv.writer(stream).writerows([header, *table])
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    page = book.active
    page.title = sheet
    page.append(header)
    for row in table:
        page.append(row)
    for cell in page[1]:
        cell.font = Font(bold=True)
    for column in page.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        page.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
        for cell in column[1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    page.freeze_panes = "A2"
    book.save(path)
    return path


def _write_docx(rows: list[ExportRow], path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("杭州信息化问答：对话记录", level=1)
    for number, row in enumerate(rows, 1):
        document.add_heading(f"{number}. {row.question}", level=2)
        document.add_paragraph(row.time)
        document.add_paragraph(row.answer)
        for name, field in CONVERSATION_COLUMNS[3:]:
            value = getattr(row, field)
            if value:
                line = document.add_paragraph(style="List Bullet")
                line.add_run(f"{name}：").bold = True
                line.add_run(value)
    document.save(path)


def rows_as_dicts(rows: list[ExportRow]) -> list[dict]:
    return [asdict(row) for row in rows]
