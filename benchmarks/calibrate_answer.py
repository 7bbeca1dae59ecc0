"""Sweep the rules route's abstention threshold on the development set.

    python benchmarks/calibrate_answer.py [--index index] [--eval eval/questions.jsonl]

Prints answer accuracy, false abstention (answerable questions refused) and abstention recall
(unanswerable questions refused) for each `min_figure_score`.
"""
from __future__ import annotations

import argparse

from qa.evaluate import answer_is_correct, load_questions
from qa.pipeline import SEARCH_DEPTH
from qa.reading.answerer import Answerer, AnswerSettings
from qa.search.retrieve import load_index
from qa.text.synonyms import Thesaurus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", default="index")
    parser.add_argument("--eval", default="eval/questions.jsonl")
    args = parser.parse_args()
    index, questions, thesaurus = load_index(args.index), load_questions(args.eval), Thesaurus()
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    rankings = {q.id: index.search(q.question, k=SEARCH_DEPTH) for q in questions}  # 检索与阈值无关，只做一次
    print(f"{'min_figure_score':>18}{'accuracy':>10}{'false abst.':>13}{'abst. recall':>14}")
    for threshold in (0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
        answerer = Answerer(index, AnswerSettings(min_figure_score=threshold), thesaurus)
        answers = {q.id: answerer.ask(q.question, rankings[q.id]) for q in questions}
        accuracy = sum(answer_is_correct(answers[q.id], q) for q in answerable) / len(answerable)
        false_abstention = sum(answers[q.id].abstained for q in answerable) / len(answerable)
        recall = sum(answers[q.id].abstained for q in unanswerable) / max(len(unanswerable), 1)
        print(f"{threshold:>18}{accuracy:>10.3f}{false_abstention:>13.3f}{recall:>14.3f}")


if __name__ == "__main__":
    main()
