"""The real `qa` CLI on the real corpus with the real bundled encoder."""
import json
import signal
import subprocess
from pathlib import Path

from qa.search.stores import FolderStore

from conftest import ROOT, qa_command, run_qa

NEW_TEXT = (
    "滨海市数字经济简报\n"
    "【数据中心】 全市建成数据中心12个，机架总数3.6万个，比上年增加0.8万个。\n"
    "【人才】 新引进信息技术人才5200人，其中博士310人。\n"
)


def test_search_json_puts_the_figure_passage_first(real_seed_index: Path):
    result = run_qa("search", "杭州因特网注册用户有多少？", "--index", str(real_seed_index), "--json")
    record = json.loads(result.stdout)
    first = record["hits"][0]
    assert "148.13万户" in first["text"]
    assert first["section"][-1] == "信息基础设施建设全国领先"
    assert first["doc"] == "000_7c521dbcc8602230.txt"
    assert first["rank"] == 1 and first["chunk_id"] and first["end"] > first["start"]
    assert record["latency_ms"] > 0


def test_search_human_output_shows_doc_section_and_score(real_seed_index: Path):
    result = run_qa("search", "灾备中心的总存储空间", "--index", str(real_seed_index), "-k", "2")
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("1. [")
    assert "003_c06bb3e7b6855ebf.txt › 信息安全保障体系完善" in first_line


def test_index_json_reports_added_unchanged_and_removed(real_index_copy):
    corpus, index = real_index_copy
    unchanged = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert unchanged["chunks_embedded"] == 0 and unchanged["docs_added"] == []

    (corpus / "滨海简报.txt").write_text(NEW_TEXT, encoding="gb18030")
    added = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    new_rows = [chunk for chunk in FolderStore.open(index).chunks if chunk.doc == "滨海简报.txt"]
    assert added["docs_added"] == ["滨海简报.txt"]
    assert added["chunks_embedded"] == len(new_rows) == 2
    assert set(added) >= {"docs", "chunks", "docs_added", "docs_changed", "docs_removed", "chunks_embedded", "chunks_reused", "model", "seconds"}
    hits = json.loads(run_qa("search", "滨海市新引进多少信息技术人才？", "--index", str(index), "--json").stdout)["hits"]
    assert "5200人" in hits[0]["text"]

    (corpus / "滨海简报.txt").unlink()
    removed = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert removed["docs_removed"] == ["滨海简报.txt"]
    assert removed["chunks_embedded"] == 0


def test_sigkill_mid_embedding_leaves_a_searchable_index_and_the_next_run_resumes(real_index_copy):
    corpus, index = real_index_copy
    long_text = "滨海年鉴\n" + "".join(f"【条目{i}】 全年完成项目{i}个，投资{i * 3}.5亿元，新增就业{i * 100}人。\n" for i in range(300))
    (corpus / "long.txt").write_text(long_text, encoding="utf-8")
    process = subprocess.Popen(
        qa_command("index", "--corpus", str(corpus), "--index", str(index)),
        cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    # 等到算完至少一批向量（「嵌入」进度行走过 0）再杀
    line = process.stderr.readline()
    while not (line.startswith("嵌入") and not line.startswith("嵌入 0/")):
        assert line, "qa index 没有开始嵌入就结束了"
        line = process.stderr.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # 新文件已经能用关键词检索到，旧的问题照常回答
    result = run_qa("search", "杭州因特网注册用户有多少？", "--index", str(index), "--json")
    assert "148.13万户" in json.loads(result.stdout)["hits"][0]["text"]
    hits = json.loads(run_qa("search", "条目123新增就业多少人？", "--index", str(index), "--json").stdout)["hits"]
    assert "12300人" in hits[0]["text"]
    new_chunks = sum(chunk.doc == "long.txt" for chunk in FolderStore.open(index).chunks)
    resumed = json.loads(run_qa("index", "--corpus", str(corpus), "--index", str(index), "--json").stdout)
    assert resumed["docs_added"] == []  # 文字上一次已经收进来了
    assert 0 < resumed["chunks_embedded"] < new_chunks  # 已经落盘的批次不再算
    assert FolderStore.open(index).embedding_state().complete


def test_missing_index_and_empty_question_give_chinese_errors(tmp_path: Path, real_seed_index: Path):
    missing = run_qa("search", "杭州有多少家上市企业？", "--index", str(tmp_path / "nothing"), check=False)
    assert missing.returncode == 1
    assert "错误：" in missing.stderr and "qa index" in missing.stderr and "Traceback" not in missing.stderr
    empty = run_qa("search", "  ？！ ", "--index", str(real_seed_index), check=False)
    assert empty.returncode == 1 and "问题是空的" in empty.stderr


def test_very_long_question_is_truncated_not_refused(real_seed_index: Path):
    question = "杭州因特网注册用户有多少？" + "的" * 5000
    result = run_qa("search", question, "--index", str(real_seed_index), "--json")
    assert json.loads(result.stdout)["hits"]
    assert "只用前" in result.stderr


def test_an_index_from_an_older_version_still_answers_and_says_how_to_update(real_index_copy):
    corpus, index_dir = real_index_copy
    manifest_path = index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["tokenizer_version"] = 1  # 旧版 BM25 规则建的索引
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    question = "2007年底杭州因特网注册用户有多少？"
    result = run_qa("ask", question, "--index", str(index_dir), "--json")
    assert json.loads(result.stdout)["span"] == "148.13万户"
    assert "旧版本" in result.stderr and "qa index" in result.stderr
    run_qa("index", "--corpus", str(corpus), "--index", str(index_dir))
    assert "旧版本" not in run_qa("ask", question, "--index", str(index_dir)).stderr
