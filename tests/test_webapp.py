"""The real web app: started as a server, driven through gradio_client and a real headless Chromium."""
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from conftest import ROOT
from web_server import running_app

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
XSS_TEXT = "网页安全测试报告\n【网页安全】 页面里有<script>alert(1)</script>和<img src=x onerror=alert(1)>这样的代码，全市共有测试网站42个。\n"
DISTRICTS_CSV = "区县,2022年户籍人口（万人）\n东城区,86.5\n西湖区,72.3\n"
NEW_TEXT = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人，其中博士310人。\n"


@pytest.fixture(scope="module")
def server(real_seed_index: Path, tmp_path_factory):
    """python app.py on a free port, over a private copy of the corpus and index (plus an XSS document). Served on
    127.0.0.1 with no administrator configured: the local user may change the knowledge base. No rate limit here:
    the concurrency test asks from one address (tests/test_outsider.py tests the limit)."""
    folder = tmp_path_factory.mktemp("web")
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(real_seed_index.parent / "corpus", corpus)
    shutil.copytree(real_seed_index, index)
    (corpus / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    (corpus / "districts.csv").write_text(DISTRICTS_CSV, encoding="utf-8")
    with running_app(corpus, index, folder / "server.log", {"QA_RATE_LIMIT": "0"}) as url:
        yield {"url": url, "corpus": corpus, "index": index}


def test_api_ask_returns_the_figure_with_a_citation(server):
    record = Client(server["url"], verbose=False).predict("杭州有多少家企业通过了软件能力成熟度模型评估？", api_name="/ask")
    assert "65家" in record["answer"] and not record["abstained"]
    assert record["citations"][0]["doc"] == "000_7c521dbcc8602230.txt"
    assert "65家" in record["citations"][0]["quote"]


def test_api_search_returns_ranked_passages(server):
    record = Client(server["url"], verbose=False).predict("灾备中心的总存储空间", 3, api_name="/search")
    assert len(record["hits"]) == 3 and record["hits"][0]["section"] == ["信息安全保障体系完善"]


def test_wrong_api_input_types_get_a_chinese_message(server):
    client = Client(server["url"], verbose=False)
    for wrong in (123, ["杭州有多少家上市企业？"]):
        assert client.predict(wrong, api_name="/ask")["error"].startswith("问题应是一段文字")
    assert "k 应是 1 到 20 之间的整数" in client.predict("上市企业", "abc", api_name="/search")["error"]
    assert len(client.predict("上市企业", "3", api_name="/search")["hits"]) == 3


def test_the_whole_document_page_serves_only_indexed_documents(server):
    import urllib.error
    import urllib.request

    base = server["url"].rstrip("/")
    citation = Client(server["url"], verbose=False).predict("杭州有多少家上市企业？", api_name="/ask")["citations"][0]
    page = urllib.request.urlopen(f"{base}/doc?name={citation['doc']}&start={citation['start']}&end={citation['end']}").read().decode("utf-8")
    assert f"<mark id='quote'>{citation['quote']}" in page and "<h1>杭州大步挺进国际一流信息化城市</h1>" in page
    for name in ("../../etc/passwd", "nothing.txt"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/doc?name=" + urllib.request.quote(name))
        assert refused.value.code == 404 and "索引里没有文档" in refused.value.read().decode("utf-8")


def test_upload_rebuild_and_answer_from_the_new_text(server, tmp_path: Path):
    client = Client(server["url"], verbose=False)
    upload = tmp_path / "滨海简报.txt"
    upload.write_bytes(NEW_TEXT.encode("gb18030"))
    message = client.predict([handle_file(str(upload))], api_name="/upload")
    assert "已添加 滨海简报.txt" in message
    assert (server["corpus"] / "滨海简报.txt").read_text(encoding="utf-8") == NEW_TEXT  # 存成 UTF-8
    status, _, _ = client.predict(api_name="/rebuild")
    assert "索引已更新" in status
    record = client.predict("滨海市新引进了多少信息技术人才？", api_name="/ask")
    assert "5200人" in record["answer"] and record["citations"][0]["doc"] == "滨海简报.txt"
    # 本机地址、没配置管理员：本机用户就是管理员，改动照样记下
    recent = [(e["user"], e["action"], e["file"], e["result"]) for e in client.predict(api_name="/audit")[-2:]]
    assert recent == [("本机用户", "upload", "滨海简报.txt", "ok"), ("本机用户", "rebuild", None, "ok")]


def test_bad_uploads_are_refused_and_write_nothing(server, tmp_path: Path):
    client = Client(server["url"], verbose=False)
    before = sorted(p.name for p in server["corpus"].iterdir())
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    duplicate = tmp_path / "copy.txt"
    duplicate.write_bytes((ROOT / "corpus" / "003_c06bb3e7b6855ebf.txt").read_bytes())
    message = client.predict([handle_file(str(binary)), handle_file(str(duplicate))], api_name="/upload")
    assert "image.txt 无法读取" in message and "内容相同" in message
    assert sorted(p.name for p in server["corpus"].iterdir()) == before


def test_a_spreadsheet_upload_answers_from_its_cells_and_bad_pdfs_are_refused_over_http(server, tmp_path: Path):
    import format_files as files

    if not files.NOTO_SANS.exists():
        pytest.skip("Debian 的 fonts-noto-cjk 未安装，无法生成中文 PDF")
    client = Client(server["url"], verbose=False)
    sheet = files.write_xlsx(tmp_path / "指标.xlsx")
    scan = files.write_scanned_pdf(tmp_path / "扫描件.pdf")
    secret = files.write_encrypted_pdf(tmp_path / "机密.pdf")
    bomb = files.write_zip_bomb(tmp_path / "炸弹.docx")
    broken = tmp_path / "坏表.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    before = sorted(p.name for p in server["corpus"].iterdir())
    message = client.predict([handle_file(str(path)) for path in (sheet, scan, secret, bomb, broken)], api_name="/upload")
    assert "已添加 指标.xlsx（Excel，1 张表" in message
    assert "扫描件.pdf 无法读取" in message and "文字识别" in message
    assert "机密.pdf 无法读取" in message and "密码" in message
    assert "炸弹.docx 无法读取" in message and "压缩炸弹" in message
    assert "坏表.xlsx 无法读取" in message and "损坏" in message
    assert sorted(p.name for p in server["corpus"].iterdir()) == sorted(before + ["指标.xlsx"])  # 坏文件一个也没留下
    assert (server["corpus"] / "指标.xlsx").read_bytes() == sheet.read_bytes()
    client.predict(api_name="/rebuild")
    row = next(d for d in client.predict(api_name="/documents") if d["file"] == "指标.xlsx")
    assert (row["type"], row["extent"]) == ("Excel", "1 张表")
    record = client.predict("2022年一般公共预算收入是多少？", api_name="/ask")
    assert record["span"] == "2250.8亿元"
    assert record["citations"][0]["location"]["cell"] == "主要指标!C4"


def test_evaluation_tab_runs_an_uploaded_file(server, tmp_path: Path):
    questions = tmp_path / "mini.jsonl"
    questions.write_text(
        '{"id": "a", "question": "杭州有多少家上市企业？", "answers": ["18家"], "doc": "000_7c521dbcc8602230.txt", "section": "产业地位不断提升", "kind": "figure"}\n'
        '{"id": "b", "question": "宁波市因特网注册用户有多少？", "answers": [], "doc": "", "section": "", "kind": "unanswerable"}\n',
        encoding="utf-8",
    )
    status, metrics, chart, failures = Client(server["url"], verbose=False).predict(None, handle_file(str(questions)), api_name="/evaluate")
    assert status == "共 2 题，答错 0 题。"
    rows = {row[0]: row[1] for row in metrics["data"]}
    # 指标用中文名和人读的数显示（qa/app/labels.py）
    assert rows["题数"] == "2" and rows["答案准确率"] == "100.0%" and rows["拒答召回率（该拒的拒了）"] == "100.0%"
    assert rows["计算题准确率"] == "—" and rows["延迟中位数（毫秒）"].isdigit()
    assert Path(chart).read_bytes()[:4] == b"\x89PNG" and failures["data"] == []


def test_twenty_concurrent_clients_all_get_correct_answers(server):
    questions = {
        "2007年底杭州因特网注册用户有多少？": "148.13万户",
        "杭州有多少家上市企业？": "18家",
        "杭州灾备中心的总存储空间是多少？": "200太",
        "杭州全年对几个部门开展了绩效审计？": "6个",
    }
    items = list(questions.items()) * 5
    with ThreadPoolExecutor(max_workers=20) as pool:
        clients = list(pool.map(lambda _: Client(server["url"], verbose=False), items))

    def ask(client_and_item):
        client, (question, expected) = client_and_item
        started = time.perf_counter()
        record = client.predict(question, api_name="/ask")
        return expected in record["answer"], (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, zip(clients, items)))
    assert all(ok for ok, _ in results)
    latencies = sorted(ms for _, ms in results)
    print(f"\n20 concurrent clients: p50 {statistics.median(latencies):.0f} ms, p95 {latencies[int(0.95 * 19)]:.0f} ms")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_browser_chat_shows_figure_citation_and_escapes_documents(server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    dialogs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(server["url"])
        box = page.locator("#question textarea")
        box.fill("杭州有多少家企业通过了软件能力成熟度模型评估？")
        page.locator("#send").click()
        answer = page.locator("#chat .qa-answer").last
        answer.wait_for(timeout=60_000)
        assert "65家" in answer.inner_text()
        assert page.locator("#chat mark", has_text="65家").count() >= 1
        chat_text = page.locator("#chat").inner_text()
        assert "引用来源" in chat_text and "产业地位不断提升" in chat_text
        page.screenshot(path=str(SCREENSHOTS / "chat.png"), full_page=True)
        # 「查看全文」：新标签页里是整篇文档，引文标亮并滚到眼前
        with page.context.expect_page() as opened:
            page.locator("#chat a.qa-doc-link").first.click()
        document = opened.value
        document.wait_for_load_state()
        assert "65家" in document.locator("mark#quote").inner_text() and document.evaluate("window.scrollY") > 0
        assert document.locator("h2").count() >= 5  # 各章节的标题
        document.screenshot(path=str(SCREENSHOTS / "whole-document.png"))
        document.close()

        box.fill("全市共有测试网站多少个？")
        page.locator("#send").click()
        page.locator("#chat .qa-answer", has_text="42个").wait_for(timeout=60_000)
        chat_text = page.locator("#chat").inner_text()
        assert "<script>alert(1)</script>" in chat_text  # 原样显示为文字
        assert "<img src=x onerror=alert(1)>" in chat_text
        assert page.locator("#chat script").count() == 0 and page.locator("#chat img[src=x]").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "xss.png"), full_page=True)

        # 表格里的数：引用给出行、列、单元格，并把那一行画出来、单元格标亮
        box.fill("西湖区户籍人口多少？")
        page.locator("#send").click()
        page.locator("#chat .qa-answer", has_text="72.3万人").wait_for(timeout=60_000)
        assert page.locator("#chat table.qa-row mark", has_text="72.3").count() >= 1
        assert "districts › 西湖区 › 2022年户籍人口（万人）（B3）" in page.locator("#chat").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "table.png"), full_page=True)
        browser.close()
    assert dialogs == []


# 界面上允许出现的英文：格式和行业通用的缩写（文档自己的英文另算，见下）
ALLOWED_ENGLISH = {"PDF", "Word", "Excel", "Markdown", "OCR", "HTML", "CSV", "API", "ID", "SHA", "MB", "KB", "JSONL", "F1", "txt", "md", "pdf", "docx", "html", "htm", "xlsx", "csv", "jsonl"}
VISIBLE_TEXTS = """() => { const out = []; for (const el of document.querySelectorAll('body *')) {
  const style = getComputedStyle(el); if (style.display === 'none' || style.visibility === 'hidden' || el.closest('style,script')) continue;
  for (const node of el.childNodes) if (node.nodeType === 3 && node.textContent.trim()) out.push(node.textContent.trim());
  for (const name of ['title', 'aria-label', 'placeholder', 'alt']) if (el.getAttribute(name)) out.push(el.getAttribute(name)); }
  return out; }"""


def texts_until(page, done: str, timeout_s: float = 120) -> list[str]:
    """The visible texts collected every 0.2 s while a request runs, until `done` is shown."""
    texts, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        texts += page.evaluate(VISIBLE_TEXTS)
        if page.locator(f"text={done} >> visible=true").count():
            return texts
        page.wait_for_timeout(200)
    raise AssertionError(f"「{done}」 not shown in {timeout_s} s")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_an_english_browser_sees_only_chinese_on_every_tab(server, tmp_path: Path):
    """Chromium set to English: after an answer in two parts, a refusal, an upload and an evaluation, every visible
    text, title, aria-label, placeholder and alt on all tabs is Chinese, apart from the named abbreviations and the
    documents' own words; a question's markup is shown as typed."""
    import re

    from playwright.sync_api import sync_playwright

    from qa.app.audit import audit_log_for

    # 文档自己的字，和这个服务器上传过的文件名（操作记录里列着，别的测试也在这里上传）：那是用户自己起的名字
    uploaded = [entry.file or "" for entry in audit_log_for(server["index"]).entries()]
    document_words = set(re.findall(r"[A-Za-z0-9]+", " ".join(
        [p.name for p in server["corpus"].iterdir()] + uploaded + [p.read_text(encoding="utf-8") for p in server["corpus"].glob("*.*") if p.suffix in (".txt", ".csv")]
    )))
    upload = tmp_path / "公园简报.txt"
    upload.write_text("公园简报\n【公园】 全市共有城市公园35个。\n", encoding="utf-8")
    questions = tmp_path / "小评测.jsonl"
    questions.write_text('{"id": "a", "question": "杭州有多少家上市企业？", "answers": ["18家"], "doc": "000_7c521dbcc8602230.txt", "section": "", "kind": "figure"}\n', encoding="utf-8")
    texts = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="en-US")
        page.goto(server["url"])
        box = page.locator("#question textarea")
        box.fill("您好，想请教一下：2007年底杭州因特网注册用户和移动电话用户分别有多少？")
        page.locator("#send").click()
        page.locator("#chat .qa-part", has_text="第 2 问，共 2 问").wait_for(timeout=60_000)
        assert "148.13万户" in page.locator("#chat").inner_text() and "809.2万户" in page.locator("#chat").inner_text()
        box.fill("**宁波市**因特网注册用户有多少？")
        page.locator("#send").click()
        texts += texts_until(page, "未作答的原因")
        assert "**宁波市**因特网注册用户有多少？" in page.locator("#chat").inner_text()  # 原样显示，不当粗体
        page.get_by_role("button", name="导出对话").click()
        page.locator("text=/对话记录-.*\\.docx/ >> visible=true").first.wait_for(timeout=60_000)
        page.screenshot(path=str(SCREENSHOTS / "chinese-chat.png"), full_page=True)
        texts += page.evaluate(VISIBLE_TEXTS)

        page.get_by_role("tab", name="知识库").click()
        page.get_by_label("上传后立即重建索引（新文件马上就能问）").uncheck()
        with page.expect_file_chooser() as chooser:
            page.locator("text=点击上传 >> visible=true").first.click()
        chooser.value.set_files(str(upload))
        page.get_by_text("已添加 公园简报.txt").wait_for(timeout=60_000)
        page.locator("text=待重建 >> visible=true").first.wait_for(timeout=60_000)
        texts += page.evaluate(VISIBLE_TEXTS)
        page.screenshot(path=str(SCREENSHOTS / "chinese-documents.png"), full_page=True)

        page.get_by_role("tab", name="评测").click()
        with page.expect_file_chooser() as chooser:
            page.locator("text=点击上传 >> visible=true").first.click()
        chooser.value.set_files(str(questions))
        page.get_by_role("button", name="运行评测").click()
        texts += texts_until(page, "共 1 题，答错 0 题。")  # 运行中的状态文字（排队、处理中、秒数）也要是中文
        page.screenshot(path=str(SCREENSHOTS / "chinese-evaluation.png"), full_page=True)
        browser.close()
    (server["corpus"] / upload.name).unlink()  # 别的测试看到的知识库不变
    # 英文词：两个以上字母、不带数字（带数字的是编号、哈希、单位，如 675f5ce15533、50MB）
    english = {word: text[:80] for text in texts for word in re.findall(r"[A-Za-z0-9]+", text) if len(word) > 1 and word.isalpha()}
    unexpected = {word: text for word, text in english.items() if word not in ALLOWED_ENGLISH and word not in document_words}
    assert unexpected == {}


def test_a_conversation_and_an_evaluation_export_to_files_a_person_can_open(server, tmp_path: Path):
    """/export answers the questions and writes .docx / .xlsx / Markdown; the evaluation's records export too."""
    from docx import Document
    from openpyxl import load_workbook

    client = Client(server["url"], verbose=False)
    questions = ["2007年底杭州因特网注册用户有多少？", "杭州有多少家上市企业？"]
    sheet = load_workbook(client.predict(questions, "xlsx", api_name="/export")).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["时间", "问题", "回答", "答案", "把握", "文档", "章节", "页/单元格", "引文"]
    assert [(row[1], row[3]) for row in rows[1:]] == [(questions[0], "148.13万户"), (questions[1], "18家")]
    assert "148.13万户" in rows[1][8] and "000_7c521dbcc8602230.txt" in rows[1][5]
    text = "\n".join(p.text for p in Document(client.predict(questions, "docx", api_name="/export")).paragraphs)
    assert questions[0] in text and "引文：" in text and "<" not in text  # 纯文字，没有 HTML
    markdown = Path(client.predict(questions[:1], "markdown", api_name="/export")).read_text(encoding="utf-8")
    assert "**148.13万户**" in markdown and "<div" not in markdown

    from qa.app.export import write_evaluation

    records = [{"id": "a", "kind": "figure", "question": "杭州有多少家上市企业？", "gold_answers": ["18家"], "answer": "18家。",
                "span": "18家", "answer_correct": True, "confidence": 0.9, "abstained": False, "veto": None}]
    book = load_workbook(write_evaluation(records, tmp_path / "评测.xlsx")).active
    assert [cell.value for cell in book[2]] == ["a", "数字", "杭州有多少家上市企业？", "18家", "18家。", "18家", "是", "90%", None]
    assert (tmp_path / "评测.csv").exists() is False and write_evaluation(records, tmp_path / "评测.csv").read_text(encoding="utf-8-sig").startswith("编号,题型")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_at_phone_size_the_answer_is_full_width_and_copies_as_plain_text(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"].rstrip("/"))
        page = context.new_page()
        page.goto(server["url"])
        page.locator("#question textarea").fill("杭州有多少家上市企业？")
        page.locator("#send").click()
        page.locator("#chat .qa-answer").first.wait_for(timeout=60_000)
        chat = page.locator("#chat").bounding_box()
        bubble = page.locator("#chat [data-testid=bot]").first.bounding_box()
        assert bubble["width"] >= 0.9 * chat["width"] and bubble["x"] + bubble["width"] <= chat["x"] + chat["width"] + 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # 没有横向滚动
        page.screenshot(path=str(SCREENSHOTS / "phone-chat.png"), full_page=True)
        page.locator("#chat button[title='复制对话']").click()
        page.wait_for_timeout(500)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("问：杭州有多少家上市企业？") and "答：" in copied and "18家" in copied and "<" not in copied
        page.locator("#chat button[title='复制这条消息']").last.click()
        page.wait_for_timeout(500)
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "18家" in copied and "引用来源" in copied and "<div" not in copied and "问：" not in copied
        browser.close()
