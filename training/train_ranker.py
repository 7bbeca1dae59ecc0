"""Fit the learned route's figure ranker: which of a question's figures answers it, or none, from named features.

    python training/train_ranker.py            # writes qa/models/figure-ranker.json
    python training/train_ranker.py --limit 50 # a quick run on the first 50 figure questions per split and file
    python training/train_ranker.py --reader NEW.npz --output NEW-ranker.json --rows NEW-rows.json
                                               # for a candidate reader, before it replaces the shipped one

Data: the paragraphs of CMRC 2018 dev-open and DRCD dev, as `benchmarks/mrc_open.py` indexes them (one document per
paragraph, all paragraphs in the index), and only the questions that ask for a figure (a quantity, date, year,
percentage or rank; `qa.reading.intent`). Each question is asked open-domain; every figure in its first five
passages is a candidate with its named features (`qa.reading.candidates`: wording and overlap), the evidence
(`qa.reading.evidence`: is the asked year, place, named term in its passage) and what the reader makes of it
(`reader_margin`, `reader_share`, ...). A candidate is right when it is a gold answer. Candidates that a hard veto
rules out (their own clause names another year or place, a plan for a result, ...) are left out.
- *dev* paragraphs (`qa.mrc.split_of`): fit the weights and the abstention threshold. The model is a conditional
  logit (`qa.reading.reader.FigureRanker`): a softmax over the candidates that pass the support checks and a
  「none of them」 option, fitted on every asking (`logistic.fit_choice`); then its confidence, a logistic model over
  how the chosen candidate stands (odds against 「none」, share, lead), fitted on the same askings (`fit_logistic`); each question is asked as is and again with its own paragraph removed from the passages
  (then abstaining is right). Not the *train* paragraphs: the reader was trained on them, so its margins there
  are more sure than on any new text, and a ranker fitted on them would trust the reader too much.
- report questions, over an index of the seven reports in ../shared/data/gwr/ and the seeds (`--reports-index`): the
  figure questions of eval/gwr_dev.jsonl (gwr_test stays held out), those that training/report_questions.py
  generates from report sentences that no evaluation question asks about, and the helper-written
  training/data/report_train.jsonl (colloquial rewordings, Chinese-numeral and full-width figures, 去年/上年, targets,
  unanswerable ones; its facts are not those of eval/report_dev.jsonl); fitted with the dev paragraphs.
- the threshold that abstains, and above it the threshold of the 「high」 band: the lowest confidence from which at
  most 3 % of the answers given on the report askings among them are wrong, and at every higher confidence with at
  least 20 answers too (`logistic.choose_high_threshold`); the MRC askings' share of wrong answers there is recorded.
- contrast askings (`contrast_questions`): the answerable training questions asked again about a place or a year the
  reports do not answer for; 「none」 is right. They teach the evidence features their weight.
- *test* paragraphs: scored for the model card only.
The reader must be the shipped one (`qa/models/reader-int8.npz`): its margins are features.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.lab.logistic import UNANSWERABLE_SHARE, Choice, choose_threshold, fit_choice, fit_logistic_nonpositive, high_band_by_group
from qa.lab.mrc_corpus import DEFAULT_WORKDIR, index_paragraphs
from qa.lab.paths import ROOT, MRC as DATA, REPORTS_INDEX
from qa.lab.report_split import questions_for_fits
from qa.mrc import load_mrc
from qa.pipeline import SEARCH_DEPTH, Pipeline
from qa.reading.evidence import EVIDENCE_FEATURES
from qa.reading.intent import analyse_question
from qa.reading.ranking import QUESTION_FEATURES, RANKER_FILE, UNCALIBRATED, Calibration, FigureRanker
from qa.reading.reader_weights import READER_WEIGHTS, load_reader, reader_info
from qa.scoring import exact_match, normalise_answer
from qa.search.retrieve import clean_question, load_index
from qa.text.figures import find_figures
from qa.text.script import to_half_width
from qa.text.time import named_document_years

FILES = ("cmrc2018_dev_open", "DRCD_dev")
# 报告上的数字题，及其行缓存的后缀：开发集的手写题（gwr_test 留作评测），和 training/report_questions.py 生成的题
REPORT_QUESTIONS = {
    "reports_dev": (ROOT / "eval" / "gwr_dev.jsonl", "_reports"),
    "reports_generated": (ROOT / "training" / "data" / "report_questions.jsonl", "_generated"),
    "reports_train": (ROOT / "training" / "data" / "report_train.jsonl", "_train"),
}
# 反事实的提问（--contrast 的数据）：训练题换成语料里没有的地方或年份再问一遍，此时「都不是」才对。
# 证据特征（段落没提到问的地方、年份）要从这样的题里学到它的分量：MRC 题和报告训练题里这种情形太少
CONTRAST_SOURCES = (REPORT_QUESTIONS["reports_generated"][0], REPORT_QUESTIONS["reports_train"][0])
CONTRAST_YEARS = tuple(range(1961, 1976)) + tuple(range(2041, 2048))  # 七篇报告与种子文档都不谈的年份（逐个核对过语料）
OPTIONAL_FEATURES = ("passage_similarity",)  # 候选有时没有的特征：拟合数据里的平均值存进模型，缺时顶上
FIT_SPLITS = ("dev", *REPORT_QUESTIONS, "reports_contrast")
# 只能说明候选不对的特征，拟合时权重不许为正（不然单位不合的数在个别数据上也会加分：v2b 的 person_unit_mismatch +0.17）
AGAINST_FEATURES = (*EVIDENCE_FEATURES, "unit_mismatch", "person_unit_mismatch")


@dataclass
class AskedFigures:
    """One question as asked (with or without its own paragraph) and its figure candidates."""

    split: str
    answerable: bool
    features: list[dict[str, float]]
    right: list[bool]
    vetoed: list[bool]  # 自己的分句排除了它（qa.reading.evidence 的硬否决）：不会拿来作答
    places: list[str] = field(default_factory=list)  # 数写在哪（文档@偏移）：重叠的两段里的同一处是一个答案的两份


def is_right(figure: str, golds: tuple[str, ...]) -> bool:
    """The figure is a gold answer: equal after CMRC normalisation, or the same digits with one inside the other
    (「3000人」 for the gold 「约3000人」), or the same value written in Chinese numerals with only words around it
    (「十亿人」 for the gold 「十亿人民」, but not 「一九八三年」 for 「一九八三年六月」)."""
    figure, golds = to_half_width(figure), tuple(map(to_half_width, golds))
    if exact_match(figure, golds):
        return True
    mine = normalise_answer(figure)
    for gold in map(normalise_answer, golds):
        if re.sub(r"\D", "", gold) == re.sub(r"\D", "", mine) != "" and (mine in gold or gold in mine):
            return True
        if _same_figure_in_words(mine, gold):
            return True
    return False


# 数字的写法（阿拉伯数字和汉字数字）：金标准在同一个数外面多出来的字里不能再有数
_NUMERAL = re.compile(r"[0-9〇零一二两三四五六七八九十百千万亿]")


def _same_figure_in_words(mine: str, gold: str) -> bool:
    """One text holds the other, both are one figure of the same value and kind, and what the longer adds is words."""
    shorter, longer = sorted((mine, gold), key=len)
    if not shorter or shorter not in longer:
        return False
    figures = [find_figures(text) for text in (shorter, longer)]
    if any(len(found) != 1 for found in figures):
        return False
    (short_figure,), (long_figure,) = figures
    if (short_figure.value, short_figure.kind) != (long_figure.value, long_figure.kind):
        return False
    return not _NUMERAL.search(longer.replace(shorter, "", 1))


def ask_figures(answerer, question: str, golds: tuple[str, ...], hits, split: str, answerable: bool) -> AskedFigures:
    """One asking: the figure candidates of the passages shown, which are right, which a veto rules out."""
    intent = analyse_question(question)
    shown = hits[: answerer.settings.passages]
    terms = answerer.question_terms(intent)
    candidates, vetoes = answerer.figure_candidates(intent, shown, terms, answerer.read_passages(question, shown))
    return AskedFigures(
        split,
        answerable,
        [dict(c.features) for c in candidates],
        [answerable and is_right(c.figure.text, golds) for c in candidates],
        [veto is not None for veto in vetoes],
        [c.place for c in candidates],
    )


def collect_reports(index_dir: Path, reader, questions_file: Path, split: str, held_out: bool = False) -> list[AskedFigures]:
    """The figure questions of a report question file (`held_out`: see `report_split.questions_for_fits`) over an
    index of the seven reports and the seeds, asked as the pipeline asks them: answerable ones also without their
    report's passages, unanswerable ones as they are."""
    answerer = Pipeline(load_index(index_dir), reader, UNCALIBRATED).answerer
    asked = []
    for question in questions_for_fits(questions_file, held_out):
        text = clean_question(question.question)
        if question.kind == "computed" or not analyse_question(text).wants_figure:
            continue
        hits = answerer.retrieve(text, SEARCH_DEPTH)
        asked.append(ask_figures(answerer, text, question.answers, hits, split, question.answerable))
        if question.answerable and question.doc:
            without = [hit for hit in hits if hit.chunk.doc != question.doc]
            asked.append(ask_figures(answerer, text, question.answers, without, split, False))
    print(f"reports: {len(asked)} askings from {questions_file.name}", file=sys.stderr, flush=True)
    return asked


def contrast_questions(questions, corpus: str) -> list[str]:
    """The answerable figure questions asked about a place, or a year, that the corpus does not answer for: the first
    place they name swapped for a prefecture-level city absent from the corpus and, again, for a place the corpus
    names only in passing (「位居北京、上海之后」: another place than the one asked, none of whose figures the reports
    give); their first year for a year the corpus never names."""
    from qa.text.places import LEXICON_PATH, find_places

    cities = [
        line.split("\t")[0][:-1]
        for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines()
        if line.endswith("\tcity") and line.split("\t")[0].endswith("市") and len(line.split("\t")[0]) == 3
    ]
    absent_cities = [city for city in cities if city not in corpus]
    absent_years = [year for year in CONTRAST_YEARS if str(year) not in corpus and to_chinese_year(year) not in corpus]
    named = sorted({place.name for place in find_places(corpus)} - {place.name for q in questions for place in find_places(q.question)})
    asked = []
    for number, question in enumerate(questions):
        text = clean_question(question.question)
        intent = analyse_question(text)
        if not question.answerable or question.kind == "computed" or not intent.wants_figure:
            continue
        places = find_places(text)
        if places:
            city = absent_cities[number % len(absent_cities)]
            asked.append(text[: places[0].start] + city + text[places[0].end :])
            passing = named[number % len(named)]
            asked.append(text[: places[0].start] + passing + text[places[0].end :])
        asked_years = [year for year in intent.years if int(year) not in named_document_years(text)]  # 「据2002年政府工作报告」不换
        if asked_years:
            year = absent_years[number % len(absent_years)]
            asked.append(re.sub(rf"{asked_years[0]}(?=年)", str(year), text, count=1))
    return asked


def to_chinese_year(year: int) -> str:
    """「一九六五」: how older reports write a year."""
    return "".join("〇一二三四五六七八九"[int(digit)] for digit in str(year))


def collect_contrast(index_dir: Path, reader, held_out: bool = False) -> list[AskedFigures]:
    """The contrast askings (`contrast_questions`) over the reports index; every one is unanswerable. `held_out`: of
    report_train.jsonl only the questions its stage two left out (the reader has read the others, and favours their
    answer even when the question is changed)."""
    answerer = Pipeline(load_index(index_dir), reader, UNCALIBRATED).answerer
    corpus = "\n".join(chunk.context_text() for chunk in answerer.index.chunks)
    questions = [q for path in CONTRAST_SOURCES for q in questions_for_fits(path, held_out)]
    asked = []
    for text in contrast_questions(questions, corpus):
        hits = answerer.retrieve(text, SEARCH_DEPTH)
        asked.append(ask_figures(answerer, text, (), hits, "reports_contrast", False))
    print(f"contrast: {len(asked)} askings", file=sys.stderr, flush=True)
    return asked


def collect(limit: int | None, reader) -> list[AskedFigures]:
    asked = []
    for name in FILES:
        paragraphs = load_mrc(DATA / f"{name}.json")
        workdir = DEFAULT_WORKDIR / name
        names, _ = index_paragraphs(paragraphs, workdir)
        answerer = Pipeline(load_index(workdir / "index"), reader, UNCALIBRATED).answerer
        counts = {"train": 0, "dev": 0, "test": 0}
        for paragraph in paragraphs:
            for question in paragraph.questions:
                text = clean_question(question.question)
                intent = analyse_question(text)
                if paragraph.split == "train" or not intent.wants_figure or (limit and counts[paragraph.split] >= limit):
                    continue
                counts[paragraph.split] += 1
                hits = answerer.retrieve(text, SEARCH_DEPTH)
                without = [hit for hit in hits if hit.chunk.doc != names[paragraph.id]]
                asked.append(ask_figures(answerer, text, question.answers, hits, paragraph.split, True))
                asked.append(ask_figures(answerer, text, question.answers, without, paragraph.split, False))
        print(f"{name}: figure questions per split {counts}", file=sys.stderr, flush=True)
    return asked


def supported_rows(asked: AskedFigures, ranker: FigureRanker | None = None) -> tuple[list[dict[str, float]], list[bool]]:
    """The candidates that pass the support checks (the only ones the ranker chooses among) and which are right; with
    a `ranker`, one copy per place a figure is written, as answers are judged (`FigureRanker.distinct`)."""
    keep = [i for i, vetoed in enumerate(asked.vetoed) if not vetoed]
    if ranker is not None and asked.places:
        keep = [keep[i] for i in ranker.distinct(ranker.scores([asked.features[i] for i in keep]), [asked.places[i] for i in keep])]
    return [asked.features[i] for i in keep], [asked.right[i] for i in keep]


def best_of(asked: AskedFigures, rank, confidence=None, ranker: FigureRanker | None = None) -> tuple[float, bool]:
    """(confidence, right) of the supported candidate that `rank` puts first; (nan, False) if none is supported.
    Without `confidence`, the rank score stands for it; `ranker` judges on one copy per place (`supported_rows`)."""
    rows, right = supported_rows(asked, ranker)
    if not rows:
        return float("nan"), False
    best = int(np.argmax(rank(rows)))
    return float((confidence or rank)(rows)[best]), right[best]


def top1(asked: list[AskedFigures], score) -> float:
    """Share of answerable questions whose best supported candidate is right."""
    rows = [best_of(a, score)[1] for a in asked if a.answerable]
    return round(float(np.mean(rows)), 3) if rows else 0.0


def cached_or(rows: Path, reuse: bool, collect_rows) -> list[AskedFigures]:
    """The askings cached in `rows` when reusing, else collected afresh and cached there."""
    if reuse and rows.exists():
        return [AskedFigures(**row) for row in json.loads(rows.read_text(encoding="utf-8"))]
    asked = collect_rows()
    rows.parent.mkdir(parents=True, exist_ok=True)
    rows.write_text(json.dumps([a.__dict__ for a in asked], ensure_ascii=False), encoding="utf-8")
    return asked


def _high_wrong(chosen: list[tuple[float, bool]], asked: list[AskedFigures], high_threshold: float) -> float | None:
    """Share of the answers in the 「high」 band that are wrong (answering an unanswerable asking is wrong)."""
    high = [right and a.answerable for (confidence, right), a in zip(chosen, asked) if confidence >= high_threshold]
    return round(1 - float(np.mean(high)), 3) if high else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="figure questions per split and file (quick runs)")
    parser.add_argument("--rows", type=Path, default=ROOT / "training" / "checkpoints" / "ranker_rows.json",
                        help="cache of the collected candidates (reused with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="fit from the cached candidates instead of asking again")
    parser.add_argument("--reader", type=Path, default=READER_WEIGHTS, help="reader weights (default: the shipped ones)")
    parser.add_argument("--output", type=Path, default=RANKER_FILE, help="where the fitted ranker goes")
    parser.add_argument("--reports-index", type=Path, default=REPORTS_INDEX,
                        help="index of ../shared/data/gwr/*.txt + ../shared/seeds/*.txt (see benchmarks/reader_report.sh)")
    parser.add_argument("--held-out-reports", action="store_true",
                        help="of report_train.jsonl, fit on the questions the reader's stage two left out only "
                             "(it was trained with --held-out-reports; qa/lab/report_split.py)")
    parser.add_argument("--leave-out", nargs="*", default=(), choices=FIT_SPLITS,
                        help="fit without these splits (reports_train when the reader was fine-tuned on it)")
    args = parser.parse_args()
    reader = load_reader(args.reader)
    asked = cached_or(args.rows, args.reuse, lambda: collect(args.limit, reader))
    for split, (questions_file, suffix) in REPORT_QUESTIONS.items():
        rows = args.rows.with_name(args.rows.stem + suffix + ".json")
        asked += cached_or(rows, args.reuse, lambda: collect_reports(args.reports_index, reader, questions_file, split, args.held_out_reports))
    contrast_rows = args.rows.with_name(args.rows.stem + "_contrast.json")
    asked += cached_or(contrast_rows, args.reuse, lambda: collect_contrast(args.reports_index, reader, args.held_out_reports))
    asked = [a for a in asked if a.features]
    names = sorted(set(asked[0].features[0]) - set(QUESTION_FEATURES))
    # 读者在第二阶段读过这些题（--reports）时，它们的读者特征比新题上的好看：拟合可以不用它们
    dev = [a for a in asked if a.split in FIT_SPLITS and a.split not in args.leave_out]
    choices = []
    for a in dev:
        rows, right = supported_rows(a)
        choices.append(
            Choice(
                np.array([[row[name] for name in names] for row in rows]).reshape(len(rows), len(names)),
                np.array(right, dtype=bool),
                np.array([a.features[0][name] for name in QUESTION_FEATURES]),
            )
        )
    # 证据特征（段落没提到问的年份、地方……）和单位不合只能减分
    weights, null_weights, null_bias = fit_choice(choices, nonpositive=tuple(i for i, name in enumerate(names) if name in AGAINST_FEATURES))
    chooser = FigureRanker(
        dict(zip(names, map(float, weights))), dict(zip(QUESTION_FEATURES, map(float, null_weights))), null_bias, UNCALIBRATED
    )
    # 置信度：每次提问里被选中的那个候选（分数最高）的选择特征 → 它对不对
    standing, right_top = [], []
    for a in dev:
        rows, right = supported_rows(a, chooser)
        if rows:
            best = int(np.argmax(chooser.scores(rows)))
            standing.append(chooser.choice_features(rows)[best])
            right_top.append(right[best])
    standing_names = sorted(standing[0])
    confidence_weights, confidence_bias = fit_logistic_nonpositive(
        np.array([[row[name] for name in standing_names] for row in standing]),
        np.array(right_top, dtype=float),
        tuple(i for i, name in enumerate(standing_names) if name in EVIDENCE_FEATURES),
    )
    fitted = FigureRanker(
        chooser.weights,
        chooser.null_weights,
        null_bias,
        Calibration(dict(zip(standing_names, map(float, confidence_weights))), confidence_bias, 0.0),
    )

    def learned(rows: list[dict[str, float]]) -> np.ndarray:
        return np.array(fitted.scores(rows))

    def sure(rows: list[dict[str, float]]) -> np.ndarray:
        return np.array(fitted.probabilities(rows))

    chosen = [best_of(a, learned, sure, fitted) for a in dev]
    dev_confidence, dev_right = np.array([c[0] for c in chosen]), np.array([c[1] for c in chosen])
    dev_answerable = np.array([a.answerable for a in dev])
    threshold, dev_stats = choose_threshold(dev_confidence, dev_right, dev_answerable)
    # 「把握高」一档的门槛按报告题定（产品答的是报告）；百科题在这个门槛上的错答比例一并记下
    reports = np.array([a.split != "dev" for a in dev])
    high_threshold, high_stats = high_band_by_group(dev_confidence, dev_right, dev_answerable, threshold, reports)
    dev_stats |= high_stats
    test = [a for a in asked if a.split == "test"]
    test_chosen = [best_of(a, learned, sure, fitted) for a in test]
    answered = [c[0] >= threshold for c in test_chosen]
    scores = {
        "test_questions": sum(a.answerable for a in test),
        "test_top1_learned": top1(test, learned),
        "test_high_wrong": _high_wrong(test_chosen, test, high_threshold),
        "test_answered_right": round(float(np.mean([ok and c[1] for ok, c, a in zip(answered, test_chosen, test) if a.answerable])), 3),
        "test_unanswerable_abstained": round(float(np.mean([not ok for ok, a in zip(answered, test) if not a.answerable])), 3),
        "dev": dev_stats,
    }
    candidates = sum(len(c.right) for c in choices)
    ranker = {
        "model": "conditional logit: softmax over the supported figure candidates and 「none of them」",
        "weights": {name: round(float(w), 5) for name, w in zip(names, weights)},
        "null_weights": {name: round(float(w), 5) for name, w in zip(QUESTION_FEATURES, null_weights)},
        "null_bias": round(null_bias, 5),
        # 检索不给向量分时（只用 BM25）用的平均值
        "defaults": {name: round(float(np.mean([row[name] for a in dev for row in a.features if name in row])), 5) for name in OPTIONAL_FEATURES},
        "confidence": {
            "weights": {name: round(float(w), 5) for name, w in zip(standing_names, confidence_weights)},
            "bias": round(float(confidence_bias), 5),
            "threshold": threshold,
            "high_threshold": high_threshold,
        },
        "fitted_on": (
            f"figure questions of the dev paragraphs of {', '.join(FILES)} and of "
            f"{', '.join(path.name for split, (path, _) in REPORT_QUESTIONS.items() if split not in args.leave_out)}, "
            f"and the contrast askings: "
            f"{len(dev)} askings ({sum(a.split != 'dev' for a in dev)} of reports, "
            f"{sum(a.split == 'reports_contrast' for a in dev)} of them contrast askings; "
            f"{sum(a.answerable for a in dev)} answerable), {candidates} supported candidates, "
            f"{int(sum(c.right.sum() for c in choices))} right (unanswerable share {UNANSWERABLE_SHARE} for the threshold)"
        ),
        "reader": reader_info(args.reader),
        "scores": scores,
    }
    args.output.write_text(json.dumps(ranker, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(ranker, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
