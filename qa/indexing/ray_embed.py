"""Passage embedding spread over a Ray cluster: one actor per worker CPU, each holding its own encoder.

`RayEncoder` is an `Encoder`: same `id` and `dim` as `load_encoder(model_name)`, so its vectors go into the same
index and embedding cache as a local build's. Queries are encoded locally; `encode_passages` cuts its texts into
pieces aligned to the local encoder's batches and hands them to whichever actor is free.

`address` is what `ray.init` accepts, plus "local":

- "local": start a private Ray on this machine (CPUs = `workers`, else all), listening on loopback only,
  stopped again by `close()`;
- "auto": the cluster this machine already belongs to (`$RAY_ADDRESS`, else the one `ray start` last started here);
- "host:port": the GCS address of a cluster this machine has joined (`ray start --address host:port`), port 6379
  if left out;
- "ray://host:port": Ray Client, from a machine outside the cluster (needs `ray[client]`), port 10001 if left out.

Every node needs this project and the model installed in the same version (workers import `qa` and load the
model themselves); `id` is checked against each worker's so a mismatch fails at once instead of mixing vectors.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import time
from collections import deque

import numpy as np

# 与本地编码器相同的批大小：分片按它对齐，每个工作进程内部的批与本地构建完全相同，向量逐位一致
from qa.indexing.embed import BATCH_SIZE as LOCAL_BATCH_SIZE
from qa.indexing.embed import EncoderUnavailable, load_encoder, resolve_model_name

LOCAL = "local"
AUTO = "auto"
RAY_CLIENT_PREFIX = "ray://"
# Ray Client 的服务端偶尔起不来它为每个客户端开的进程：这两种报错再试几次
# Ray Client 的代理没能起好为这个客户端开的服务进程（忙的机器上偶尔发生）：过一会儿再连就好。
# 「start_specific_server」出现在代理发回的出错经过里（那个进程刚起就退出、成了僵尸进程）
CLIENT_START_FAILURES = ("Starting Ray client server failed", "Proxy failed to Connect", "start_specific_server")
CLIENT_START_ATTEMPTS = 3
CLIENT_RETRY_SECONDS = 3.0
DEFAULT_GCS_PORT = 6379
DEFAULT_CLIENT_PORT = 10001
CONNECT_TIMEOUT_S = 5.0
# 工作进程要各自加载模型（Sentence-Transformers 模型从磁盘读要一会儿）；集群 CPU 不够时也在这里报错
WORKER_START_TIMEOUT_S = 300.0
CPUS_PER_WORKER = 1
# 一次远程调用编码的段落数：一个本地批。每段要编几十到几百毫秒，调用开销（约 1 毫秒）可忽略；
# 分片小，一次调用快结束时先做完的进程也只空等一小片
PIECE_TEXTS = LOCAL_BATCH_SIZE
# 每个工作进程手上同时排着的分片数：做完一片立刻有下一片，不必等驱动进程回话
PIECES_IN_FLIGHT = 2
# 本机 Ray 的对象存储：只传文本和向量，用不着默认的三成内存
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
# 工作进程意外退出（节点掉线、被杀）时 Ray 重启它并重发分片；编码没有副作用，重做无妨
WORKER_RESTARTS = 2


class RayEncoder:
    """An Encoder whose `encode_passages` runs on a Ray cluster's CPUs; use `close()` or `with` to release it."""

    def __init__(self, model_name: str | None, address: str, workers: int | None = None) -> None:
        address = (address or "").strip()
        if not address:
            raise EncoderUnavailable(
                "没有给出 Ray 地址：本机用 local，已加入的集群用 auto 或 主机:端口，集群外用 ray://主机:10001。"
            )
        if workers is not None and workers < 1:
            raise EncoderUnavailable(f"工作进程数必须至少为 1（收到 {workers}）。")
        self._ray = _import_ray(address)
        self._model_name = resolve_model_name(model_name)
        # 查询只有一两条、要的是快：在本机编码；它也是 id 与 dim 的基准
        self._local = load_encoder(self._model_name)
        self.id, self.dim = self._local.id, self._local.dim
        self._workers: list = []
        self._owns_ray = _connect(self._ray, address, workers)
        try:
            self._workers = self._start_workers(workers)
        except BaseException:
            self.close()
            raise

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._local.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors in input order, computed by the Ray workers piece by piece."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not self._workers:
            raise EncoderUnavailable("RayEncoder 已关闭，不能再编码。")
        ray = self._ray
        waiting = deque(range(0, len(texts), PIECE_TEXTS))
        pending: dict = {}  # ObjectRef -> (工作进程, 分片起点)
        results: dict[int, np.ndarray] = {}

        def submit(worker) -> None:
            start = waiting.popleft()
            pending[worker.encode.remote(texts[start : start + PIECE_TEXTS])] = (worker, start)

        for _ in range(PIECES_IN_FLIGHT):
            for worker in self._workers:
                if waiting:
                    submit(worker)
        while pending:
            (ref,), _ = ray.wait(list(pending), num_returns=1)
            worker, start = pending.pop(ref)
            try:
                results[start] = ray.get(ref)
            except ray.exceptions.RayActorError as error:  # Ray 已按 WORKER_RESTARTS 重启过它，还是不行
                raise EncoderUnavailable(
                    f"Ray 嵌入工作进程中途退出（节点掉线或内存不够？）：{error}。请检查集群后重试。"
                ) from error
            if waiting:
                submit(worker)  # 谁先做完谁领下一片：长短不一的段落也不会让某个进程闲着
        return np.ascontiguousarray(np.vstack([results[start] for start in sorted(results)]), dtype=np.float32)

    def worker_stats(self) -> list[dict]:
        """Per worker: pid, node, threads, and texts, characters and busy seconds so far."""
        return self._ray.get([worker.describe.remote() for worker in self._workers])

    def close(self) -> None:
        """Stop the workers; also stop Ray (or disconnect) if this encoder started the connection."""
        workers, self._workers = self._workers, []
        _kill_all(self._ray, workers)
        if self._owns_ray:
            self._owns_ray = False
            self._ray.shutdown()

    def __enter__(self) -> RayEncoder:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _start_workers(self, workers: int | None) -> list:
        ray = self._ray
        total_cpus = int(ray.cluster_resources().get("CPU", 0))
        count = workers or max(int(ray.available_resources().get("CPU", 0)) // CPUS_PER_WORKER, 1)
        if count * CPUS_PER_WORKER > total_cpus:
            raise EncoderUnavailable(
                f"Ray 集群只有 {total_cpus} 个 CPU，不够 {count} 个嵌入工作进程；请减少工作进程数或给集群加节点。"
            )
        actor_class = ray.remote(_EmbedWorker).options(
            num_cpus=CPUS_PER_WORKER,
            scheduling_strategy="SPREAD",  # 少于 CPU 数时尽量分到不同节点
            max_restarts=WORKER_RESTARTS,
            max_task_retries=WORKER_RESTARTS,
        )
        started = [actor_class.remote(self._model_name, CPUS_PER_WORKER) for _ in range(count)]
        try:
            described = ray.get([worker.describe.remote() for worker in started], timeout=WORKER_START_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError as error:
            _kill_all(ray, started)
            raise EncoderUnavailable(
                f"{count} 个嵌入工作进程没能在 {WORKER_START_TIMEOUT_S:.0f} 秒内启动：集群的空闲 CPU 可能被别的任务占着。"
            ) from error
        except ray.exceptions.RayError as error:
            _kill_all(ray, started)
            raise EncoderUnavailable(
                f"Ray 工作进程加载模型失败：{error}。集群的每个节点都要装好本项目（pip install -e .）和同一版本的模型。"
            ) from error
        foreign = {info["id"] for info in described} - {self.id}
        if foreign:
            _kill_all(ray, started)
            raise EncoderUnavailable(
                f"集群上的模型与本机不同：本机 {self.id}，工作进程 {', '.join(sorted(foreign))}。请在各节点装同一版本，否则向量不能混用。"
            )
        return started


class _EmbedWorker:
    """A Ray actor: loads the encoder once with as many threads as CPUs Ray gave it, then encodes pieces."""

    def __init__(self, model_name: str, threads: int) -> None:
        # 在加载 C 引擎（OpenMP）之前设定线程数：同一台机器上的几个进程各用自己那份 CPU，不互相争抢
        os.environ["OMP_NUM_THREADS"] = str(threads)
        self._encoder = load_encoder(model_name)
        if "torch" in sys.modules:  # Sentence-Transformers 模型走 PyTorch 的线程池
            sys.modules["torch"].set_num_threads(threads)
        self._threads = threads
        self._texts = self._chars = 0
        self._seconds = 0.0

    def encode(self, texts: list[str]) -> np.ndarray:
        began = time.perf_counter()
        vectors = self._encoder.encode_passages(texts)
        self._seconds += time.perf_counter() - began
        self._texts += len(texts)
        self._chars += sum(len(text) for text in texts)
        return vectors

    def describe(self) -> dict:
        import ray

        return {
            "id": self._encoder.id,
            "dim": self._encoder.dim,
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "threads": self._threads,
            "texts": self._texts,
            "chars": self._chars,
            "seconds": self._seconds,
        }


def _import_ray(address: str):
    if address == LOCAL and "ray" not in sys.modules:
        # 本机 Ray 只听回环地址：单机用不着对网络开放（Ray 的端口能执行任意代码）。Ray 在导入时读这个变量
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError as error:
        raise EncoderUnavailable("没有安装 Ray，不能用 --ray：请先 pip install 'ray[client]>=2.60'。") from error
    return ray


def _connect(ray, address: str, workers: int | None) -> bool:
    """Connect this process to Ray; True if it was this call that connected (so close() disconnects)."""
    if ray.is_initialized():
        return False  # 调用方已经连上了 Ray：沿用，关闭时也不替它断开
    # 离线工具：不向外发送 Ray 的使用统计
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    quiet = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address == LOCAL:
        try:
            ray.init(
                address=LOCAL,
                num_cpus=workers or os.cpu_count() or 1,
                include_dashboard=False,
                object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                **quiet,
            )
        except Exception as error:
            raise EncoderUnavailable(f"无法在本机启动 Ray：{error}") from error
        return True
    target = _bootstrap_address(address)
    if target is not None:
        _check_reachable(address, *target)
    try:
        _init_with_retries(ray, _with_port(address, target), quiet)
    except (Exception, SystemExit) as error:  # Ray 连接失败时可能 sys.exit，这里要变成能读懂的错误
        hint = (
            ""
            if os.environ.get("RAY_AUTH_MODE")
            else "；集群若开了令牌认证，请设 RAY_AUTH_MODE=token 并提供令牌（RAY_AUTH_TOKEN 或 ~/.ray/auth_token）"
        )
        raise EncoderUnavailable(f"无法连接 Ray 集群 {address}：{error}{hint}。") from error
    return True


def _init_with_retries(ray, address: str, options: dict) -> None:
    """ray.init, tried again when a Ray Client server fails to start its per-client process (it does now and then
    on a busy machine: 「Starting Ray client server failed」); the half-made connection is shut down between tries."""
    for attempt in range(1, CLIENT_START_ATTEMPTS + 1):
        try:
            ray.init(address=address, **options)
            return
        except (Exception, SystemExit) as error:
            transient = address.startswith(RAY_CLIENT_PREFIX) and any(sign in str(error) for sign in CLIENT_START_FAILURES)
            with contextlib.suppress(Exception):
                ray.shutdown()
            if not transient or attempt == CLIENT_START_ATTEMPTS:
                raise
            time.sleep(CLIENT_RETRY_SECONDS)


def _check_reachable(address: str, host: str, port: int) -> None:
    """Raise EncoderUnavailable unless the port `ray.init(address)` dials first accepts a connection."""
    # 先自己试一下端口：Ray 连不上 GCS 时会卡上几分钟，然后直接退出整个进程
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise EncoderUnavailable(
            f"连不上 Ray 集群 {address}（{host}:{port}：{error}）。请确认集群已用 `ray start --head` 启动、地址和端口无误；"
            f"只在本机用请传 {LOCAL}。"
        ) from error


def _with_port(address: str, target: tuple[str, int] | None) -> str:
    """The address for `ray.init`, with the default port filled in (Ray rejects a bare host)."""
    if target is None or address == AUTO:
        return address
    host, port = target
    host = f"[{host}]" if ":" in host else host
    scheme = RAY_CLIENT_PREFIX if address.startswith(RAY_CLIENT_PREFIX) else ""
    return f"{scheme}{host}:{port}"


def _bootstrap_address(address: str) -> tuple[str, int] | None:
    """The host and port `ray.init(address)` will dial first; None if that cannot be told beforehand."""
    if address.startswith(RAY_CLIENT_PREFIX):
        return _split_host_port(address[len(RAY_CLIENT_PREFIX) :], DEFAULT_CLIENT_PORT)
    if address == AUTO:
        from_env = os.environ.get("RAY_ADDRESS", "").strip()
        if from_env and from_env != AUTO:
            return _bootstrap_address(from_env)
        latest = _latest_local_cluster()
        return _split_host_port(latest, DEFAULT_GCS_PORT) if latest else None
    return _split_host_port(address, DEFAULT_GCS_PORT)


def _latest_local_cluster() -> str | None:
    """The GCS address `ray.init("auto")` would pick on this machine."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:  # Ray 改了内部模块：不预先检查，交给 ray.init
        return None
    try:
        return canonicalize_bootstrap_address(AUTO)
    except ConnectionError as error:
        raise EncoderUnavailable(
            "本机没有正在运行的 Ray 集群（auto 找不到）。请先 `ray start --head` 或 `ray start --address 头节点:6379`，"
            f"或传 {LOCAL} 在本机临时启动一个。"
        ) from error


def _split_host_port(host_port: str, default_port: int) -> tuple[str, int]:
    host_port = host_port.strip()
    host, colon, port = host_port.rpartition(":")
    bare_ipv6 = host_port.count(":") > 1 and "]" not in host_port
    if not colon or "]" in port or bare_ipv6:  # 没写端口
        host, port = host_port, str(default_port)
    host = host.strip("[]") or "127.0.0.1"
    try:
        return host, int(port)
    except ValueError as error:
        raise EncoderUnavailable(f"Ray 地址 {host_port!r} 的端口不是数字：请写成 主机:端口。") from error


def _kill_all(ray, workers: list) -> None:
    for worker in workers:
        try:
            ray.kill(worker, no_restart=True)
        except Exception:  # 集群已经没了：没有要停的
            pass
