"""Progress of a long stage as people read it: done/total, the rate, the time left."""
from __future__ import annotations

import time
from dataclasses import dataclass

MIN_SECONDS_FOR_RATE = 2.0  # 刚开始几秒的速率不可信，不显示


@dataclass(frozen=True)
class Snapshot:
    stage: str
    done: int
    total: int
    per_second: float | None  # None：还没有可信的速率
    seconds_left: float | None

    def text(self) -> str:
        """「嵌入 1,200/7,000 段（32.5 段/秒，约剩 3 分 0 秒）」"""
        line = f"{self.stage} {self.done:,}/{self.total:,}"
        if self.stage == "嵌入":
            line += " 段"
        if self.per_second is not None and self.done < self.total:
            line += f"（{self.per_second:.1f}/秒，约剩 {duration(self.seconds_left or 0)}）"
        return line


class ProgressMeter:
    """Call it with (stage, done, total) as a build reports; `latest` is what to show. The rate is measured from
    the first report of a stage in this process, so a resumed build shows its own speed, not an average."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._first: dict[str, tuple[float, int]] = {}
        self.latest: Snapshot | None = None

    def __call__(self, stage: str, done: int, total: int) -> Snapshot:
        now = self._clock()
        started, done_then = self._first.setdefault(stage, (now, done))
        elapsed = now - started
        rate = (done - done_then) / elapsed if elapsed >= MIN_SECONDS_FOR_RATE and done > done_then else None
        left = (total - done) / rate if rate else None
        self.latest = Snapshot(stage, done, total, rate, left)
        return self.latest


def duration(seconds: float) -> str:
    """「1 小时 5 分」「3 分 20 秒」「12 秒」"""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    if minutes:
        return f"{minutes} 分 {secs} 秒"
    return f"{secs} 秒"


def vector_status(embedded: int, total: int, latest: Snapshot | None, running: bool, error: str | None) -> str:
    """「向量：1,200/7,000 段（32.5 段/秒，约剩 3 分 0 秒）；……」 while vectors are missing. A rate and the time left
    only from this run's own measured progress (never 「0.0 段/秒，约剩 0 秒」 from a finished or just-started run)."""
    line = f"向量：{embedded:,}/{total:,} 段"
    measured = running and latest is not None and latest.per_second and latest.done < latest.total and latest.seconds_left
    if measured:
        line += f"（{latest.per_second:.2g} 段/秒，约剩 {duration(latest.seconds_left)}）"
    elif running:
        line += "（正在后台计算，速度稍后显示）"
    elif error:
        line += f"（后台计算出错：{error}）"
    else:
        line += "（后台计算已停止，点「重建索引」继续）"
    return line + "；还没有向量的段落暂按关键词检索。"
