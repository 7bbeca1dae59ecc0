"""Generate figure questions from report sentences, to fit the figure ranker on report-style text.

    python training/report_questions.py        # writes training/data/report_questions.jsonl

Why: the figure ranker and its confidence were fitted on Wikipedia questions plus the few figure questions of
eval/gwr_dev.jsonl; on reports (dense with figures, time written as 「去年」「过去五年」) its confidence was too low
to answer many right figures. Hand-written report questions are few, so this writes more, mechanically:

- Source: the seven reports in ../shared/data/gwr/ (not the seeds: eval/questions.jsonl is about them).
- A sentence whose text contains any answer of eval/gwr_dev.jsonl or eval/gwr_test.jsonl is skipped, so no fact
  asked by an evaluation question is a training question (the same documents, other facts).
- For a figure with a unit that ends its clause (「城镇新增就业1310万人」), the question is the clause up to the
  figure, its time written out as years from the report's own date (「去年」 in the 2013 report → 「2012年」,
  「过去五年」 → 「2008年至2012年」), and 「多少」: 「2012年城镇新增就业多少？」. The answer is the figure as written.
  A figure with no time in its sentence or paragraph is skipped (its question would have no year to anchor it).
- At most PER_REPORT questions per report, drawn with a fixed seed: the file is the same on every run.
These questions copy the report's words, so they are easier than a user's; they teach the ranker how report
passages look (many figures, relative time), not paraphrase.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

from qa.indexing.chunk import sentence_spans
from qa.lab.paths import ROOT, GWR as REPORTS
from qa.text.clauses import CLAUSE_BREAK, clause_bounds
from qa.text.figures import find_figures
from qa.text.script import to_half_width
from qa.text.time import TimeMention, document_year, find_times, governing_mention

EVAL_FILES = (ROOT / "eval" / "gwr_dev.jsonl", ROOT / "eval" / "gwr_test.jsonl")
OUTPUT = ROOT / "training" / "data" / "report_questions.jsonl"
PER_REPORT = 60
SEED = 29
MIN_SUBJECT_CHARS = 4  # 问句主体至少这么多个汉字，否则「增长多少？」问的是什么看不出来
MAX_TAIL_CHARS = 4  # 数字后到分句末尾最多这么多字（「以上」「左右」），否则数字不是分句的落点
ASKED_KINDS = ("number", "percent")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 分句开头的连接词不是问题的一部分
_LEADING_LINKS = re.compile(r"^(?:其中|同时|此外|另外|全年|共|总计|合计|并且|而且|以及|和|及)+")
# 问句里已有这些词，就已说明问的是计划数
PLAN_WORDS = re.compile(r"目标|预期|计划|规划|力争|打算|安排")


def eval_answers() -> set[str]:
    """Every answer string of the report evaluation files (half-width), to keep their facts out."""
    answers = set()
    for path in EVAL_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                answers.update(to_half_width(a) for a in json.loads(line)["answers"] if len(a) >= 2)
    return answers


def time_phrase(mention: TimeMention) -> str:
    """The mention's years as a question writes them: 「2012年」, 「2008年至2012年」."""
    span = mention.span
    return f"{span.start}年" if span.start == span.end else f"{span.start}年至{span.end}年"


def question_for(text: str, sentence: tuple[int, int], figure, doc_year: int | None) -> str | None:
    """「<years><clause before the figure>多少？」 for a figure that ends its clause, else None."""
    start, end = sentence
    body = text[start:end]
    clause_start, clause_end = clause_bounds(body, figure)
    tail = body[figure.end : clause_end]
    if len(tail) > MAX_TAIL_CHARS:
        return None
    mention = governing_mention(text, start + figure.start, doc_year)
    if mention is None or mention.comparison:
        return None
    subject = body[clause_start : figure.start]
    if start + clause_start <= mention.start < start + figure.start:  # 时间写在分句里：从主体中拿掉，写到句首
        inner = mention.start - start - clause_start
        subject = subject[:inner] + subject[inner + len(mention.text) :]
    subject = _LEADING_LINKS.sub("", CLAUSE_BREAK.sub("", subject).strip(" 　“”、的"))
    if len(_CJK.findall(subject)) < MIN_SUBJECT_CHARS or find_times(subject, doc_year) or find_figures(subject):
        return None  # 太短，或主体里还有时间（「五年累计」）或别的数：问句的年份会自相矛盾，或问的不止一个数
    # 政府工作报告里报告年份及以后的数是目标：问句要说出来。这只对这七篇报告成立（回顾一年的公报、年报写的是实际数），
    # 问答本身看措辞，不看年份（qa.text.plans）
    plan = doc_year is not None and mention.span.start >= doc_year and not PLAN_WORDS.search(subject)
    return f"{time_phrase(mention)}{'计划' if plan else ''}{subject}多少？"


def report_questions(path: Path, excluded: set[str], rng: random.Random) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    title = text.splitlines()[0] if text else ""
    doc_year = document_year(title, text, path.name)
    found = []
    for sentence in sentence_spans(text, 0, len(text)):
        body = to_half_width(text[sentence[0] : sentence[1]])
        if any(answer in body for answer in excluded):
            continue
        for figure in find_figures(text[sentence[0] : sentence[1]]):
            if figure.kind not in ASKED_KINDS or not figure.unit:
                continue
            question = question_for(text, sentence, figure, doc_year)
            if question:
                found.append({"question": question, "answers": [figure.text], "doc": path.name, "kind": "figure"})
    rng.shuffle(found)
    return found[:PER_REPORT]


def main() -> None:
    rng = random.Random(SEED)
    excluded = eval_answers()
    rows = []
    for path in sorted(REPORTS.glob("*.txt")):
        mine = report_questions(path, excluded, rng)
        rows += mine
        print(f"{path.name}: {len(mine)} questions")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with OUTPUT.open("w", encoding="utf-8") as out:
        for number, row in enumerate(rows, start=1):
            out.write(json.dumps({"id": f"rq{number:04d}", **row}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} questions -> {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
