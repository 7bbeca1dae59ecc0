"""Public reading-comprehension files (CMRC 2018, DRCD) -> paragraphs with their questions, split by paragraph.

Training and evaluation share `split_of`: a paragraph (and every question on it) is for training (70 %),
development (10 %: calibrating confidence, choosing settings) or test (20 %: the numbers we report),
decided by a hash of its id, so no held-out question is ever seen in training.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

HELD_OUT_SHARE = 0.3  # 三成段落（及其上的全部问题）不参与训练
DEV_SHARE = 0.1  # 其中一成用来校准置信度、选参数；其余两成只用来报告


@dataclass(frozen=True)
class MrcQuestion:
    id: str
    question: str
    answers: tuple[str, ...]  # 只保留在段落里原样出现的答案


@dataclass(frozen=True)
class MrcParagraph:
    id: str
    title: str
    text: str
    questions: tuple[MrcQuestion, ...]
    source: str  # 文件名（不含扩展名）

    @property
    def split(self) -> str:
        return split_of(self.source, self.id)


def split_of(source: str, paragraph_id: str) -> str:
    """'train', 'dev' or 'test' for a paragraph, fixed by a hash of its file and id."""
    digest = hashlib.sha256(f"{source}/{paragraph_id}".encode("utf-8")).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    if share >= HELD_OUT_SHARE:
        return "train"
    return "dev" if share < DEV_SHARE else "test"


def load_mrc(path: Path) -> list[MrcParagraph]:
    """Paragraphs of a CMRC-style list or a SQuAD-style (DRCD) file; answers absent from the text are dropped."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    source = path.stem
    if isinstance(data, dict):
        return [_paragraph(source, article["title"], p["id"], p["context"], p["qas"], "question") for article in data["data"] for p in article["paragraphs"]]
    return [_paragraph(source, item["title"], item["context_id"], item["context_text"], item["qas"], "query_text") for item in data]


def _paragraph(source: str, title: str, paragraph_id: str, text: str, qas: list[dict], question_key: str) -> MrcParagraph:
    questions = []
    for qa in qas:
        answers = [str(a["text"] if isinstance(a, dict) else a) for a in qa["answers"]]
        # CMRC 里有少数表格软件留下的答案（「39613.0」），段落里没有，丢掉
        kept = tuple(dict.fromkeys(a.strip() for a in answers if a.strip() and a.strip() in text))
        if kept:
            questions.append(MrcQuestion(str(qa.get("query_id") or qa.get("id")), qa[question_key], kept))
    return MrcParagraph(str(paragraph_id), title, text, tuple(questions), source)
