#!/usr/bin/env python3
"""Sanity checker for the government-work-report evaluation sets.

Checks eval/gwr_dev.jsonl, eval/gwr_dev2.jsonl and eval/gwr_test.jsonl against
the report texts:
  * every line is a JSON object with exactly the expected fields and types;
  * ids are unique (across all three files) and use the gd/gt prefix of their
    file (gwr_dev.jsonl and gwr_dev2.jsonl both use gd);
  * kind is one of the allowed kinds;
  * answerable questions: doc exists, every answer string occurs verbatim in
    the doc (except kind "computed"), section is a (stripped) line of the doc;
  * unanswerable questions: answers == [], doc == "", section == "";
  * no (doc, answer) pair is shared between any two of the files (same fact
    in both).
Prints counts per kind and per doc for each file. Exit status 1 on any error.

Usage: python3 eval/check_gwr.py [DATA_DIR]   (default /work/shared/data/gwr,
or the GWR_DATA_DIR environment variable). Standard library only.
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = [("gwr_dev.jsonl", "gd"), ("gwr_test.jsonl", "gt"), ("gwr_dev2.jsonl", "gd")]
FIELDS = {"id", "question", "answers", "doc", "section", "kind"}
KINDS = {"figure", "entity", "date", "list", "paraphrase", "computed", "unanswerable"}


def read_jsonl(path, fname, errors):
    """(line number, row) for each line of a JSONL file; blank lines and bad JSON go to `errors`."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                errors.append(f"{fname}:{n}: blank line")
                continue
            try:
                rows.append((n, json.loads(raw)))
            except json.JSONDecodeError as e:
                errors.append(f"{fname}:{n}: bad JSON: {e}")
    return rows


def main():
    data_dir = (sys.argv[1] if len(sys.argv) > 1
                else os.environ.get("GWR_DATA_DIR", "/work/shared/data/gwr"))
    errors = []
    texts, lines = {}, {}

    def load_doc(name):
        if name not in texts:
            path = os.path.join(data_dir, name)
            if not os.path.isfile(path):
                return None
            with open(path, encoding="utf-8") as f:
                texts[name] = f.read()
            lines[name] = {ln.strip() for ln in texts[name].split("\n")}
        return texts[name]

    seen_ids = set()
    facts = {}  # file -> set of (doc, answer)
    summary = {}
    for fname, prefix in FILES:
        path = os.path.join(HERE, fname)
        rows = read_jsonl(path, fname, errors)
        facts[fname] = set()
        for n, r in rows:
            where = f"{fname}:{n}"
            if not isinstance(r, dict) or set(r) != FIELDS:
                errors.append(f"{where}: fields {sorted(r) if isinstance(r, dict) else type(r)} != {sorted(FIELDS)}")
                continue
            rid, q, ans, doc, sec, kind = (r["id"], r["question"], r["answers"],
                                          r["doc"], r["section"], r["kind"])
            where = f"{fname}:{n} ({rid})"
            if not all(isinstance(x, str) for x in (rid, q, doc, sec, kind)):
                errors.append(f"{where}: id/question/doc/section/kind must be strings")
                continue
            if not isinstance(ans, list) or not all(isinstance(a, str) and a for a in ans):
                errors.append(f"{where}: answers must be a list of non-empty strings")
                continue
            if not (rid.startswith(prefix) and rid[len(prefix):].isdigit() and len(rid) == len(prefix) + 3):
                errors.append(f"{where}: id should look like {prefix}001")
            if rid in seen_ids:
                errors.append(f"{where}: duplicate id")
            seen_ids.add(rid)
            if not q.strip():
                errors.append(f"{where}: empty question")
            if kind not in KINDS:
                errors.append(f"{where}: unknown kind {kind!r}")
            if kind == "unanswerable":
                if ans or doc or sec:
                    errors.append(f"{where}: unanswerable must have answers [], doc '', section ''")
                continue
            if not ans:
                errors.append(f"{where}: answerable question without answers")
            text = load_doc(doc)
            if text is None:
                errors.append(f"{where}: doc {doc!r} not found in {data_dir}")
                continue
            if kind != "computed":
                for a in ans:
                    if a not in text:
                        errors.append(f"{where}: answer {a!r} not verbatim in {doc}")
            if not sec or sec != sec.strip() or sec not in lines[doc]:
                errors.append(f"{where}: section {sec!r} is not a line of {doc}")
            for a in ans:
                facts[fname].add((doc, a))
        summary[fname] = [r for _, r in rows if isinstance(r, dict)]

    names = [fname for fname, _ in FILES]
    for i, f1 in enumerate(names):
        for f2 in names[i + 1:]:
            for doc, a in sorted(facts[f1] & facts[f2]):
                errors.append(f"same answer {a!r} from {doc} in both {f1} and {f2}")

    for fname, rows in summary.items():
        print(f"== {fname}: {len(rows)} questions")
        kinds = collections.Counter(r.get("kind") for r in rows)
        docs = collections.Counter(r.get("doc") or "(unanswerable)" for r in rows)
        print("  per kind: " + ", ".join(f"{k}={kinds[k]}" for k in sorted(kinds)))
        print("  per doc:  " + ", ".join(f"{d}={docs[d]}" for d in sorted(docs)))

    if errors:
        print(f"\nFAIL: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
