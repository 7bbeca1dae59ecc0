#!/usr/bin/env python3
"""Sanity checker for the report question sets written from the work reports and the seeds.

Checks three files:
  training/data/report_train.jsonl   ids rt0001...  (training only)
  eval/report_dev.jsonl              ids rd001...   (development, gwr reports)
  eval/paraphrase_dev.jsonl          ids pd001...   (development, everyday wording)

For every question:
  * the line is a JSON object with the fields id, question, answers, doc, section, evidence,
    kind, style (and inputs for kind "computed"), with the right types;
  * ids are unique across the three files and use the prefix of their file;
  * kind is one of figure / paraphrase / computed / entity / list / date / target / unanswerable,
    every style tag is one of the allowed tags;
  * unanswerable: answers == [], doc, section and evidence are null, style has "unanswerable";
  * answerable: doc exists; evidence occurs verbatim in the doc; section is a (stripped) line
    of the doc; the question names a year (four digits); every answer occurs verbatim in the
    doc and in the evidence (except kind "computed");
  * computed: inputs is a list of two strings that occur verbatim in the doc and in the
    evidence, and the answer is their difference or their sum (numbers compared after turning
    full-width digits into ASCII), in the same unit;
  * no (doc, answer) pair -- computed inputs included -- of one file appears in another of the
    three files, or in the existing sets eval/questions.jsonl, eval/gwr_dev.jsonl,
    eval/gwr_dev2.jsonl, eval/gwr_test.jsonl and training/data/report_questions.jsonl
    (plus the inputs of the computed questions of those sets, listed below, since those
    files do not record them);
  * no training question re-asks a fact of a development or evaluation set in another writing of
    its answer (one answer inside the other, same digits, same doc: 「15000家左右」 and 「15000家」),
    apart from the checked different facts in NEAR_MISSES, and none writes such an answer into its
    question (「……在浙江省人民大会堂召开，这是第几届？」 gives away where it was held).
Prints the counts per kind, per style and per doc for each file, and how many training
questions re-ask a fact that another training question asks (plain/everyday rewordings).
Exit status 1 on any error.

Usage: python3 eval/check_report_questions.py
Documents: GWR_DATA_DIR (default /work/shared/data/gwr) and SEEDS_DIR (default
/work/shared/seeds). Standard library only.
"""
import collections
import json
import os
import re
import sys
import unicodedata

from check_gwr import read_jsonl  # noqa: E402 -- the script runs from eval/

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FILES = [
    (os.path.join(ROOT, "training", "data", "report_train.jsonl"), "rt", 4),
    (os.path.join(HERE, "report_dev.jsonl"), "rd", 3),
    (os.path.join(HERE, "paraphrase_dev.jsonl"), "pd", 3),
]
EXISTING = [
    os.path.join(HERE, "questions.jsonl"),
    os.path.join(HERE, "gwr_dev.jsonl"),
    os.path.join(HERE, "gwr_dev2.jsonl"),
    os.path.join(HERE, "gwr_test.jsonl"),
    os.path.join(ROOT, "training", "data", "report_questions.jsonl"),
]
# Inputs of the computed questions of the existing sets (GWR_QUESTIONS.md and questions.jsonl
# q102-q108, q158); those files only store the result, so these figures are reserved here.
EXISTING_COMPUTED_INPUTS = {
    "gwr-2013.txt": ["26.6万亿元", "51.9万亿元", "5.1万亿元", "11.7万亿元", "639亿元", "1923亿元",
                     "248亿美元", "772亿美元", "6.12万亿元", "17.63万亿元", "700元", "1721元"],
    "gwr-2017.txt": ["30万元", "50万元", "1100万人以上", "100万人"],
    "gwr-2021.txt": ["10万元", "15万元"],
    "gwr-2002.txt": ["２６８万人", "４８万人"],
    "gwr-2000.txt": ["11377亿元", "1501亿元"],
    "000_7c521dbcc8602230.txt": ["389亿元", "1464.85亿元", "268.72亿元", "90.47亿元", "6.55%", "5.08%",
                                 "570.01亿元", "57亿元", "1463.05亿元", "407.68亿元", "17.83%", "17.71%",
                                 "114.07亿元", "44.57亿元"],
}
FIELDS = {"id", "question", "answers", "doc", "section", "evidence", "kind", "style"}
KINDS = {"figure", "paraphrase", "computed", "entity", "list", "date", "target", "unanswerable"}
STYLES = {"colloquial", "chinese_numerals", "fullwidth", "spaced_digits", "relative_time", "target",
          "computed", "unanswerable"}
YEAR = re.compile(r"(19|20)\d\d")
FW = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
NUM = re.compile(r"\d+(?:\.\d+)?")


# 答案互相包含、却是不同事实的训练题（核对过原句）：(训练题 id, 另一集的答案)
NEAR_MISSES = {
    ("rt0037", "百分之九"),  # 「连续若干年保持百分之八至百分之九」不是1994年的计划增速
    ("rt0050", "百分之九"),
    ("rt0216", "约2000亿元"),  # 财政赤字比去年增加2000亿元，不是涉企收费约2000亿元
    ("rt0576", "约2000亿元"),
}


MIN_GIVEN_CHARS = 3  # 更短的答案（「杭州」「第四」）在问句里多半只是普通的词


def same_fact(a, b):
    """Answers that state one figure or name in two writings: one inside the other (full-width folded), with the same
    digits when they have any (「15000家左右」 and 「15000家」, 「超过200太」 and 「200太」)."""
    a, b = (unicodedata.normalize("NFKC", x).replace(" ", "").replace(",", "") for x in (a, b))
    if len(min(a, b, key=len)) < 2 or not (a in b or b in a):
        return False
    return re.sub(r"\D", "", a) == re.sub(r"\D", "", b)


def number_and_unit(s):
    s = s.translate(FW)
    m = NUM.search(s)
    if not m:
        return None, None
    unit = re.sub(r"^(约|超过|近|不到|不足)", "", s[m.end():])
    unit = re.sub(r"(左右|以上|以内|多)$", "", unit)
    return float(m.group(0)), unit


def main():
    gwr_dir = os.environ.get("GWR_DATA_DIR", "/work/shared/data/gwr")
    seeds_dir = os.environ.get("SEEDS_DIR", "/work/shared/seeds")
    errors = []
    texts, lines = {}, {}

    def load_doc(name):
        if name not in texts:
            for d in (gwr_dir, seeds_dir):
                path = os.path.join(d, name)
                if os.path.isfile(path):
                    with open(path, encoding="utf-8") as f:
                        texts[name] = f.read()
                    lines[name] = {ln.strip() for ln in texts[name].split("\n")}
                    break
            else:
                return None
        return texts[name]

    # existing (doc, answer) pairs
    reserved = collections.defaultdict(set)
    for path in EXISTING:
        with open(path, encoding="utf-8") as f:
            for raw in f:
                if raw.strip():
                    r = json.loads(raw)
                    for a in r.get("answers") or []:
                        if r.get("doc"):
                            reserved[(r["doc"], a)].add(os.path.basename(path))
    for doc, figures in EXISTING_COMPUTED_INPUTS.items():
        for a in figures:
            reserved[(doc, a)].add("computed input of an existing set")

    seen_ids = set()
    facts = {}
    asked = {}
    summary = {}
    for path, prefix, width in FILES:
        fname = os.path.relpath(path, ROOT)
        rows = read_jsonl(path, fname, errors)
        facts[fname] = collections.defaultdict(list)
        asked[fname] = collections.Counter()
        for n, r in rows:
            where = f"{fname}:{n}"
            if not isinstance(r, dict):
                errors.append(f"{where}: not an object")
                continue
            want = FIELDS | ({"inputs"} if r.get("kind") == "computed" else set())
            if set(r) != want:
                errors.append(f"{where}: fields {sorted(r)} != {sorted(want)}")
                continue
            rid, q, ans, doc, sec, ev, kind, style = (r[k] for k in
                                                      ("id", "question", "answers", "doc", "section",
                                                       "evidence", "kind", "style"))
            where = f"{fname}:{n} ({rid})"
            if not (isinstance(rid, str) and rid.startswith(prefix) and rid[len(prefix):].isdigit()
                    and len(rid) == len(prefix) + width):
                errors.append(f"{where}: id should look like {prefix}{'1'.zfill(width)}")
            if rid in seen_ids:
                errors.append(f"{where}: duplicate id")
            seen_ids.add(rid)
            if not isinstance(q, str) or not q.strip():
                errors.append(f"{where}: empty question")
                continue
            if kind not in KINDS:
                errors.append(f"{where}: unknown kind {kind!r}")
            if not isinstance(style, list) or not all(s in STYLES for s in style) or len(set(style)) != len(style):
                errors.append(f"{where}: bad style {style!r}")
                style = []
            if not isinstance(ans, list) or not all(isinstance(a, str) and a for a in ans):
                errors.append(f"{where}: answers must be a list of non-empty strings")
                continue
            if kind == "unanswerable":
                if ans or doc is not None or sec is not None or ev is not None:
                    errors.append(f"{where}: unanswerable must have answers [] and null doc/section/evidence")
                if "unanswerable" not in style:
                    errors.append(f"{where}: unanswerable without the unanswerable style tag")
                continue
            if not ans:
                errors.append(f"{where}: answerable question without answers")
            if not all(isinstance(x, str) and x for x in (doc, sec, ev)):
                errors.append(f"{where}: doc, section and evidence must be non-empty strings")
                continue
            if not YEAR.search(q):
                errors.append(f"{where}: question names no year")
            text = load_doc(doc)
            if text is None:
                errors.append(f"{where}: doc {doc!r} not found")
                continue
            if ev not in text:
                errors.append(f"{where}: evidence not verbatim in {doc}")
            if sec != sec.strip() or sec not in lines[doc]:
                errors.append(f"{where}: section {sec!r} is not a line of {doc}")
            if kind in ("target",) and "target" not in style:
                errors.append(f"{where}: target question without the target style tag")
            if kind == "computed":
                inputs = r["inputs"]
                if "computed" not in style:
                    errors.append(f"{where}: computed question without the computed style tag")
                if not (isinstance(inputs, list) and len(inputs) == 2 and all(isinstance(x, str) and x for x in inputs)):
                    errors.append(f"{where}: inputs must be two non-empty strings")
                    continue
                for x in inputs:
                    if x not in text:
                        errors.append(f"{where}: input {x!r} not verbatim in {doc}")
                    if x not in ev:
                        errors.append(f"{where}: input {x!r} not in the evidence")
                (a, ua), (b, ub) = number_and_unit(inputs[0]), number_and_unit(inputs[1])
                res, ures = number_and_unit(ans[0]) if ans else (None, None)
                if None in (a, b, res):
                    errors.append(f"{where}: cannot read numbers from inputs/answer")
                else:
                    same_unit = ures == ua == ub or (ua == ub == "%" and ures == "个百分点")
                    if not same_unit:
                        errors.append(f"{where}: units differ: {inputs} -> {ans[0]}")
                    if not (abs(abs(a - b) - res) < 1e-6 or abs(a + b - res) < 1e-6):
                        errors.append(f"{where}: {ans[0]} is neither the difference nor the sum of {inputs}")
                keys = list(ans) + list(inputs)
            else:
                for a in ans:
                    if a not in text:
                        errors.append(f"{where}: answer {a!r} not verbatim in {doc}")
                    elif a not in ev:
                        errors.append(f"{where}: answer {a!r} not in the evidence")
                keys = list(ans)
            for a in keys:
                facts[fname][(doc, a)].append(rid)
            for a in ans:
                asked[fname][(doc, a)] += 1
                if (doc, a) in reserved:
                    errors.append(f"{where}: ({doc}, {a!r}) is already used by {sorted(reserved[(doc, a)])}")
        summary[fname] = [r for _, r in rows if isinstance(r, dict)]

    # 训练题不许换个写法再问评测题的事实：「15000家左右」与「15000家」、「超过200太」与「200太」是同一个数
    train = os.path.relpath(FILES[0][0], ROOT)
    held = collections.defaultdict(set)  # doc -> (answer, where) of every other set
    for (doc, a), where in reserved.items():
        held[doc].update((a, w) for w in where if w != "report_questions.jsonl")  # 生成的题也是训练题
    for fname in facts:
        if fname != train:
            for doc, a in facts[fname]:
                held[doc].add((a, fname))
    for (doc, a), rids in sorted(facts.get(train, {}).items()):
        for other, where in sorted(held[doc]):
            if other != a and same_fact(a, other) and not all((rid, other) in NEAR_MISSES for rid in rids):
                errors.append(f"{train} {rids}: ({doc}, {a!r}) re-asks {other!r} of {where}")

    # 也不许把评测题的答案写进训练题的问句里（「2009年……在浙江省人民大会堂召开，这是第几届？」教的正是评测题的答案）
    for r in summary.get(train, []):
        doc, question = r.get("doc"), r.get("question") or ""
        given = sorted({(a, w) for a, w in held.get(doc, ()) if len(a) >= MIN_GIVEN_CHARS and a in question})
        if given:
            errors.append(f"{train} {r.get('id')}: the question gives away {given}")

    names = list(facts)
    for i, f1 in enumerate(names):
        for f2 in names[i + 1:]:
            for key in sorted(set(facts[f1]) & set(facts[f2])):
                errors.append(f"({key[0]}, {key[1]!r}) appears in both {f1} and {f2}")

    for fname, rows in summary.items():
        print(f"== {fname}: {len(rows)} questions")
        kinds = collections.Counter(r.get("kind") for r in rows)
        styles = collections.Counter(s for r in rows for s in (r.get("style") or []))
        docs = collections.Counter(r.get("doc") or "(unanswerable)" for r in rows)
        print("  per kind:  " + ", ".join(f"{k}={kinds[k]}" for k in sorted(kinds)))
        print("  per style: " + ", ".join(f"{k}={styles[k]}" for k in sorted(styles)))
        print("  (no style tag: %d)" % sum(1 for r in rows if not r.get("style")))
        print("  per doc:   " + ", ".join(f"{d}={docs[d]}" for d in sorted(docs)))
        multi = sum(1 for v in asked[fname].values() if v > 1)
        extra = sum(v - 1 for v in asked[fname].values() if v > 1)
        print(f"  distinct (doc, answer) pairs asked: {len(asked[fname])}; asked more than once: {multi}"
              f" ({extra} questions are rewordings of a fact asked elsewhere in the file)")

    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
