"""An outsider tries to get in: the real app over HTTP (gradio_client and raw requests) and in a real browser.

The server has an administrator configured (QA_ADMIN_PASSWORD), so an anonymous caller is a reader: every changing
endpoint must refuse and leave the disk as it was; paths from the client are never opened; oversized and malformed
requests get an answer, not a crash. Then 50 askers for 30 s while an administrator rebuilds.
"""
import hashlib
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError
from gradio_client.utils import Status

from conftest import ROOT
from web_server import running_app

ADMIN = ("admin", "outsider-test-admin-9")
REFUSED = "需要管理员登录"
SEED = "000_7c521dbcc8602230.txt"
QUESTION, ANSWER = "2007年底杭州因特网注册用户有多少？", "148.13万户"
NEW_TEXT = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人，其中博士310人。\n"
NEW_QUESTION, NEW_ANSWER = "滨海市新引进了多少信息技术人才？", "5200人"
RATE_BURST = 6
CHROMIUM = "/usr/bin/chromium"


def copy_of(real_seed_index: Path, folder: Path) -> tuple[Path, Path]:
    corpus, index = folder / "corpus", folder / "index"
    shutil.copytree(real_seed_index.parent / "corpus", corpus)
    shutil.copytree(real_seed_index, index)
    return corpus, index


@pytest.fixture(scope="module")
def guarded(real_seed_index: Path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("guarded")
    corpus, index = copy_of(real_seed_index, folder)
    env = {"QA_ADMIN_PASSWORD": ADMIN[1], "QA_RATE_LIMIT": f"60/{RATE_BURST}"}
    with running_app(corpus, index, folder / "server.log", env) as url:
        yield {"url": url, "folder": folder, "corpus": corpus, "index": index, "audit": folder / "index.audit.jsonl"}


def outsider(server, address: str) -> Client:
    """An anonymous client; `address` stands for the machine it comes from (the rate limit counts per address; the
    app trusts X-Forwarded-For only from a proxy on its own machine, as uvicorn does by default)."""
    return Client(server["url"], verbose=False, headers={"X-Forwarded-For": address})


def disk_state(folder: Path) -> dict[str, str]:
    """Every file under the server's folder (corpus, trash, audit log, index) with its sha256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "server.log" and not path.name.startswith(".index.")  # 建索引用的空锁文件
    }


def audit_lines(server) -> list[dict]:
    path = server["audit"]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def raw_call(url: str, api_name: str, data: list, cookies=None) -> tuple[str, str]:
    """Call a named endpoint with Gradio's HTTP API as any script would: (event, data) of its outcome."""
    with httpx.Client(base_url=url, timeout=60, cookies=cookies) as http:
        started = http.post(f"gradio_api/call/{api_name}", json={"data": data})
        if started.status_code != 200:
            return str(started.status_code), started.text
        event_id = started.json()["event_id"]
        event, payload = "", ""
        with http.stream("GET", f"gradio_api/call/{api_name}/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    payload = line.split(":", 1)[1].strip()
                    if event in ("complete", "error"):
                        return event, _readable(payload)
    return event, payload


def _readable(payload: str) -> str:
    """The event's data with its Chinese unescaped (it is JSON), for `in` checks."""
    try:
        return json.dumps(json.loads(payload), ensure_ascii=False)
    except ValueError:
        return payload


def test_every_changing_endpoint_refuses_an_outsider_and_nothing_changes(guarded, tmp_path: Path):
    before, logged = disk_state(guarded["folder"]), len(audit_lines(guarded))
    client = outsider(guarded, "10.0.0.1")
    upload = tmp_path / "入侵.txt"
    upload.write_text("入侵者的文件\n【内容】 全市共有入侵者99个。\n", encoding="utf-8")
    questions = tmp_path / "mine.jsonl"
    questions.write_text('{"question": "杭州有多少家上市企业？", "answers": ["18家"]}\n', encoding="utf-8")

    with pytest.raises(Exception, match="403|需要管理员"):  # 文件先要传到服务器：公开页面不收
        client.predict([handle_file(str(upload))], api_name="/upload")
    assert REFUSED in client.predict(SEED, api_name="/delete")
    assert REFUSED in client.predict("20260101-000000-abcdef-" + SEED, api_name="/restore")
    assert REFUSED in client.predict(api_name="/rebuild")[0]
    with pytest.raises(Exception, match="403|需要管理员"):
        client.predict(None, handle_file(str(questions)), api_name="/evaluate")
    # 文件已在服务器上的（伪造的缓存路径）：处理函数也拒绝
    cached = {"path": str(questions), "meta": {"_type": "gradio.FileData"}, "orig_name": "mine.jsonl"}
    event, payload = raw_call(guarded["url"], "upload", [[cached]])
    assert event == "error" or REFUSED in payload  # Gradio 不认不在它缓存里的路径；认了也会被拒
    assert REFUSED in client.predict(api_name="/trash")[0]["error"]
    assert REFUSED in client.predict(api_name="/audit")[0]["error"]
    # 脚本直接打 HTTP，也一样；公开页面的上传口不收文件（连 Gradio 的缓存也不写）
    assert REFUSED in raw_call(guarded["url"], "delete", [SEED])[1]
    assert REFUSED in raw_call(guarded["url"], "rebuild", [])[1]
    with httpx.Client(base_url=guarded["url"], timeout=30) as http:
        stored = http.post("gradio_api/upload", files=[("files", ("入侵.txt", upload.read_bytes()))])
    assert stored.status_code == 403 and "需要管理员" in stored.text

    assert disk_state(guarded["folder"]) == before
    assert len(audit_lines(guarded)) == logged  # 被拒的请求什么也没改，也就不记
    assert ANSWER in client.predict(QUESTION, api_name="/ask")["answer"]  # 提问照常


def test_the_admin_area_needs_the_admin_password(guarded):
    with pytest.raises(AuthenticationError):
        Client(guarded["url"] + "admin/", verbose=False)
    with pytest.raises((AuthenticationError, ValueError)):
        Client(guarded["url"] + "admin/", auth=(ADMIN[0], "wrong-password"), verbose=False)
    with httpx.Client(base_url=guarded["url"], timeout=30) as http:
        assert http.post("admin/gradio_api/call/delete", json={"data": [SEED]}).status_code in (401, 403)
        assert http.post("admin/login", data={"username": ADMIN[0], "password": "wrong"}).status_code in (400, 401)
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    assert admin.predict(api_name="/trash") == []


def test_paths_from_the_client_are_never_opened(guarded, tmp_path: Path):
    before, logged = disk_state(guarded["folder"]), len(audit_lines(guarded))
    client = outsider(guarded, "10.0.0.2")
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    outside = tmp_path / "outside.txt"  # 服务文件夹外面的一个真文件
    outside.write_text("外面的文件\n", encoding="utf-8")
    for path in ("../outside.txt", str(outside), "/etc/passwd", "..\\..\\outside.txt", "corpus/../../outside.txt", "."):
        assert "没有找到文档" in admin.predict(path, api_name="/delete")
        assert "回收站里没有" in admin.predict(path, api_name="/restore")
        status = client.predict(path, None, api_name="/evaluate")[0]
        assert "没有这个评测文件" in status
    # 伪造成「已上传文件」的任意路径：Gradio 不让它进到处理函数
    forged = {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}, "orig_name": "passwd.jsonl"}
    event, payload = raw_call(guarded["url"] + "admin/", "evaluate", [None, forged], cookies=admin_cookies(guarded))
    assert event == "error" or "无法读取" in payload or "不是" in payload
    assert "root:" not in payload
    event, payload = raw_call(guarded["url"] + "admin/", "upload", [[{**forged, "orig_name": "passwd.txt"}]], cookies=admin_cookies(guarded))
    assert "root:" not in payload and not (guarded["corpus"] / "passwd.txt").exists()
    assert outside.read_text(encoding="utf-8") == "外面的文件\n"
    assert disk_state(guarded["folder"]) == before and len(audit_lines(guarded)) == logged


def test_an_uploaded_name_with_folders_in_it_lands_inside_the_corpus(guarded):
    logged = len(audit_lines(guarded))
    cookies = admin_cookies(guarded)
    with httpx.Client(base_url=guarded["url"] + "admin/", timeout=60, cookies=cookies) as http:
        stored = http.post("gradio_api/upload", files=[("files", ("../../escape.txt", "越界测试文档\n【内容】 全市共有越界测试7个。\n".encode()))])
        assert stored.status_code == 200, stored.text
    server_path = stored.json()[0]
    file_data = {"path": server_path, "orig_name": "../../escape.txt", "meta": {"_type": "gradio.FileData"}}
    event, payload = raw_call(guarded["url"] + "admin/", "upload", [[file_data]], cookies=cookies)
    assert event == "complete" and "已添加 escape.txt" in payload
    assert (guarded["corpus"] / "escape.txt").is_file()
    assert not (guarded["folder"] / "escape.txt").exists() and not (guarded["folder"].parent / "escape.txt").exists()
    [entry] = audit_lines(guarded)[logged:]
    assert (entry["action"], entry["file"], entry["result"]) == ("upload", "escape.txt", "ok")
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    assert "移到回收站" in admin.predict("escape.txt", api_name="/delete")
    assert [e["action"] for e in audit_lines(guarded)[logged:]] == ["upload", "delete"]


def admin_cookies(server) -> httpx.Cookies:
    """A logged-in administrator's session cookies, got through the login form as a browser does."""
    with httpx.Client(base_url=server["url"], timeout=30) as http:
        response = http.post("admin/login", data={"username": ADMIN[0], "password": ADMIN[1]})
        assert response.status_code == 200, response.text
        return http.cookies


def test_oversized_and_malformed_requests_are_answered_not_crashed(guarded, tmp_path: Path):
    url, logged = guarded["url"], len(audit_lines(guarded))
    with httpx.Client(base_url=url, timeout=60) as http:
        huge = http.post("gradio_api/call/ask", content=b'{"data": ["' + b"x" * (2 * 1024 * 1024) + b'"]}', headers={"content-type": "application/json"})
        assert huge.status_code == 413 and "请求太大" in huge.text
        assert http.post("gradio_api/call/ask", content=b"{not json", headers={"content-type": "application/json"}).status_code in (400, 422)
        assert http.post("gradio_api/call/ask", json={"data": []}).status_code in (200, 400, 422)
        unknown = http.post("gradio_api/call/no-such-endpoint", json={"data": ["x"]})
        assert unknown.status_code in (404, 500) and "Traceback" not in unknown.text  # 同一连接接着还能用：
        assert http.get("gradio_api/file=/etc/passwd").status_code in (403, 404)
        assert http.get("gradio_api/file=../../corpus/" + SEED).status_code in (403, 404)
    client = outsider(guarded, "10.0.0.3")
    long_question = "杭州因特网注册用户有多少？" + "很" * 5000
    assert client.predict(long_question, api_name="/ask")["answer"]  # 截断后照常检索
    assert "error" in client.predict("   ", api_name="/ask")
    assert len(client.predict("灾备中心", 10**9, api_name="/search")["hits"]) <= 20
    big = tmp_path / "big.txt"
    big.write_bytes("很".encode() * (20 * 1024 * 1024))  # 60 MB，过了 50 MB 的上限
    with pytest.raises(Exception, match="413|too large|Too Large|exceeds"):
        Client(url + "admin/", auth=ADMIN, verbose=False).predict([handle_file(str(big))], api_name="/upload")
    assert not (guarded["corpus"] / "big.txt").exists() and len(audit_lines(guarded)) == logged


def test_asking_too_often_is_refused_with_a_clear_message(guarded):
    client = outsider(guarded, "10.0.0.4")
    replies = [client.predict("灾备中心", 3, api_name="/search") for _ in range(RATE_BURST + 3)]
    refused = [reply for reply in replies if reply.get("error") == "请求过于频繁，请稍后再试。"]
    assert replies[0]["hits"] and 2 <= len(refused) <= 3  # 连发 RATE_BURST 次以后，每秒才补回一次
    # 桶每秒补回一次：一次问答慢时，下一问可能刚好补回了；连问几次，被拒的那次说的是中文原因，别的照常作答
    asked = [client.predict(QUESTION, api_name="/ask") for _ in range(3)]
    assert any(reply.get("error") == "请求过于频繁，请稍后再试。" for reply in asked), asked
    assert all(reply.get("error") == "请求过于频繁，请稍后再试。" or ANSWER in reply["answer"] for reply in asked)
    assert outsider(guarded, "10.0.0.5").predict(QUESTION, api_name="/ask")["answer"]  # 别的客户端不受影响
    time.sleep(2.5)
    assert ANSWER in client.predict(QUESTION, api_name="/ask")["answer"]


def test_delete_restore_and_rebuild_give_back_the_same_file_and_answers(guarded):
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    reader = outsider(guarded, "10.0.0.6")
    path = guarded["corpus"] / SEED
    original = path.read_bytes()
    before = reader.predict(QUESTION, api_name="/ask")
    assert ANSWER in before["answer"]
    start = len(audit_lines(guarded))

    assert "移到回收站" in admin.predict(SEED, api_name="/delete") and not path.exists()
    admin.predict(api_name="/rebuild")
    assert ANSWER not in reader.predict(QUESTION, api_name="/ask")["answer"]
    [item] = [item for item in admin.predict(api_name="/trash") if item["file"] == SEED]
    assert (item["file"], item["deleted_by"]) == (SEED, ADMIN[0])
    assert "已恢复" in admin.predict(item["id"], api_name="/restore")
    assert path.read_bytes() == original
    admin.predict(api_name="/rebuild")
    after = reader.predict(QUESTION, api_name="/ask")
    assert (after["answer"], after["span"], after["citations"][0]["quote"]) == (before["answer"], before["span"], before["citations"][0]["quote"])

    digest = hashlib.sha256(original).hexdigest()
    changes = [(e["user"], e["action"], e["file"], e["sha256"], e["result"]) for e in audit_lines(guarded)[start:]]
    assert changes == [
        (ADMIN[0], "delete", SEED, digest, "ok"),
        (ADMIN[0], "rebuild", None, None, "ok"),
        (ADMIN[0], "restore", SEED, digest, "ok"),
        (ADMIN[0], "rebuild", None, None, "ok"),
    ]
    assert [e["action"] for e in admin.predict(api_name="/audit")][-4:] == ["delete", "rebuild", "restore", "rebuild"]


def test_an_upload_never_replaces_a_file_and_is_recorded(guarded, tmp_path: Path):
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    start = len(audit_lines(guarded))
    same_name = tmp_path / SEED
    same_name.write_text("同名但内容不同的文件\n【内容】 全市共有同名文件3个。\n", encoding="utf-8")
    original = (guarded["corpus"] / SEED).read_bytes()
    message = admin.predict([handle_file(str(same_name))], api_name="/upload")
    assert "已有同名文件" in message and (guarded["corpus"] / SEED).read_bytes() == original
    [entry] = audit_lines(guarded)[start:]
    assert (entry["action"], entry["file"], entry["user"]) == ("upload", SEED, ADMIN[0]) and "已有同名文件" in entry["result"]
    assert entry["sha256"] == hashlib.sha256(same_name.read_bytes()).hexdigest()


def test_one_rebuild_at_a_time_and_the_waiting_ones_see_their_place(guarded):
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    logged = len(audit_lines(guarded))
    jobs = [admin.submit(api_name="/rebuild") for _ in range(3)]  # 每次重建都要重新加载索引（约一秒）
    places = set()
    while not all(job.done() for job in jobs):
        for job in jobs[1:]:
            status = job.status()
            if status.code == Status.IN_QUEUE and status.rank is not None:
                places.add(status.rank)
        time.sleep(0.02)
    assert all("索引已更新" in job.result()[0] for job in jobs)
    assert places, "no rebuild waited in the queue with a position"
    assert [e["action"] for e in audit_lines(guarded)[logged:]] == ["rebuild"] * 3


def test_an_index_written_by_qa_index_is_swapped_in_without_a_restart(guarded):
    (guarded["corpus"] / "滨海简报.txt").write_text(NEW_TEXT, encoding="utf-8")
    start = len(audit_lines(guarded))
    subprocess.run(
        [sys.executable, "-m", "qa", "index", "--corpus", str(guarded["corpus"]), "--index", str(guarded["index"])],
        cwd=ROOT, check=True, capture_output=True,
    )
    client = outsider(guarded, "10.0.0.7")
    deadline = time.time() + 30
    while NEW_ANSWER not in client.predict(NEW_QUESTION, api_name="/ask").get("answer", ""):
        assert time.time() < deadline, "the server did not take in the index qa index wrote"
        time.sleep(1)
    [entry] = audit_lines(guarded)[start:]  # 命令行的重建也记下（谁在这台机器上运行的）
    assert entry["action"] == "rebuild" and entry["result"] == "ok" and entry["user"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_in_a_browser_an_outsider_sees_no_changing_controls_and_the_admin_area_asks_for_a_login(guarded):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(guarded["url"])
        page.get_by_role("tab", name="知识库").click()
        page.get_by_text("需要管理员：请打开").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="重建索引").count() == 0 or not page.get_by_role("button", name="重建索引").is_visible()
        assert not page.get_by_role("button", name="删除").is_visible()

        page.goto(guarded["url"] + "admin/")
        page.locator("input[type=password]").wait_for(timeout=30_000)
        page.locator("input[type=text]").first.fill(ADMIN[0])
        page.locator("input[type=password]").fill("wrong-password")
        page.get_by_role("button", name="Login").or_(page.get_by_role("button", name="登录")).first.click()
        page.wait_for_timeout(1500)
        assert page.locator("input[type=password]").is_visible()  # 密码不对：还在登录页

        page.locator("input[type=text]").first.fill(ADMIN[0])
        page.locator("input[type=password]").fill(ADMIN[1])
        page.get_by_role("button", name="Login").or_(page.get_by_role("button", name="登录")).first.click()
        page.get_by_role("tab", name="知识库").click(timeout=30_000)
        page.get_by_role("button", name="重建索引").wait_for(timeout=30_000)
        assert page.get_by_text("回收站").first.is_visible() and page.get_by_text("操作记录").first.is_visible()
        page.locator("#signed-in", has_text=f"已登录：{ADMIN[0]}（管理员）").wait_for(timeout=30_000)
        logout = page.get_by_role("link", name="退出")
        assert logout.get_attribute("href") == "/admin/logout"
        page.goto(guarded["url"] + "admin/logout")
        page.goto(guarded["url"] + "admin/")
        page.locator("input[type=password]").wait_for(timeout=30_000)  # 退出后再进管理区要重新登录
        browser.close()


def test_on_a_shared_address_with_no_administrator_it_starts_read_only(real_seed_index: Path, tmp_path: Path):
    corpus, index = copy_of(real_seed_index, tmp_path)
    before = disk_state(tmp_path)
    with running_app(corpus, index, tmp_path / "server.log", host="0.0.0.0") as url:
        client = Client(url, verbose=False)
        assert "只读" in client.predict(SEED, api_name="/delete")
        assert "只读" in client.predict(api_name="/rebuild")[0]
        assert ANSWER in client.predict(QUESTION, api_name="/ask")["answer"]
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "警告" in log and "只读" in log
    assert disk_state(tmp_path) == before


def test_with_reader_accounts_asking_needs_a_login_and_readers_cannot_change_anything(real_seed_index: Path, tmp_path: Path):
    corpus, index = copy_of(real_seed_index, tmp_path)
    env = {"QA_ADMIN_PASSWORD": ADMIN[1], "QA_USERS": "wang:reader-pass-1"}
    with running_app(corpus, index, tmp_path / "server.log", env) as url:
        before = disk_state(tmp_path)
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        reader = Client(url, auth=("wang", "reader-pass-1"), verbose=False)
        assert ANSWER in reader.predict(QUESTION, api_name="/ask")["answer"]
        assert REFUSED in reader.predict(SEED, api_name="/delete")
        with pytest.raises((AuthenticationError, ValueError)):
            Client(url + "admin/", auth=("wang", "reader-pass-1"), verbose=False)  # 读者登不了管理区
        admin_at_root = Client(url, auth=ADMIN, verbose=False)  # 管理员在首页登录也有管理员权限
        assert admin_at_root.predict(api_name="/trash") == []
        # 全文页也要登录：没登录 403，读者登录后能看
        whole = f"doc?name={SEED}&start=0&end=10"
        with httpx.Client(base_url=url, timeout=30) as http:
            refused = http.get(whole)
            assert refused.status_code == 403 and "需要登录" in refused.text
            assert http.post("login", data={"username": "wang", "password": "reader-pass-1"}).status_code == 200
            page = http.get(whole)
            assert page.status_code == 200 and "信息基础设施建设全国领先" in page.text
        assert disk_state(tmp_path) == before


LOAD_SECONDS = 60  # 最多这么久；新文字答出来就停（通常十几秒）
REBUILD_AFTER_SECONDS = 2  # 提问的人都在跑了，再上传、重建
ASKERS = 50
OLD_QUESTIONS = {QUESTION: ANSWER, "杭州有多少家上市企业？": "18家", "杭州灾备中心的总存储空间是多少？": "200太"}
LOAD_TEXT = "东湖市数字经济简报\n【人才】 全年新引进软件工程师4300人，其中博士120人。\n"
LOAD_QUESTION, LOAD_ANSWER = "东湖市新引进了多少软件工程师？", "4300人"


def test_fifty_askers_while_a_rebuild_runs(guarded, tmp_path: Path):
    """Each asker from its own address (so at its own rate limit), the default limits on; they keep asking until
    the new text has been answered after the rebuild (at most LOAD_SECONDS)."""
    clients = [outsider(guarded, f"10.1.{number // 200}.{number % 200 + 1}") for number in range(ASKERS)]
    admin = Client(guarded["url"] + "admin/", auth=ADMIN, verbose=False)
    upload = tmp_path / "东湖简报.txt"
    upload.write_text(LOAD_TEXT, encoding="utf-8")
    started_at = time.time()
    deadline = started_at + LOAD_SECONDS
    finished = threading.Event()  # 重建完成后新文字答出来了
    rebuild_started, rebuilt_at = [], []
    results, new_answers, errors = [], [], []
    lock = threading.Lock()

    def ask_until_stop(number: int) -> None:
        client, questions = clients[number], list(OLD_QUESTIONS.items())
        turn = number
        while not finished.is_set() and time.time() < deadline:
            question, expected = questions[turn % len(questions)]
            turn += 1
            started = time.perf_counter()
            try:
                record = client.predict(question, api_name="/ask")
            except Exception as error:  # 任何异常都是失败，记下来
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                results.append((expected in record.get("answer", ""), (time.perf_counter() - started) * 1000, record.get("error")))

    def watch_new_text() -> None:
        client = outsider(guarded, "10.2.0.1")
        while not finished.is_set() and time.time() < deadline:
            answer = client.predict(LOAD_QUESTION, api_name="/ask").get("answer", "")
            new_answers.append((time.time(), LOAD_ANSWER in answer))
            if new_answers[-1][1] and rebuilt_at:
                finished.set()
            time.sleep(0.5)

    def rebuild_midway() -> None:
        time.sleep(REBUILD_AFTER_SECONDS)
        assert "已添加" in admin.predict([handle_file(str(upload))], api_name="/upload")
        rebuild_started.append(time.time())
        assert "索引已更新" in admin.predict(api_name="/rebuild")[0]
        rebuilt_at.append(time.time())

    with ThreadPoolExecutor(ASKERS + 2) as pool:
        futures = [pool.submit(ask_until_stop, number) for number in range(ASKERS)]
        futures += [pool.submit(watch_new_text), pool.submit(rebuild_midway)]
        for future in futures:
            future.result()
    assert errors == [] and results
    assert [error for _, _, error in results if error] == []
    assert all(ok for ok, _, _ in results)
    assert rebuilt_at, "the rebuild did not finish"
    # 旧索引答到重建开始；新文字在重建完成后答得出
    assert not any(found for answered_at, found in new_answers if answered_at < rebuild_started[0])
    after = [found for answered_at, found in new_answers if answered_at > rebuilt_at[0]]
    assert any(after), f"rebuild {rebuild_started[0] - started_at:.1f}–{rebuilt_at[0] - started_at:.1f} s, {len(after)} asks after it"
    latencies = sorted(ms for _, ms, _ in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\n{ASKERS} askers for {time.time() - started_at:.0f} s with a rebuild: {len(results)} answers, p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms")
