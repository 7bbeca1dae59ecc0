"""Answers under load: the real web app on the bundled corpus, N concurrent `gradio_client` clients each asking
the same few questions through `/ask` (rate limit off, loopback), for N = 1, 5, 20, 50.

    python benchmarks/bench_load.py [--clients 1,5,20,50] [--questions 5] [--distinct] [--label NAME]

By default every client asks the same five seed questions in turn (as the issue measured it); with --distinct each
client asks its own questions from eval/questions.jsonl (no two alike in a round), so nothing a cache keeps for one
asker helps another. Reports per N: p50 and p95 latency of one answer, answers per second over the whole run, errors, and whether every
answer held its expected figure. Works on copies of corpus/ and index/; results in benchmarks/results/load.json.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from qa.lab.paths import ROOT

RESULTS = ROOT / "benchmarks" / "results" / "load.json"
# 几个有标准答案的种子问题（eval/questions.jsonl 里的）：每个客户端轮流问
QUESTIONS = {
    "2007年底杭州因特网注册用户有多少？": "148.13万户",
    "杭州有多少家上市企业？": "18家",
    "杭州灾备中心的总存储空间是多少？": "200太",
    "杭州全年对几个部门开展了绩效审计？": "6个",
    "2007年底杭州本地电话交换设备容量达到多少？": "614.98万门",
}
START_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(work: Path) -> tuple[subprocess.Popen, str]:
    shutil.copytree(ROOT / "corpus", work / "corpus")
    shutil.copytree(ROOT / "index", work / "index")
    port = free_port()
    env = {**os.environ, "QA_RATE_LIMIT": "0", "QA_ADMIN_PASSWORD": "", "QA_USERS": "", "GRADIO_ANALYTICS_ENABLED": "False"}
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "app.py", "--corpus", str(work / "corpus"), "--index", str(work / "index"), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + START_SECONDS
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            if process.poll() is not None:
                raise SystemExit((work / "server.log").read_text())
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the app did not start")


def seed_questions() -> list[tuple[str, str]]:
    """(question, first gold answer) of every answerable seed question, in file order."""
    from qa.evaluate import load_questions

    return [(q.question, q.answers[0]) for q in load_questions(ROOT / "eval" / "questions.jsonl") if q.answers]


def run_clients(url: str, clients: int, per_client: int, distinct: bool = False) -> dict:
    from gradio_client import Client

    connected = [Client(url, verbose=False) for _ in range(clients)]
    items = seed_questions() if distinct else list(QUESTIONS.items())
    latencies, errors, wrong = [], [], 0

    def ask(number: int) -> list[tuple[float, bool]]:
        out = []
        for turn in range(per_client):
            question, expected = items[(turn * clients + number) % len(items)] if distinct else items[(number + turn) % len(items)]
            started = time.perf_counter()
            try:
                record = connected[number].predict(question, api_name="/ask")
            except Exception as error:  # 任何异常都算错
                errors.append(repr(error))
                continue
            out.append(((time.perf_counter() - started) * 1000, expected in record.get("answer", "")))
        return out

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for results in pool.map(ask, range(clients)):
            for ms, right in results:
                latencies.append(ms)
                wrong += not right
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "clients": clients, "answers": len(latencies), "errors": len(errors), "wrong": wrong,
        "p50_s": round(statistics.median(latencies) / 1000, 2), "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))] / 1000, 2),
        "answers_per_s": round(len(latencies) / seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,5,20,50")
    parser.add_argument("--questions", type=int, default=5, help="questions per client")
    parser.add_argument("--label", default="", help="a name for this run in the results file (e.g. before/after)")
    parser.add_argument("--distinct", action="store_true", help="each client asks its own seed questions (no shared passages)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="qa-bench-load-"))
    process, url = start_app(work)
    try:
        run_clients(url, 1, 2)  # 预热：加载阅读器、第一次检索
        rows = []
        for clients in (int(n) for n in args.clients.split(",")):
            row = run_clients(url, clients, args.questions, args.distinct)
            rows.append(row)
            print(f"{row['clients']:>3} clients: p50 {row['p50_s']:.2f} s  p95 {row['p95_s']:.2f} s  {row['answers_per_s']:.2f} answers/s  errors {row['errors']}  wrong {row['wrong']}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    previous[args.label or time.strftime("%Y-%m-%d %H:%M")] = {"cpus": os.cpu_count(), "distinct": args.distinct, "rows": rows}
    RESULTS.write_text(json.dumps(previous, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
