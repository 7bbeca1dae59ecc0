"""Fit the learned route's figure ranker: P(this figure answers the question) from named features.

    python training/train_ranker.py            # writes qa/models/figure-ranker.json
    python training/train_ranker.py --limit 50 # a quick run on the first 50 figure questions per split and file

Data: the paragraphs of CMRC 2018 dev-open and DRCD dev, as `benchmarks/mrc_open.py` indexes them (one document per
paragraph, all paragraphs in the index), and only the questions that ask for a figure (a quantity, date, year,
percentage or rank; `qa.reading.intent`). Each question is asked open-domain; every figure in its first five
passages is a candidate with the rules' named features (`qa.reading.answerer.RULE_WEIGHTS`) plus what the reader
makes of it (`reader_margin`, `reader_share`, ...). A candidate is right when it is a gold answer.
- *dev* paragraphs (`qa.mrc.split_of`): fit the weights (logistic regression, one row per candidate) and the
  abstention threshold; each question is asked as is and again with its own paragraph removed from the passages
  (then abstaining is right). Not the *train* paragraphs: the reader was trained on them, so its margins there
  are more sure than on any new text, and a ranker fitted on them would trust the reader too much.
- *test* paragraphs: scored for the model card only, beside the rules' hand-set weights on the same candidates.
The reader must be the shipped one (`qa/models/reader-int8.npz`): its margins are features.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "training"))

from logistic import UNANSWERABLE_SHARE, choose_threshold, fit_logistic  # noqa: E402
from mrc_open import DEFAULT_WORKDIR, index_paragraphs  # noqa: E402

from qa.mrc import load_mrc  # noqa: E402
from qa.pipeline import SEARCH_DEPTH, Pipeline  # noqa: E402
from qa.reading.intent import analyse_question  # noqa: E402
from qa.reading.answerer import rule_score  # noqa: E402
from qa.reading.reader import RANKER_FILE, UNCALIBRATED, Calibration  # noqa: E402
from qa.reading.reader_weights import load_reader, reader_info  # noqa: E402
from qa.scoring import exact_match, normalise_answer  # noqa: E402
from qa.search.retrieve import clean_question, load_index  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "mrc"
FILES = ("cmrc2018_dev_open", "DRCD_dev")


@dataclass
class AskedFigures:
    """One question as asked (with or without its own paragraph) and its figure candidates."""

    split: str
    answerable: bool
    features: list[dict[str, float]]
    right: list[bool]
    vetoed: list[bool]  # 年份、地名、术语的支持检查不过：不会拿来作答


def is_right(figure: str, golds: tuple[str, ...]) -> bool:
    """The figure is a gold answer: equal after CMRC normalisation, or the same digits with one inside the other
    (「3000人」 for the gold 「约3000人」)."""
    if exact_match(figure, golds):
        return True
    mine = normalise_answer(figure)
    for gold in map(normalise_answer, golds):
        if re.sub(r"\D", "", gold) == re.sub(r"\D", "", mine) != "" and (mine in gold or gold in mine):
            return True
    return False


def collect(limit: int | None) -> list[AskedFigures]:
    reader = load_reader()
    asked = []
    for name in FILES:
        paragraphs = load_mrc(DATA / f"{name}.json")
        workdir = DEFAULT_WORKDIR / name
        names, _ = index_paragraphs(paragraphs, workdir)
        answerer = Pipeline(load_index(workdir / "index"), reader, UNCALIBRATED).answerer
        index = answerer.index
        counts = {"train": 0, "dev": 0, "test": 0}
        for paragraph in paragraphs:
            for question in paragraph.questions:
                text = clean_question(question.question)
                intent = analyse_question(text)
                if paragraph.split == "train" or not intent.wants_figure or (limit and counts[paragraph.split] >= limit):
                    continue
                counts[paragraph.split] += 1
                hits = index.search(text, k=SEARCH_DEPTH)
                variants = [(True, hits), (False, [hit for hit in hits if hit.chunk.doc != names[paragraph.id]])]
                for answerable, shown in variants:
                    shown = shown[: answerer.settings.passages]
                    terms = answerer.question_terms(intent)
                    candidates = answerer.figure_candidates(intent, shown, terms, answerer.read_passages(text, shown))
                    asked.append(
                        AskedFigures(
                            paragraph.split,
                            answerable,
                            [dict(c.features) for c in candidates],
                            [answerable and is_right(c.figure.text, question.answers) for c in candidates],
                            [answerer.rules_veto(intent, c, check_score=False) is not None for c in candidates],
                        )
                    )
        print(f"{name}: figure questions per split {counts}", file=sys.stderr, flush=True)
    return asked


def first_supported(asked: AskedFigures, scores: np.ndarray) -> tuple[float, bool]:
    """(score, right) of the best-scored candidate that passes the support checks; (nan, False) if none does."""
    for index in np.argsort(-scores):
        if not asked.vetoed[index]:
            return float(scores[index]), asked.right[index]
    return float("nan"), False


def scores_of(asked: AskedFigures, model: Calibration) -> np.ndarray:
    return np.array([model.probability(row) for row in asked.features])


def top1(asked: list[AskedFigures], score) -> float:
    """Share of answerable questions whose best supported candidate is right."""
    rows = [first_supported(a, score(a))[1] for a in asked if a.answerable]
    return round(float(np.mean(rows)), 3) if rows else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="figure questions per split and file (quick runs)")
    parser.add_argument("--rows", type=Path, default=ROOT / "training" / "checkpoints" / "ranker_rows.json",
                        help="cache of the collected candidates (reused with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="fit from the cached candidates instead of asking again")
    args = parser.parse_args()
    if args.reuse and args.rows.exists():
        asked = [AskedFigures(**row) for row in json.loads(args.rows.read_text(encoding="utf-8"))]
    else:
        asked = collect(args.limit)
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text(json.dumps([a.__dict__ for a in asked], ensure_ascii=False), encoding="utf-8")
    asked = [a for a in asked if a.features]
    names = sorted(asked[0].features[0])
    train = [a for a in asked if a.split == "dev" and a.answerable]
    x = np.array([[row[name] for name in names] for a in train for row in a.features])
    y = np.array([right for a in train for right in a.right], dtype=float)
    weights, bias = fit_logistic(x, y)

    fitted = Calibration(dict(zip(names, map(float, weights))), bias, threshold=0.0)
    dev = [a for a in asked if a.split == "dev"]
    chosen = [first_supported(a, scores_of(a, fitted)) for a in dev]
    threshold, dev_stats = choose_threshold(
        np.array([c[0] for c in chosen]), np.array([c[1] for c in chosen]), np.array([a.answerable for a in dev])
    )

    def learned(a: AskedFigures) -> np.ndarray:
        return scores_of(a, fitted)

    def rules(a: AskedFigures) -> np.ndarray:
        return np.array([rule_score(row) for row in a.features])

    test = [a for a in asked if a.split == "test"]
    test_chosen = [first_supported(a, learned(a)) for a in test]
    answered = [c[0] >= threshold for c in test_chosen]
    scores = {
        "test_questions": sum(a.answerable for a in test),
        "test_top1_learned": top1(test, learned),
        "test_top1_rules_weights": top1(test, rules),
        "test_answered_right": round(float(np.mean([ok and c[1] for ok, c, a in zip(answered, test_chosen, test) if a.answerable])), 3),
        "test_unanswerable_abstained": round(float(np.mean([not ok for ok, a in zip(answered, test) if not a.answerable])), 3),
        "dev": dev_stats,
    }
    ranker = {
        "weights": {name: round(float(w), 5) for name, w in zip(names, weights)},
        "bias": round(bias, 5),
        "threshold": threshold,
        "fitted_on": (
            f"figure questions of the dev paragraphs of {', '.join(FILES)}: {len(train)} questions, {len(y)} candidates, "
            f"{int(y.sum())} right; threshold on {len(dev)} dev askings (unanswerable share {UNANSWERABLE_SHARE})"
        ),
        "reader": reader_info(),
        "scores": scores,
    }
    RANKER_FILE.write_text(json.dumps(ranker, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(ranker, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
