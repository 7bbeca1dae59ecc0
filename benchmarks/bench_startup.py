"""How long the commands take to start on an index, as a user at a terminal meets them.

    python benchmarks/bench_startup.py [--index DIR] [--corpus DIR] [--runs 5] [--output FILE]

For each command, `--runs` fresh processes: wall time (median and best) and peak RSS (`/usr/bin/time`):
- `qa --help`; `qa search`; `qa ask` (the whole command: start-up and
  one answer);
- `qa ask` split in a child process: imports done, ready to answer (index, encoder, reader and answerer loaded),
  first answer;
- `qa serve` (= python app.py) on an up-to-date index: from the process start until its page answers HTTP 200.
Run it on a quiet machine: timings with other work on the cores say little.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from qa.lab.paths import RESULTS, ROOT

QUESTION = "2007年底杭州因特网注册用户有多少？"
SPLIT_CHILD = """
import sys, time, json
began = time.perf_counter()
from qa.pipeline import Pipeline
imported = time.perf_counter()
pipeline = Pipeline.open(sys.argv[1])
ready = time.perf_counter()
answer = pipeline.ask(sys.argv[2]).answer
answered = time.perf_counter()
print(json.dumps({"imports_s": imported - began, "ready_s": ready - began, "first_answer_s": answered - began}))
"""


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one run."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *command], cwd=ROOT, check=True, capture_output=True)
        wall = time.perf_counter() - started
        return wall, int(report.read().split()[-1]) / 1024


def summary(runs: list[tuple[float, float]]) -> dict:
    walls = [wall for wall, _ in runs]
    return {"median_s": round(statistics.median(walls), 2), "best_s": round(min(walls), 2), "peak_rss_mb": round(max(rss for _, rss in runs))}


def serve_ready(corpus: Path, index: Path) -> float:
    """Seconds from starting `python app.py` until its page answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py", "--corpus", str(corpus), "--index", str(index), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                return time.perf_counter() - started
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("app.py stopped")
                time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS / "startup.json")
    args = parser.parse_args()
    qa = [sys.executable, "-m", "qa"]
    index = str(args.index)
    chunks = sum(1 for path in args.index.glob("segments/*/chunks.jsonl") for _ in path.open(encoding="utf-8"))
    results = {"index": index, "chunks_on_disk": chunks, "runs": args.runs}
    commands = {
        "qa --help": [*qa, "--help"],
        "qa search": [*qa, "search", QUESTION, "--index", index],
        "qa ask": [*qa, "ask", QUESTION, "--index", index],
    }
    for name, command in commands.items():
        timed(command)  # 第一次只热一下磁盘缓存
        results[name] = summary([timed(command) for _ in range(args.runs)])
        print(name, results[name], flush=True)
    splits = [json.loads(subprocess.run([sys.executable, "-c", SPLIT_CHILD, index, QUESTION], cwd=ROOT, check=True, capture_output=True, text=True).stdout) for _ in range(args.runs)]
    results["qa ask split (median s)"] = {key: round(statistics.median(s[key] for s in splits), 2) for key in splits[0]}
    print("qa ask split", results["qa ask split (median s)"], flush=True)
    # 服务在一份副本上启动（它会写回收站、操作记录旁边的文件夹）
    with tempfile.TemporaryDirectory() as folder:
        corpus, copy = Path(folder) / "corpus", Path(folder) / "index"
        shutil.copytree(args.corpus, corpus)
        shutil.copytree(args.index, copy)
        serve_ready(corpus, copy)  # 第一次会补上索引里缺的东西
        walls = [serve_ready(corpus, copy) for _ in range(args.runs)]
    results["qa serve ready"] = {"median_s": round(statistics.median(walls), 2), "best_s": round(min(walls), 2)}
    print("qa serve ready", results["qa serve ready"], flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
