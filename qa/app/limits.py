"""Per-client request rate limits (a token bucket per client), so one busy client cannot take the server."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

# 每个客户端：平均每分钟最多多少次提问/检索，以及一下子最多连发几次（人提问远慢于此；脚本要慢下来）
DEFAULT_PER_MINUTE = 60
DEFAULT_BURST = 10
FORGET_AFTER_SECONDS = 600  # 这么久没来的客户端就不再记着
TOO_FREQUENT = "请求过于频繁，请稍后再试。"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """`allow(client)` is False once the client has used its burst and not waited for it to refill."""

    def __init__(self, per_minute: float = DEFAULT_PER_MINUTE, burst: int = DEFAULT_BURST, clock=time.monotonic):
        self.enabled = per_minute > 0  # 0：不限
        self.per_second = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> RateLimiter:
        """QA_RATE_LIMIT=「每分钟次数[/连发次数]」, e.g. 60/10 (the default); 0 turns the limit off."""
        text = os.environ.get("QA_RATE_LIMIT", "")
        if not text:
            return cls()
        rate, _, burst = text.partition("/")
        try:
            return cls(float(rate), int(burst) if burst else DEFAULT_BURST)
        except ValueError:
            raise ValueError(f"QA_RATE_LIMIT「{text}」应为「每分钟次数[/连发次数]」，例如 60/10；0 表示不限。") from None

    def allow(self, client: str) -> bool:
        if not self.enabled:
            return True
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                bucket = self._buckets[client] = _Bucket(float(self.burst), now)
                self._forget_idle(now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_second)
            bucket.updated = now
            if bucket.tokens < 1.0:
                return False
            bucket.tokens -= 1.0
            return True

    def _forget_idle(self, now: float) -> None:
        idle = [client for client, bucket in self._buckets.items() if now - bucket.updated > FORGET_AFTER_SECONDS]
        for client in idle:
            del self._buckets[client]
