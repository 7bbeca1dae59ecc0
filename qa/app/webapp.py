"""The Gradio web app: chat with citations, knowledge-base management, evaluation, and a named API.

Who may do what (`qa.app.accounts`): asking, searching and the bundled evaluations are open (or behind a shared
login); uploading, deleting, restoring, rebuilding and evaluating uploaded files need an administrator, in the UI and
through the API alike. With administrators configured, they log in at /admin/ (Gradio's own login); served on
127.0.0.1 with none configured, the local user is the administrator; on any other address the app is read-only.
"""
from __future__ import annotations

import html
import json
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

import gradio as gr
from fastapi import FastAPI, Request

from qa.evaluate import BadEvalFile
from qa.app.document_view import DOC_PATH
from qa.app.export import EXPORT_FORMATS, export_row, write_conversation, write_evaluation
from qa.app.labels import action_label, failed_questions, local_time, metric_table, result_label
from qa.app.render import answer_html
from qa.search.retrieve import hit_record
from qa.app.report import draw_chart
from qa.app.accounts import ADMIN_PATH, AccessPolicy, Accounts, Caller, CredentialsError, Role
from qa.app.guard import RequestGuard
from qa.app.limits import TOO_FREQUENT, RateLimiter
from qa.app.state import credentials_path
from qa.app.service import MAX_UPLOAD_BYTES, STATE_INDEXED, NotAllowed, QAService, evaluation_files
from qa.indexing.ingest import SUPPORTED_SUFFIXES
from qa.indexing.store import IndexUnavailable

MARKDOWN_MARKS = frozenset("*_`[]#~|>!\\")  # 用户气泡里这些字符不当 Markdown 解释
STATUS_REFRESH_SECONDS = 3  # 知识库页的向量进度多久刷新一次
SHUTDOWN_SECONDS = 5
MAX_SEARCH_K = 20
MAX_EXPORT_QUESTIONS = 50
CONVERSATION_FORMATS = {"Word": ".docx", "Markdown": ".md", "表格（Excel）": ".xlsx"}
EVALUATION_FORMATS = {"表格（Excel）": ".xlsx", "CSV": ".csv"}
NOT_TEXT = "问题应是一段文字（字符串），例如「2007年底杭州因特网注册用户有多少？」。"
EXPORT_BOX_HEIGHT = 110  # 导出文件框的高度（像素）：空着时不占半屏
FAILURE_COLUMN_WIDTHS = ["64px", "84px", "25%", "17%", "38%"]  # 答错的题：「得到」最长，不被截掉；编号、题型在手机上也不挤成一字一行
AUDIT_ROWS = 200  # 知识库页显示最近多少条操作记录
UPLOAD_CACHE_SECONDS = (600, 3600)  # (多久清一次, 多旧的删)
EXAMPLES = [
    "2007年底杭州因特网注册用户有多少？",
    "杭州有多少家企业通过了软件能力成熟度模型评估？",
    "2002年至2007年杭州电子信息产业总产值增加了多少？",
    "杭州灾备中心的总存储空间是多少？",
    "宁波市因特网注册用户有多少？",
]
# Gradio 自己的字（复制、滚到底部、排队……）按浏览器语言翻译：页面在 Gradio 的脚本之前把语言定为简体中文，
# 不论浏览器设的是什么（RequestGuard 把它插到每个网页的 <head> 最前面）
# Gradio 的中文翻译没有覆盖的字（按钮提示、读屏文字），页面上换成中文；消息的读屏文字只读正文，不读 HTML
GRADIO_WORDS = {
    "Copy conversation": "复制对话", "Copy message": "复制这条消息", "Copy table data": "复制表格", "Copied!": "已复制",
    "More tabs": "更多标签页", "Table actions": "表格操作", "chatbot conversation": "对话",
    "Click to upload or drop files": "点击上传，或把文件拖到这里", "Gradio footer navigation": "页脚链接", "Empty value": "空",
    "Stop Recording": "停止录音", "Textbox": "文本框", "common.complete": "完成", "common.upload": "上传", "common.clear": "清除", "common.download": "下载", "Scroll down": "滚到最新", "Runs": "运行记录",
    "Clear": "清空", "Fullscreen": "全屏", "Exit fullscreen": "退出全屏", "Loading...": "加载中……", "Error": "出错",
    "Loading content": "加载中……", "Loading response": "正在回答……", "processing": "处理中", "Processing": "处理中",
}
MESSAGE_LABELS = {"user's message: ": "你的问题：", "bot's message: ": "回答："}
STATIC = Path(__file__).parent / "static"


def chinese_page() -> str:
    """The <script> put first in every page's <head> (see GRADIO_WORDS)."""
    script = (STATIC / "chinese_page.js").read_text(encoding="utf-8")
    script = script.replace("__WORDS__", json.dumps(GRADIO_WORDS, ensure_ascii=False))
    script = script.replace("__LABELS__", json.dumps(MESSAGE_LABELS, ensure_ascii=False))
    return f"<script>{script}</script>"


FOOTER_LINKS = ["api"]  # 不放「用 Gradio 构建」「设置」：与使用无关
CSS = (STATIC / "app.css").read_text(encoding="utf-8")



@dataclass(frozen=True)
class Page:
    """What every tab's handlers need: the service, who may do what, the rate limit and the evaluation folder."""

    service: QAService
    policy: AccessPolicy
    limiter: RateLimiter
    eval_dir: Path
    fitting_evaluations: tuple[str, ...]  # 问的正是知识库里文档的评测文件（启动时算一次，两个页面共用）
    admin_area: bool = False

    @property
    def shows_admin_controls(self) -> bool:
        return self.admin_area or self.policy.local_admin

    def caller(self, request: gr.Request | None) -> Caller:
        """Who makes this request: the service decides what they may do."""
        return self.policy.caller(getattr(request, "username", None))

    def allowed(self, request: gr.Request | None) -> bool:
        """Rate limit per client: the logged-in name, else the address it connects from."""
        username = getattr(request, "username", None)
        client = getattr(getattr(request, "client", None), "host", None)
        return self.limiter.allow(username or client or "unknown")


@dataclass(frozen=True)
class Handlers:
    """The knowledge tab's changing handlers that the API offers too."""

    delete: Callable
    restore: Callable


def build_app(page: Page) -> gr.Blocks:
    """All tabs and the API; handlers are thin wrappers over QAService, which checks the caller's role itself, so
    the API refuses what the UI hides. `page.admin_area`: the app mounted at /admin/, behind the administrators' login."""
    # Gradio 缓存的上传文件：每 10 分钟删掉一小时前的
    with gr.Blocks(title="杭州信息化问答", delete_cache=UPLOAD_CACHE_SECONDS) as app:
        gr.Markdown("## 杭州信息化问答\n离线运行：答案里的数字都摘自文档原文，并给出处；文档里没有的，会直说没有找到。")
        signed_in = gr.Markdown(elem_id="signed-in")

        def who(request: gr.Request) -> str:
            """「已登录：zhang（管理员） · 退出」 for a logged-in user; nothing where no login is needed."""
            username = getattr(request, "username", None)
            if not username:
                return ""
            role = "管理员" if page.policy.role_of(username) is Role.ADMIN else "读者"
            return f"已登录：**{html.escape(username)}**（{role}） · [退出]({ADMIN_PATH if page.admin_area else ''}/logout)"

        app.load(who, None, signed_in, api_visibility="private")
        chat_tab(page)
        handlers = knowledge_tab(page, app)
        evaluation_tab(page)
        api_endpoints(page, handlers)
    return app


def chat_tab(page: Page) -> None:
    """「问答」: the conversation, examples and its export."""
    with gr.Tab("问答"):
        chatbot = gr.Chatbot(label="对话", height=520, sanitize_html=True, elem_id="chat", buttons=["copy", "copy_all"])
        previous = gr.State(None)
        with gr.Row():
            question = gr.Textbox(placeholder="输入问题，例如：2007年底杭州因特网注册用户有多少？", show_label=False, scale=8, elem_id="question")
            send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
            clear = gr.Button("清空", scale=1)
        gr.Examples(EXAMPLES, inputs=question, label="示例问题")
        conversation = gr.State([])  # 这次对话的问答（ExportRow），导出用
        with gr.Row():
            export_format = gr.Radio(list(CONVERSATION_FORMATS), value="Word", label="导出格式", scale=3)
            export_chat = gr.Button("导出对话", scale=1)
            exported = gr.File(label="导出的文件", scale=3, height=EXPORT_BOX_HEIGHT, interactive=False, elem_classes="qa-export")

        def respond(message: str, history: list, previous_question: str | None, rows: list, request: gr.Request):
            history, rows = list(history or []), list(rows or [])
            if not message or not message.strip():
                return "", history, previous_question, rows
            history.append({"role": "user", "content": as_typed(message)})
            if not page.allowed(request):
                history.append({"role": "assistant", "content": TOO_FREQUENT})
                return message, history, previous_question, rows  # 问题留在输入框里，稍后再发
            try:
                answers = page.service.ask_all(message, previous_question)
            except ValueError as error:  # 空问题、只有标点
                history.append({"role": "assistant", "content": html.escape(str(error))})
                return "", history, previous_question, rows
            several = len(answers) > 1
            bubbles = []
            for number, (answer, understood, _) in enumerate(answers, 1):
                shown = understood if several or understood != message.strip() else None
                heading = f'<div class="qa-part">第 {number} 问，共 {len(answers)} 问</div>' if several else ""
                bubbles.append(heading + answer_html(answer, shown, page.service.page_texts(answer), whole_documents=True))
            history.append({"role": "assistant", "content": '<hr class="qa-between">'.join(bubbles)})
            rows += [export_row(understood, answer) for answer, understood, _ in answers]
            return "", history, answers[-1][1], rows

        def export_conversation(rows: list, chosen: str):
            if not rows:
                raise gr.Error("还没有可导出的问答：先问一个问题。")
            return str(write_conversation(rows, export_path("对话记录", CONVERSATION_FORMATS.get(chosen, ".docx"))))

        export_chat.click(export_conversation, [conversation, export_format], exported, api_visibility="private")

        chat_io = [question, chatbot, previous, conversation]
        send.click(respond, chat_io, chat_io, api_visibility="private")
        question.submit(respond, chat_io, chat_io, api_visibility="private")
        clear.click(lambda: ([], None, "", [], None), None, [chatbot, previous, question, conversation, exported], api_visibility="private")



def knowledge_tab(page: Page, app: gr.Blocks) -> Handlers:
    """「知识库」: the documents, their vectors' progress and (for administrators) upload, delete, restore, rebuild,
    the trash and the audit log. Returns the delete and restore handlers for the API."""
    with gr.Tab("知识库"):
        documents = gr.Dataframe(headers=["文件", "状态", "类型", "页数/表格", "标题", "发布日期", "章节", "段落", "有向量的段落", "添加时间", "读取提示"], interactive=False, label="文档")
        vectors = gr.Markdown()
        if not page.shows_admin_controls:
            gr.Markdown(page.policy.refusal() if page.policy.read_only else f"上传、删除、恢复和重建索引需要管理员：请打开 [{ADMIN_PATH}/]({ADMIN_PATH}/) 登录。")
        with gr.Column(visible=page.shows_admin_controls):
            with gr.Row():
                upload = gr.File(
                    label=f"上传文本、PDF、Word、网页或表格（{' '.join(SUPPORTED_SUFFIXES)}；单个不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB；同名文件不会被覆盖）",
                    file_count="multiple",
                    file_types=list(SUPPORTED_SUFFIXES),
                )
                with gr.Column():
                    delete_choice = gr.Dropdown(label="删除文档（移到回收站，可恢复）", choices=[])
                    delete = gr.Button("删除")
            with gr.Row():
                rebuild_after_upload = gr.Checkbox(label="上传后立即重建索引（新文件马上就能问）", value=True)
                rebuild = gr.Button("重建索引", variant="primary")
            status = gr.Markdown()
            trash_table = gr.Dataframe(headers=["回收站编号", "文件", "删除时间", "删除人", "大小（字节）"], interactive=False, label="回收站")
            with gr.Row():
                restore_choice = gr.Dropdown(label="从回收站恢复", choices=[])
                restore = gr.Button("恢复")
            audit_table = gr.Dataframe(headers=["时间", "用户", "操作", "文件", "SHA-256", "结果"], interactive=False, label=f"操作记录（最近 {AUDIT_ROWS} 条）", wrap=True)

        def document_rows():
            rows = [
                [d["file"], d["state"], d["type"], d["extent"], d["title"], published_cell(d["published"]), d["sections"], d["chunks"], d["vectors"], d["added"], "；".join(d["notes"])]
                for d in page.service.documents()
            ]
            return rows, gr.update(choices=[row[0] for row in rows])

        def trash_rows(request: gr.Request):
            try:
                items, entries = page.service.trash_items(page.caller(request)), page.service.audit_entries(page.caller(request), AUDIT_ROWS)
            except NotAllowed:
                return [], gr.update(choices=[]), []
            audit = [
                [local_time(e.time), e.user, action_label(e.action), e.file or "", (e.sha256 or "")[:12], result_label(e.result)]
                for e in reversed(entries)
            ]
            return [[i.id, i.file, local_time(i.deleted_at), i.deleted_by, i.size] for i in items], gr.update(choices=[i.id for i in items]), audit

        def add_files(files, request: gr.Request):
            messages = []
            for file in files or []:
                path = Path(file if isinstance(file, str) else file.name)
                name = getattr(file, "orig_name", None) or path.name
                try:
                    messages.append(page.service.add_document(name, path.read_bytes(), page.caller(request)).message)
                except NotAllowed as refused:
                    return str(refused)
                finally:
                    path.unlink(missing_ok=True)  # 收下的已复制进知识库，拒收的不留在 Gradio 的临时文件夹里
            return "\n".join(f"- {html.escape(m)}" for m in messages) or "没有选择文件。"

        def delete_document(doc: str, request: gr.Request) -> str:
            """Move a document to the trash (administrators only)."""
            try:
                return html.escape(page.service.delete_document(doc or "", page.caller(request)))
            except NotAllowed as refused:
                return str(refused)

        def restore_document(item: str, request: gr.Request) -> str:
            """Restore a document from the trash by its trash id (administrators only)."""
            try:
                return html.escape(page.service.restore_document(item or "", page.caller(request)))
            except NotAllowed as refused:
                return str(refused)

        def run_rebuild(request: gr.Request, progress=gr.Progress()):
            rows, choices = document_rows()
            try:
                report = page.service.rebuild(page.caller(request), lambda stage, done, total: progress((done, max(total, 1)), desc=stage, unit="项"))
            except NotAllowed as refused:
                return str(refused), rows, choices
            except IndexUnavailable as error:  # 例如文档全删光了：旧索引照常可用
                return f"没有重建：{html.escape(str(error))}", rows, choices
            skipped = "".join(f"\n- 跳过 {html.escape(s['doc'])}：{html.escape(s['reason'])}" for s in report.skipped)
            skipped += "".join(f"\n- 注意 {html.escape(w['doc'])}：{html.escape(w['reason'])}" for w in report.warnings)
            text = (
                f"索引已更新：{report.docs} 篇文档，{report.chunks} 个段落；编码器 {html.escape(report.model)}；"
                f"用时 {report.seconds:.1f} 秒，新文字现在就能检索。{skipped}"
            )
            rows, choices = document_rows()
            return text, rows, choices

        def rebuild_after(wanted: bool, message: str, request: gr.Request, progress=gr.Progress()):
            """「上传并重建」: after an upload, rebuild at once when the box is ticked and something waits for it."""
            waiting = any(d["state"] != STATE_INDEXED for d in page.service.documents())
            if not wanted or not waiting or not page.caller(request).is_admin:
                return (message, *document_rows())
            text, rows, choices = run_rebuild(request, progress)
            return f"{message}\n\n{text}", rows, choices

        refreshed = [trash_table, restore_choice, audit_table]
        listed = [documents, delete_choice]
        upload.upload(add_files, upload, status, api_name="upload").then(
            rebuild_after, [rebuild_after_upload, status], [status, *listed], api_visibility="private", concurrency_limit=1, concurrency_id="rebuild"
        ).then(trash_rows, None, refreshed, api_visibility="private")
        delete.click(delete_document, delete_choice, status, api_visibility="private").then(document_rows, None, listed, api_visibility="private").then(
            trash_rows, None, refreshed, api_visibility="private"
        )
        restore.click(restore_document, restore_choice, status, api_visibility="private").then(document_rows, None, listed, api_visibility="private").then(
            trash_rows, None, refreshed, api_visibility="private"
        )
        # 一次只重建一个：排队的人看到自己的位置（Gradio 的队列）
        rebuild.click(run_rebuild, None, [status, documents, delete_choice], api_name="rebuild", concurrency_limit=1, concurrency_id="rebuild").then(
            trash_rows, None, refreshed, api_visibility="private"
        )
        app.load(document_rows, None, [documents, delete_choice], api_visibility="private")
        app.load(trash_rows, None, refreshed, api_visibility="private")

        def refresh_vectors(was_running: bool):
            """The progress line, and while vectors are computed each document's count too (once more when done)."""
            line = page.service.embedding_status()
            table = document_rows()[0] if line or was_running else gr.update()
            return html.escape(line), table, bool(line)

        # 后台计算向量时每隔几秒刷新进度（算完后这一行为空）；删除框的选择不动
        running = gr.State(False)
        gr.Timer(STATUS_REFRESH_SECONDS).tick(refresh_vectors, running, [vectors, documents, running], api_visibility="private")

    return Handlers(delete_document, restore_document)


def evaluation_tab(page: Page) -> None:
    """「评测」: run an evaluation file of the evaluation folder (or, for administrators, an uploaded one)."""
    with gr.Tab("评测"):
        bundled = evaluation_files(page.eval_dir)
        fitting = page.fitting_evaluations  # 默认选一个问的正是知识库里文档的
        # 允许任意值，由 evaluate 自己核对并用中文说明（只认列出的文件名）
        eval_choice = gr.Dropdown(label="评测文件", choices=bundled, value=fitting[0] if fitting else None, allow_custom_value=True)
        if not fitting:
            gr.Markdown("评测目录里没有问当前知识库文档的评测文件：请上传一个（JSONL），或选一个看它缺哪些文档。")
        # 上传评测文件要管理员：公开页面上不显示（它的上传口也关着）
        eval_upload = gr.File(label="或上传评测文件（JSONL）", file_types=[".jsonl"], visible=page.shows_admin_controls)
        run_eval = gr.Button("运行评测", variant="primary")
        eval_status = gr.Markdown()
        metrics_table = gr.Dataframe(headers=["指标", "数值"], interactive=False, label="指标", wrap=True, column_widths=["70%", "30%"])
        chart = gr.Image(label="各题型的答案准确率与回答用时", type="filepath", buttons=["download", "fullscreen"])  # 不要不起作用的「分享」
        failures = gr.Dataframe(
            headers=["编号", "题型", "问题", "期望", "得到"], interactive=False, label="答错的题", wrap=True,
            column_widths=FAILURE_COLUMN_WIDTHS, elem_id="failures",
        )
        evaluated = gr.State([])  # 最近一次评测的每题记录，导出用
        with gr.Row():
            eval_format = gr.Radio(list(EVALUATION_FORMATS), value="表格（Excel）", label="导出格式", scale=3)
            export_eval = gr.Button("导出评测结果", scale=1)
            eval_file = gr.File(label="导出的文件", scale=3, height=EXPORT_BOX_HEIGHT, interactive=False, elem_classes="qa-export")

        def evaluate(choice, uploaded, request: gr.Request, progress=gr.Progress()):
            # 只读两种文件：评测目录里列出的（按文件名选），或这次上传的；客户端给的路径一概不打开
            upload = Path(uploaded if isinstance(uploaded, str) else uploaded.name) if uploaded else None
            try:
                path = page.service.evaluation_file(page.eval_dir, choice, upload, page.caller(request))
                metrics, records = page.service.evaluate(path, progress=lambda done, total: progress((done, total), desc="评测", unit="题"))
            except (BadEvalFile, NotAllowed, OSError) as error:
                return html.escape(str(error)), [], None, [], []
            chart_path = Path(tempfile.mkdtemp(prefix="qa-eval-")) / "chart.png"
            draw_chart(chart_path, metrics, [r["latency_ms"] for r in records])
            rows = [list(row) for row in metric_table(metrics)]
            failed = [[f.id, f.kind, f.question, f.expected, f.answer] for f in failed_questions(records)]
            return f"共 {metrics['questions']} 题，答错 {len(failed)} 题。", rows, str(chart_path), failed, records

        def export_evaluation(records: list, chosen: str):
            if not records:
                raise gr.Error("还没有评测结果：先运行一次评测。")
            return str(write_evaluation(records, export_path("评测结果", EVALUATION_FORMATS.get(chosen, ".xlsx"))))

        run_eval.click(
            evaluate, [eval_choice, eval_upload], [eval_status, metrics_table, chart, failures, evaluated],
            api_name="evaluate", concurrency_limit=1, concurrency_id="evaluate",
        )
        export_eval.click(export_evaluation, [evaluated, eval_format], eval_file, api_visibility="private")



def api_endpoints(page: Page, handlers: Handlers) -> None:
    """The named API for programs (gradio_client): the JSON records of DESIGN.md."""
    def api_ask(question: str, request: gr.Request) -> dict:
        """Answer one question: the answer record (answer, figures, citations, passages)."""
        if not isinstance(question, str):
            return {"question": None, "error": NOT_TEXT}
        if not page.allowed(request):
            return {"question": question, "error": TOO_FREQUENT}
        try:
            answer, _, latency = page.service.ask(question)
        except ValueError as error:
            return {"question": question, "error": str(error)}
        return answer.as_dict(latency)

    def api_search(question: str, request: gr.Request, k: int = 5) -> dict:
        """The k (at most 20) passages most relevant to the question."""
        if not isinstance(question, str):
            return {"question": None, "error": NOT_TEXT}
        if isinstance(k, bool) or not isinstance(k, (int, float, str)) or not str(k).strip().isdigit():
            return {"question": question, "error": f"k 应是 1 到 {MAX_SEARCH_K} 之间的整数（要几段），收到的是「{str(k)[:20]}」。"}
        if not page.allowed(request):
            return {"question": question, "error": TOO_FREQUENT}
        try:
            hits = page.service.search(question, max(1, min(int(str(k).strip()), MAX_SEARCH_K)))
        except ValueError as error:  # 空问题、只有标点（中文说明）
            return {"question": question, "error": str(error)}
        return {"question": question, "hits": [hit_record(hit) for hit in hits]}

    def api_documents() -> list:
        """The indexed documents."""
        return page.service.documents()

    def api_trash(request: gr.Request) -> list:
        """What the trash holds (administrators only)."""
        try:
            return [vars(item) for item in page.service.trash_items(page.caller(request))]
        except NotAllowed as refused:
            return [{"error": str(refused)}]

    def api_audit(request: gr.Request) -> list:
        """The audit log, oldest first (administrators only)."""
        try:
            return [vars(entry) for entry in page.service.audit_entries(page.caller(request))]
        except NotAllowed as refused:
            return [{"error": str(refused)}]

    def api_export(questions: list, file_format: str, request: gr.Request):
        """Answer the questions in turn (follow-ups read after the one before) and return the conversation as a
        file: file_format "markdown", "docx", "xlsx" or "csv"."""
        if isinstance(questions, str):
            questions = [questions]
        if not isinstance(questions, list) or not questions or not all(isinstance(q, str) for q in questions):
            raise gr.Error("questions 应是问题（文字）的列表，例如 [\"2007年底杭州因特网注册用户有多少？\"]。")
        file_format = file_format or "xlsx"
        if file_format not in EXPORT_FORMATS:
            raise gr.Error(f"file_format 只能是 {'、'.join(EXPORT_FORMATS)} 之一。")
        if len(questions) > MAX_EXPORT_QUESTIONS or not page.allowed(request):
            raise gr.Error(f"一次最多导出 {MAX_EXPORT_QUESTIONS} 个问题。" if len(questions) > MAX_EXPORT_QUESTIONS else TOO_FREQUENT)
        rows, previous_question = [], None
        for asked in questions:
            try:
                for answer, understood, _ in page.service.ask_all(asked, previous_question):
                    rows.append(export_row(understood, answer))
                    previous_question = understood
            except ValueError as error:
                raise gr.Error(f"「{asked[:50]}」：{error}") from None
        return str(write_conversation(rows, export_path("对话记录", EXPORT_FORMATS[file_format])))

    with gr.Row(visible=False):
        export_questions, export_kind, export_file = gr.JSON(), gr.Textbox(), gr.File()
        gr.Button().click(api_export, [export_questions, export_kind], export_file, api_name="export", concurrency_limit=2)
    gr.api(api_ask, api_name="ask", concurrency_limit=4)  # 两核机器上比不限并发快（实测 20 个并发客户端 p95 2.8 s 对 4.2 s）
    gr.api(api_search, api_name="search", concurrency_limit=4)
    gr.api(api_documents, api_name="documents")
    gr.api(handlers.delete, api_name="delete")
    gr.api(handlers.restore, api_name="restore")
    gr.api(api_trash, api_name="trash")
    gr.api(api_audit, api_name="audit")


def export_path(stem: str, suffix: str) -> Path:
    """A fresh file for one export (Gradio copies it into its own cache to serve it)."""
    return Path(tempfile.mkdtemp(prefix="qa-export-")) / f"{stem}-{datetime.now():%Y%m%d-%H%M}{suffix}"


def as_typed(message: str) -> str:
    """The user's message shown exactly as typed: HTML escaped, and the marks Markdown would act on written as
    entities, so 「**粗体**」 or 「<script>」 appear as those characters."""
    return "".join(f"&#{ord(char)};" if char in MARKDOWN_MARKS else html.escape(char) for char in message)


def published_cell(published: dict | None) -> str:
    """The knowledge-base table's 「发布日期」: 「2024-01-10（网页 meta）」, 「2023年（标题）」, or 「—」 when unknown."""
    if not published:
        return "—"
    date = published["date"]
    return f"{date if len(date) > 4 else date + '年'}（{published['source']}）"


def serve(corpus: Path, index: Path, host: str, port: int, eval_dir: Path | None = None) -> None:
    """Bring the index up to date (progress in the terminal), then start the web app (and /admin/ when
    administrators are configured)."""
    import uvicorn

    try:
        accounts = Accounts.from_environment(credentials_path(index))
        limiter = RateLimiter.from_environment()
    except (CredentialsError, ValueError) as error:
        sys.exit(f"错误：{error}")
    policy = AccessPolicy.for_host(host, accounts)
    if policy.read_only:
        print(
            f"警告：在 {host} 上对外提供服务，但没有配置管理员（QA_ADMIN_PASSWORD，或 `qa user add 名字 --role admin`）："
            "以只读方式启动，谁都不能上传、删除或重建。",
            file=sys.stderr,
        )
    service = QAService(corpus, index, policy=policy)

    def terminal_progress(stage: str, done: int, total: int) -> None:
        print(f"\r{stage} {done}/{total}", end="\n" if done >= total else "", file=sys.stderr, flush=True)

    try:
        report = service.start(terminal_progress)
    except IndexUnavailable as error:
        sys.exit(f"错误：{error}")
    print(f"索引就绪：{report.docs} 篇文档，{report.chunks} 个段落。", file=sys.stderr)
    if service.embedding_status():
        print(f"{service.embedding_status()}（在后台计算，进度见「知识库」页）", file=sys.stderr)
    service.watch_index()  # `qa index` 或别的进程写了新索引：不用重启就换上
    app = web_server(service, eval_dir or Path(__file__).resolve().parents[2] / "eval", policy, limiter)
    print(f"打开 http://{host}:{port}", file=sys.stderr)
    if accounts.has(Role.ADMIN):
        print(f"管理员登录：http://{host}:{port}{ADMIN_PATH}/", file=sys.stderr)
    # 停止时最多等 5 秒：浏览器和脚本常开着长连接（事件流），不等它们自己断
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_SECONDS)
    service.close()


def web_server(service: QAService, eval_dir: Path, policy: AccessPolicy, limiter: RateLimiter):
    """The ASGI app: the public app at /, the administrators' at /admin/ behind Gradio's login, request sizes capped."""
    server = FastAPI()
    options = dict(max_file_size=MAX_UPLOAD_BYTES, css=CSS, footer_links=FOOTER_LINKS, show_error=False)
    page = Page(service, policy, limiter, eval_dir, tuple(service.eval_files_for_index(eval_dir)))
    if policy.accounts.has(Role.ADMIN):
        admin = build_app(replace(page, admin_area=True))
        admin.queue(default_concurrency_limit=2)
        login = lambda name, password: policy.accounts.check(name, password, Role.ADMIN) is not None  # noqa: E731
        gr.mount_gradio_app(server, admin, ADMIN_PATH, auth=login, auth_message="管理员登录", **options)
    @server.get(DOC_PATH)
    def whole_document(request: Request, name: str = "", start: int = 0, end: int = 0):
        """「查看全文」: the indexed document named (looked up in the index, never opened as a path)."""
        from fastapi.responses import HTMLResponse, PlainTextResponse

        if policy.readers_log_in and signed_in_user(server, request) is None:  # 提问要登录时，全文也要登录
            return PlainTextResponse("需要登录：请先在问答页面登录，再点引文旁的「查看全文」。", status_code=403)
        page = service.document_page(name, start, end)
        if page is None:
            return PlainTextResponse(f"索引里没有文档「{name[:100]}」。", status_code=404)
        return HTMLResponse(page)

    public = build_app(page)
    public.queue(default_concurrency_limit=2)
    # 配置了读者账号（QA_USERS）时，提问也要登录：读者和管理员都能登
    login = (lambda name, password: policy.accounts.check(name, password) is not None) if policy.readers_log_in else None
    gr.mount_gradio_app(server, public, "/", auth=login, auth_message="杭州信息化问答：请登录", **options)
    # 公开页面上没有谁能合法上传（本机管理员除外）：它的上传口关上，外人连 Gradio 的缓存也写不进
    closed = () if policy.local_admin else ("/gradio_api/upload",)
    return RequestGuard(server, closed, page_head=chinese_page())


def signed_in_user(server, request) -> str | None:
    """Who is logged in through the login of one of the Gradio apps mounted on `server` (its session cookie), or
    None: pages outside Gradio (the whole document) are guarded by the same login."""
    for route in server.routes:
        app = getattr(route, "app", None)
        tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
        if tokens is None or cookie_id is None:
            continue
        for cookie in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            user = tokens.get(request.cookies.get(cookie, ""))
            if user:
                return user
    return None
