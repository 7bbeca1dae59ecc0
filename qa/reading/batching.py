"""The reader's windows from every question being answered at once, in shared forward passes.

Questions asked together (several people on one web app) hand their windows to the batcher. It takes what has
gathered (waiting a few milliseconds for more, at most `MAX_REQUESTS` questions) and gives it to a free worker (one
per core), which sorts the windows into batches of one padded length and runs them; meanwhile the next questions'
windows gather for the next free worker. A lone question runs on every core; while others run or wait, each pass
runs on one core: a pass on two cores spends a third of its CPU time waiting for the slower core (0.37 CPU seconds
per question against 0.27 on one), time the other questions need.

A window is always padded to its length bucket (the next multiple of `LENGTH_STEP` tokens), whoever it shares a
batch with: a row's scores do not depend on the other rows of a batch of one shape (tested), so a question gets the
same scores, and the same answer, alone or among twenty.
"""
from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

LENGTH_STEP = 32  # 窗口补齐到 32 的倍数：同一档长度的窗口才能同批，补齐平均只多 16 个词元
BATCH_TOKENS = 4096  # 一批最多多少词元（含补齐）：256 个词元的窗口一批 16 个
GATHER_SECONDS = 0.003  # 第一个问题到了以后再等多久，让同时提的问题赶上同一批
MAX_REQUESTS = 4  # 一个工作线程一次最多拿几个问题：其余的留给别的核


class WindowModel(Protocol):
    def windows(
        self, id_lists: list[list[int]], pad: int, length: int | None = None, threads: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ...


@dataclass
class _Request:
    id_lists: list[list[int]]
    result: Future = field(default_factory=Future)


def bucket_length(tokens: int) -> int:
    """The padded length of a window of `tokens` tokens: the next multiple of LENGTH_STEP."""
    return -(-tokens // LENGTH_STEP) * LENGTH_STEP


class WindowBatcher:
    """`windows(id_lists)` -> start scores, end scores and mask [windows, longest], as the model's own `windows`,
    computed in batches shared with the other questions asked at the same time."""

    def __init__(self, model: WindowModel, pad: int, workers: int = 1, gather_seconds: float = GATHER_SECONDS):
        self.model = model
        self.pad = pad
        self.workers = max(1, workers)
        self.gather_seconds = gather_seconds
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._started: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)  # 有工作线程空下来了
        self._idle = set(range(self.workers))
        self._tasks: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(self.workers)]
        self.batches = 0  # 跑了几批（测试与基准看合批是否发生）

    def windows(self, id_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        request = _Request(id_lists)
        self._start()
        self._queue.put(request)
        return request.result.result()

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            # 守护线程：进程结束时不必等它们
            threads = [threading.Thread(target=self._dispatch, name="reader-dispatch", daemon=True)]
            threads += [threading.Thread(target=self._work, args=(n,), name=f"reader-{n}", daemon=True) for n in range(self.workers)]
            for thread in threads:
                thread.start()
            self._started = threads

    def _dispatch(self) -> None:
        """Gather questions and hand them to a free worker: a lone question to the first worker on every core (always
        the same thread: its OpenMP threads stay warm; alternating threads made a question 0.22 s -> 0.28 s), and
        while other questions run or wait, to any free worker on one core."""
        while True:
            requests = self._gather()
            with self._freed:
                while not self._idle:
                    self._freed.wait()
                alone = len(self._idle) == self.workers
                worker = min(self._idle)
                self._idle.discard(worker)
            while len(requests) < MAX_REQUESTS:  # 等空闲工作线程时又来了的，一起跑
                try:
                    requests.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            lone = alone and len(requests) == 1 and self._queue.empty()
            self._tasks[worker].put((requests, None if lone else 1))

    def _work(self, number: int) -> None:
        while True:
            requests, threads = self._tasks[number].get()
            try:
                self._answer(requests, threads)
            finally:
                with self._freed:
                    self._idle.add(number)
                    self._freed.notify()

    def _answer(self, requests: list[_Request], threads: int | None) -> None:
        try:
            results = self.run([request.id_lists for request in requests], threads)
        except BaseException as error:  # 模型出错：每个等着的问题都拿到这个错误，线程接着服务
            for request in requests:
                request.result.set_exception(error)
            return
        for request, result in zip(requests, results):
            request.result.set_result(result)

    def _gather(self) -> list[_Request]:
        """The next question, and those that come within `gather_seconds` or are already waiting (MAX_REQUESTS)."""
        requests = [self._queue.get()]
        deadline = time.monotonic() + self.gather_seconds
        while len(requests) < MAX_REQUESTS:
            try:
                left = deadline - time.monotonic()
                requests.append(self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait())
            except queue.Empty:
                break
        return requests

    def run(self, requests: list[list[list[int]]], threads: int | None = None) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Every request's windows (each request a list of windows' ids), batched by length bucket; each request's
        scores cut back to its own longest window. `threads`: at most this many cores for each pass (None: the
        model's own setting)."""
        by_length: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for r, id_lists in enumerate(requests):
            for w, ids in enumerate(id_lists):
                by_length[bucket_length(len(ids))].append((r, w))
        longest = [max(len(ids) for ids in id_lists) for id_lists in requests]
        starts = [np.zeros((len(id_lists), longest[r]), dtype=np.float32) for r, id_lists in enumerate(requests)]
        ends = [np.zeros_like(s) for s in starts]
        masks = [np.zeros(s.shape, dtype=np.int64) for s in starts]
        for length, members in sorted(by_length.items()):
            per_batch = max(1, BATCH_TOKENS // length)
            for first in range(0, len(members), per_batch):
                batch = members[first : first + per_batch]
                batch_starts, batch_ends, batch_mask = self.model.windows([requests[r][w] for r, w in batch], self.pad, length, threads)
                with self._lock:  # 几个工作线程都在数
                    self.batches += 1
                for row, (r, w) in enumerate(batch):
                    width = min(longest[r], length)  # 比本题最长窗口短的位置留作填充（掩码为 0）
                    starts[r][w, :width] = batch_starts[row, :width]
                    ends[r][w, :width] = batch_ends[row, :width]
                    masks[r][w, :width] = batch_mask[row, :width]
        return list(zip(starts, ends, masks))
