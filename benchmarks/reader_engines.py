"""The span reader's engines, measured on the windows real questions give it: seconds per question, how far each
engine's scores are from PyTorch fp32's, whether the best span stays the same, and peak memory.

    python benchmarks/reader_engines.py [--questions 60] [--threads 2] [--engines numpy,torch-fp32,...]

Readings: the first --questions seed questions (eval/questions.jsonl) asked over the bundled index; what the reader
is handed for each (the question and its top passages) is recorded once and replayed to every engine.

  numpy        `e5_inference.SpanReaderInference` (what `qa ask` uses: no torch import), fp32
  torch-fp32   `e5_model.TorchSpanReader`, fp32
  torch-bf16   the same under bfloat16 autocast (native on CPUs with AVX-512 BF16 or AMX; emulated, and slower,
               elsewhere)
  onnx-fp32    the torch model after the word lookup exported to ONNX, run by ONNX Runtime (needs `pip install
               onnxruntime onnx`)
  onnx-int8    the same, weights quantised to int8 per channel by ONNX Runtime's dynamic quantisation

Per engine, through `NeuralReader.read` (the code that answers): one question at a time (a lone user) and twenty
threads asking at once (twenty users; their windows share `WindowBatcher`'s passes). Agreement: how often the best
span is the one PyTorch fp32 reads, and the largest difference of its score. Each engine runs in its own process (peak
memory is its own). Results in benchmarks/results/reader_engines.json.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qa.lab.paths import RESULTS, ROOT

ENGINES = ("numpy", "torch-fp32", "torch-bf16", "onnx-fp32", "onnx-int8")
TOGETHER = 20  # 一起问的问题数（20 个用户同时提问）


def record_readings(count: int) -> list[tuple[str, list[str]]]:
    """(question, passages) the reader is handed for each of the first `count` seed questions."""
    from qa.evaluate import load_questions
    from qa.pipeline import Pipeline

    pipeline = Pipeline.open(ROOT / "index", engine="torch")
    reader = pipeline.reader
    handed: list[tuple[str, list[str]]] = []
    read = reader.read

    def recording(question, passages, top=5):
        handed.append((question, list(passages)))
        return read(question, passages, top)

    reader.read = recording
    for question in load_questions(ROOT / "eval" / "questions.jsonl")[:count]:
        pipeline.ask(question.question)
    return handed


def engine_reader(name: str, threads: int):
    """A `NeuralReader` running on the engine."""
    from qa.reading.reader_weights import NeuralReader

    if name == "numpy":
        reader = NeuralReader(engine="numpy")
        reader.model.threads = threads
        return reader
    os.environ["QA_READER_PRECISION"] = "bf16" if name == "torch-bf16" else "fp32"
    reader = NeuralReader(engine="torch")
    reader.set_threads(threads)
    if name.startswith("onnx"):
        reader.model = reader.batcher.model = OnnxReader(reader.model, name.endswith("int8"), threads)
    return reader


class OnnxReader:
    """The torch reader's layers and span head exported to ONNX (word vectors still looked up in numpy)."""

    def __init__(self, model, int8: bool, threads: int):
        from torch import nn

        from qa.lab.onnx_export import onnx_session

        class SpanLogits(nn.Module):  # 一个模块（不是函数），导出时它的权重才算参数
            def __init__(self, span_head):
                super().__init__()
                self.span_head = span_head

            def forward(self, states, mask):
                logits = self.span_head(states)
                return logits[..., 0], logits[..., 1]

        self.word = model.model.encoder.word
        self.session = onnx_session(model.model.encoder, SpanLogits(model.model.span_head), ["starts", "ends"], int8, threads)

    def windows(self, id_lists, pad, length=None, threads=None):
        import torch

        from qa.reading.e5_model import batch_tensors

        ids, mask = batch_tensors(id_lists, pad, length)
        with torch.inference_mode():
            words = self.word(ids).numpy()
        starts, ends = self.session.run(["starts", "ends"], {"words": words, "mask": mask.numpy()})
        return starts, ends, mask.numpy()


def engine_child(args) -> None:
    """Time one engine on the recorded readings, alone and twenty at once; save its best spans for the parent."""
    handed = pickle.loads(Path(args.windows).read_bytes())
    reader = engine_reader(args.engine, args.threads)
    reader.read(*handed[0])  # 预热
    started = time.perf_counter()
    readings = [reader.read(question, passages) for question, passages in handed]
    alone_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(TOGETHER) as pool:
        list(pool.map(lambda pair: reader.read(*pair), handed))
    together_seconds = time.perf_counter() - started
    best = [[(s.passage, s.start, s.end, s.score, s.null_score) for s in reading.spans] for reading in readings]
    Path(args.scores).write_bytes(pickle.dumps(best))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"alone_s_per_question": round(alone_seconds / len(handed), 4), "together_s_per_question": round(together_seconds / len(handed), 4), "peak_mb": round(peak)}))


def compare(reference: list, spans: list) -> dict:
    """How often the best span is the same as fp32 PyTorch's, and the largest difference of a best span's score."""
    same = sum(bool(ref) == bool(own) and (not ref or ref[0][:3] == own[0][:3]) for ref, own in zip(reference, spans))
    largest = max((abs(ref[0][3] - own[0][3]) for ref, own in zip(reference, spans) if ref and own and ref[0][:3] == own[0][:3]), default=0.0)
    return {"same_best_span": round(same / max(len(reference), 1), 4), "largest_score_difference": round(float(largest), 5)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--windows", default="", help=argparse.SUPPRESS)
    parser.add_argument("--scores", default="", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine_child(args)
        return
    work = Path(tempfile.mkdtemp(prefix="qa-reader-engines-"))
    handed = record_readings(args.questions)
    windows_file = work / "windows.pkl"
    windows_file.write_bytes(pickle.dumps(handed))
    rows, scores = [], {}
    for name in args.engines.split(","):
        scores_file = work / f"{name}.pkl"
        result = subprocess.run(
            [sys.executable, __file__, "--child", "1", "--engine", name, "--threads", str(args.threads), "--windows", str(windows_file), "--scores", str(scores_file)],
            capture_output=True, text=True,
        )
        if result.returncode:
            row = {"engine": name, "error": (result.stderr.strip().splitlines() or [f"exit {result.returncode}"])[-1]}
        else:
            row = {"engine": name, **json.loads(result.stdout.strip().splitlines()[-1])}
            scores[name] = pickle.loads(scores_file.read_bytes())
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    reference = scores.get("torch-fp32")
    for row in rows:
        if reference is not None and row["engine"] in scores:
            row.update(compare(reference, scores[row["engine"]]))
    from qa.reading.e5_model import native_bfloat16

    report = {
        "questions": len(handed), "threads": args.threads, "cpus": os.cpu_count(),
        "native_bfloat16": native_bfloat16(), "engines": rows,
    }
    (RESULTS / "reader_engines.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
