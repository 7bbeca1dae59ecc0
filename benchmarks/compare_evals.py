"""Two runs of the same evaluation sets, answer by answer: how many answers changed, how many are right, how the
confidence moved. For a change that should not change answers (an engine, a precision, batching).

    python benchmarks/compare_evals.py BEFORE_DIR AFTER_DIR [--sets seeds,gwr_dev,...] [--label NAME]

Each folder holds `<set>.json` written by `qa eval eval/<set>.jsonl --output <set>.json`. The summary is printed and
added to benchmarks/results/eval_comparisons.json under --label.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.lab.paths import RESULTS

SETS = ("seeds", "gwr_dev", "gwr_dev2", "report_dev", "paraphrase_dev", "gwr_test")


def records(folder: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (folder / f"{name}.json").read_text(encoding="utf-8").splitlines() if line.strip()]


def compare_set(before: list[dict], after: list[dict]) -> dict:
    pairs = list(zip(before, after))
    changed = [b for b, a in pairs if b["answer"] != a["answer"]]
    return {
        "questions": len(pairs),
        "answers_changed": len(changed),
        "changed_ids": [str(b["id"]) for b in changed],
        "right_before": sum(b["answer_correct"] for b, _ in pairs),
        "right_after": sum(a["answer_correct"] for _, a in pairs),
        "span_exact_before": sum(bool(b.get("span_exact")) for b, _ in pairs),
        "span_exact_after": sum(bool(a.get("span_exact")) for _, a in pairs),
        "bands_changed": sum(b["confidence_band"] != a["confidence_band"] for b, a in pairs),
        "largest_confidence_change": round(max((abs((b.get("confidence") or 0) - (a.get("confidence") or 0)) for b, a in pairs), default=0.0), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    summary = {name: compare_set(records(args.before, name), records(args.after, name)) for name in args.sets.split(",")}
    for name, row in summary.items():
        print(f"{name:15} {row['questions']:4} questions  answers changed {row['answers_changed']:3}  right {row['right_before']} -> {row['right_after']}  "
              f"span exact {row['span_exact_before']} -> {row['span_exact_after']}  bands changed {row['bands_changed']}  "
              f"largest confidence change {row['largest_confidence_change']}")
    if args.label:
        path = RESULTS / "eval_comparisons.json"
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        stored[args.label] = summary
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
