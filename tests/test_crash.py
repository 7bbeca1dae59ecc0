"""Twelve SIGKILLs at random moments of a real `qa index` run: every time the index opens and answers, nothing
already on disk is lost, and the run after them computes only the vectors that were never written."""
import json
import random
import shutil
import signal
import subprocess
import time

import pytest

from qa.indexing.embed import load_encoder
from qa.search.retrieve import SearchIndex
from qa.search.stores import FolderStore

from conftest import GWR, ROOT, qa_command, run_qa

KILLS = 12  # 三次杀在读文件、写 BM25 的阶段，九次杀在算向量的时候（批当中或刚写完一批）
SMALL_BATCH = "4"  # 小批次：一次运行能写好几批，杀在批与批之间、批当中都有
REPORTS = ("gwr-2002.txt", "gwr-2013.txt", "gwr-2017.txt")


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


def test_random_kills_during_a_large_build(real_index_copy, encoder, monkeypatch):
    corpus, index = real_index_copy
    for name in REPORTS:
        shutil.copy(GWR / name, corpus / name)
    monkeypatch.setenv("QA_EMBED_BATCH", SMALL_BATCH)
    chance = random.Random(20261126)
    embedded_before = 0
    killed_while_embedding = 0
    for kill in range(KILLS):
        process = subprocess.Popen(qa_command("index", "--corpus", str(corpus), "--index", str(index)), cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        if kill % 4 == 0:  # 四次里一次杀在启动、读文件、写 BM25 的阶段
            time.sleep(chance.uniform(0.2, 2.5))
        else:  # 其余杀在算向量的时候：批当中或刚写完一批
            killed_while_embedding += _wait_for_line(process, "嵌入")
            time.sleep(chance.uniform(0.0, 2.5))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)

        store = FolderStore.open(index)  # 每次都能打开……
        hits = SearchIndex(store, encoder).search("2007年底杭州因特网注册用户有多少？", k=1)
        assert "148.13万户" in hits[0].chunk.text  # ……并回答
        embedded = store.embedding_state().embedded
        assert embedded >= embedded_before  # 已经落盘的向量一条也没丢
        embedded_before = embedded

    store = FolderStore.open(index)
    state = store.embedding_state()
    assert killed_while_embedding >= KILLS // 2 and not state.complete, "杀得太晚：构建在被杀之前就做完了，测试没有测到续算"
    assert {chunk.doc for chunk in store.chunks} >= set(REPORTS)  # 文字早已收进来，关键词能找到
    finished = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert finished["docs_added"] == [] and finished["chunks_embedded"] == state.total - state.embedded
    store = FolderStore.open(index)
    assert store.embedding_state().complete
    hits = SearchIndex(store, encoder).search("2013年政府工作报告里过去五年城镇新增就业多少？", k=3)
    assert any(hit.chunk.doc == "gwr-2013.txt" for hit in hits)
    leftovers = [p.name for p in index.rglob("*") if p.name.startswith(".") or p.name == "batches"]
    assert leftovers == []


def _wait_for_line(process: subprocess.Popen, prefix: str) -> bool:
    """Read the run's progress lines until one starts with `prefix`; False when the run ends first."""
    return any(line.startswith(prefix) for line in process.stderr)
