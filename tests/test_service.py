"""The web app's service layer on the real index: follow-ups, uploads, deletes, rebuilds."""
import os

import pytest

from qa.reading.intent import resolve_follow_up
from qa.app.render import answer_html, highlight_figures
from qa.app.accounts import Caller, Role
from qa.app.service import MAX_UPLOAD_BYTES, QAService, safe_filename

ADMIN = Caller("zhang", Role.ADMIN)  # 调用服务的管理员（网页版由登录名和角色得出）


@pytest.fixture
def service(real_index_copy, e5_encoder, reader) -> QAService:
    corpus, index = real_index_copy
    return QAService(corpus, index, background=False, encoder=e5_encoder, reader=reader)


def test_follow_up_is_answered_in_the_context_of_the_previous_question(service: QAService):
    first, understood, _ = service.ask("2007年杭州全市电子信息产业总产值是多少？")
    assert "1464.85亿元" in first.answer
    second, understood, _ = service.ask("那2002年呢？", understood)
    assert understood == "2002年杭州全市电子信息产业总产值是多少？"
    assert "389亿元" in second.answer.split("（")[0]


@pytest.mark.parametrize(
    "question, previous, expected",
    [
        ("那2002年呢？", "2007年杭州全市电子信息产业总产值是多少？", "2002年杭州全市电子信息产业总产值是多少？"),
        ("2002年呢", "杭州电子信息产业总产值是多少？", "2002年杭州电子信息产业总产值是多少？"),
        ("那利税呢？", "2007年杭州全市电子信息产业总产值是多少？", "2007年利税是多少？"),
        ("杭州有多少家上市企业？", "2007年杭州全市电子信息产业总产值是多少？", "杭州有多少家上市企业？"),
        ("那2002年呢？", None, "那2002年呢？"),
    ],
)
def test_resolve_follow_up(question, previous, expected):
    assert resolve_follow_up(question, previous) == expected


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../x.txt", "x.txt"),
        ("a/b/c.md", "c.md"),
        ("..\\\\..\\\\evil.txt", "evil.txt"),
        ("报告\x00\x1b\n.txt", "报告.txt"),
        (".hidden.txt", "hidden.txt"),
        ("年鉴 2009.TXT", "年鉴_2009.txt"),
        ("run.exe", None),
        ("noextension", None),
        ("", None),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


def test_uploads_land_inside_the_corpus_or_nowhere(service: QAService):
    corpus = service.corpus_dir
    before = set(corpus.iterdir())
    result = service.add_document("../../outside.txt", "滨海报告\n全市共有公园35个。\n".encode("utf-8"), ADMIN)
    assert result.ok and result.doc == "outside.txt" and (corpus / "outside.txt").exists()
    assert not (corpus.parent.parent / "outside.txt").exists()
    refused = [
        service.add_document("big.txt", b"a" * (MAX_UPLOAD_BYTES + 1), ADMIN),
        service.add_document("empty.md", b"", ADMIN),
        service.add_document("again.txt", "滨海报告\n全市共有公园35个。\n".encode("gbk"), ADMIN),  # 同样内容，换了编码
        service.add_document("script.sh", b"echo hi", ADMIN),
        service.add_document("outside.txt", "另一份\n内容。\n".encode("utf-8"), ADMIN),
    ]
    assert [r.ok for r in refused] == [False] * 5
    assert "太大" in refused[0].message and "空文件" in refused[1].message and "内容相同" in refused[2].message
    assert set(corpus.iterdir()) == before | {corpus / "outside.txt"}


def test_rebuild_swaps_in_the_new_index_and_delete_removes_a_document(service: QAService):
    old_pipeline = service.pipeline  # 先加载旧索引
    service.add_document("parks.txt", "滨海报告\n【公园】 全市共有公园35个。\n".encode("utf-8"), ADMIN)
    report = service.rebuild(ADMIN)
    assert report.docs_added == ["parks.txt"] and service.pipeline is not old_pipeline
    assert "35个" in service.ask("滨海市共有公园多少个？")[0].answer
    assert "移到回收站" in service.delete_document("parks.txt", ADMIN)
    assert service.rebuild(ADMIN).docs_removed == ["parks.txt"]
    assert [e.action for e in service.audit_entries(ADMIN)] == ["upload", "rebuild", "delete", "rebuild"]
    assert [d["file"] for d in service.documents()] == ["000_7c521dbcc8602230.txt", "003_c06bb3e7b6855ebf.txt"]


def test_the_document_table_shows_what_waits_for_a_rebuild(service: QAService):
    """An upload is listed (and deletable) before it is indexed; a deleted document is marked until the rebuild."""
    assert {d["state"] for d in service.documents()} == {"已索引"}  # 先把索引加载上（第一次用时会先更新索引）
    service.add_document("parks.txt", "滨海报告\n【公园】 全市共有公园35个。\n".encode("utf-8"), ADMIN)
    states = {d["file"]: d["state"] for d in service.documents()}
    assert states == {"000_7c521dbcc8602230.txt": "已索引", "003_c06bb3e7b6855ebf.txt": "已索引", "parks.txt": "待重建"}
    assert "移到回收站" in service.delete_document("parks.txt", ADMIN)
    assert "parks.txt" not in {d["file"] for d in service.documents()}
    assert "移到回收站" in service.delete_document("003_c06bb3e7b6855ebf.txt", ADMIN)
    states = {d["file"]: d["state"] for d in service.documents()}
    assert states["003_c06bb3e7b6855ebf.txt"] == "已删除，重建后生效"
    service.rebuild(ADMIN)
    assert [(d["file"], d["state"]) for d in service.documents()] == [("000_7c521dbcc8602230.txt", "已索引")]


def test_a_file_replaced_with_an_old_modification_time_waits_for_a_rebuild(service: QAService):
    """Copying in another version with its old time kept (cp -p, unzip) still shows 「待重建」: contents decide."""
    assert {d["state"] for d in service.documents()} == {"已索引"}
    path = service.corpus_dir / "003_c06bb3e7b6855ebf.txt"
    old = path.stat()
    path.write_text(path.read_text(encoding="utf-8") + "\n补充：全市共有公园35个。\n", encoding="utf-8")
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 86_400 * 10**9))
    states = {d["file"]: d["state"] for d in service.documents()}
    assert states == {"000_7c521dbcc8602230.txt": "已索引", "003_c06bb3e7b6855ebf.txt": "待重建"}
    service.rebuild(ADMIN)
    assert {d["state"] for d in service.documents()} == {"已索引"}


def test_a_refusal_gives_its_reason_in_words(service: QAService):
    answer, _, _ = service.ask("宁波市因特网注册用户有多少？")
    assert answer.abstained and answer.veto is not None
    rendered = answer_html(answer)
    assert "未作答的原因（" in rendered and f"（{answer.veto.name}）" not in rendered


def test_a_preamble_or_markup_changes_neither_the_answer_nor_its_confidence(service: QAService):
    plain, _, _ = service.ask("2007年底杭州因特网注册用户有多少？")
    for typed in (
        "您好！我是一名研究人员，最近在写一篇关于杭州信息化的文章，想请教一个问题。2007年底杭州因特网注册用户有多少？谢谢！",
        "**2007年底**杭州因特网注册用户有多少？<script>",
    ):
        answer, understood, _ = service.ask(typed)
        assert understood == "2007年底杭州因特网注册用户有多少？"
        assert (answer.span, answer.confidence) == (plain.span, plain.confidence) == ("148.13万户", plain.confidence)


def test_two_questions_in_one_are_answered_one_by_one(service: QAService):
    answers = service.ask_all("2007年底杭州因特网注册用户和移动电话用户分别有多少？")
    assert [(understood, answer.span) for answer, understood, _ in answers] == [
        ("2007年底杭州因特网注册用户有多少？", "148.13万户"),
        ("2007年底杭州移动电话用户有多少？", "809.2万户"),
    ]


def test_html_rendering_escapes_document_text(service: QAService):
    assert highlight_figures("<b>共有65家</b>") == "&lt;b&gt;共有<mark>65家</mark>&lt;/b&gt;"
    answer, _, _ = service.ask("杭州有多少家企业通过了软件能力成熟度模型评估？")
    rendered = answer_html(answer)
    assert "<mark>65家</mark>" in rendered and "引用来源" in rendered and "<script" not in rendered


def test_an_answer_to_check_looks_different_and_says_so(service: QAService):
    from dataclasses import replace

    from qa.reading.records import shown

    answer, _, _ = service.ask("杭州有多少家企业通过了软件能力成熟度模型评估？")
    assert answer.span == "65家" and answer.confidence_band in ("high", "check")
    plain = answer.answer.removeprefix("可能是：").replace("（把握不足，请核对原文）", "")
    sure = answer_html(replace(answer, confidence=0.95, confidence_band="high", answer=plain))
    assert "qa-check" not in sure and "可能是" not in sure
    to_check = replace(answer, confidence=0.4, confidence_band="check", answer=shown(plain, "check"))
    rendered = answer_html(to_check)
    assert 'class="qa-span qa-check"' in rendered and "可能是：<b>65家</b>" in rendered and "请核对" in rendered
    assert "<details open><summary>引用来源" in rendered  # 引文摊开，便于核对


def test_a_failed_rebuild_keeps_answering_from_the_old_index(service: QAService):
    from qa.indexing.store import IndexUnavailable

    assert "18家" in service.ask("杭州有多少家上市企业？")[0].answer
    for document in list(service.corpus_dir.iterdir()):
        document.unlink()
    with pytest.raises(IndexUnavailable, match="没有可读的"):
        service.rebuild(ADMIN)
    assert "18家" in service.ask("杭州有多少家上市企业？")[0].answer


def test_an_upload_is_answered_before_its_vectors_and_the_vectors_arrive_in_the_background(real_index_copy, e5_encoder, reader):
    corpus, index = real_index_copy
    service = QAService(corpus, index, encoder=e5_encoder, reader=reader)  # 后台嵌入，和网页版一样
    assert service.embedding_status() == ""
    brief = "滨海市数字经济简报\n【数据中心】 全市建成数据中心12个，机架总数3.6万个。\n【人才】 新引进信息技术人才5200人，其中博士310人。\n"
    assert service.add_document("滨海简报.txt", brief.encode("utf-8"), ADMIN).ok
    report = service.rebuild(ADMIN)
    assert report.docs_added == ["滨海简报.txt"]
    answer, _, _ = service.ask("滨海市新引进多少信息技术人才？")  # 文字一收进来就能答
    assert "5200人" in answer.answer
    service.wait_for_vectors()
    state = service.embedding_state()
    assert state.complete and state.total == len(service.pipeline.index.chunks)
    assert service.embedding_status() == "" and service.embedding_error is None
    assert {d["vectors"] for d in service.documents()} == {"全部"}
    hits = service.search("滨海市新引进多少信息技术人才？", k=1)
    assert "5200人" in hits[0].chunk.text and hits[0].dense_score is not None
    service.close()


def test_the_vector_status_line_shows_progress_rate_and_time_left(real_index_copy, e5_encoder, reader):
    corpus, index = real_index_copy
    service = QAService(corpus, index, encoder=e5_encoder, reader=reader)
    service.embedding_progress("嵌入", 0, 300)
    service.embedding_progress._first["嵌入"] = (service.embedding_progress._first["嵌入"][0] - 10, 0)  # 十秒前开始
    snapshot = service.embedding_progress("嵌入", 100, 300)
    assert snapshot.per_second == pytest.approx(10, rel=0.05) and snapshot.seconds_left == pytest.approx(20, rel=0.05)
    assert snapshot.text().startswith("嵌入 100/300 段（10.0/秒，约剩 20 秒）")



def test_the_vector_line_gives_a_rate_only_from_this_runs_own_progress():
    """No 「0.0 段/秒，约剩 0 秒」: a finished run's or a just-started run's snapshot gives no rate."""
    from qa.app.progress import Snapshot, vector_status

    finished = Snapshot("嵌入", 300, 300, 12.0, 0.0)
    starting = Snapshot("嵌入", 0, 300, None, None)
    for latest in (finished, starting, None):
        assert vector_status(10, 300, latest, True, None) == "向量：10/300 段（正在后台计算，速度稍后显示）；还没有向量的段落暂按关键词检索。"
    assert vector_status(100, 300, Snapshot("嵌入", 100, 300, 10.0, 20.0), True, None).startswith("向量：100/300 段（10 段/秒，约剩 20 秒）")
    assert "后台计算已停止" in vector_status(10, 300, finished, False, None)
    assert "后台计算出错：磁盘满" in vector_status(10, 300, None, False, "磁盘满")


def test_an_english_question_gets_a_chinese_reason(service: QAService):
    answer, _, _ = service.ask("How many listed companies are there in Hangzhou?")
    assert answer.abstained and answer.veto.name == "language" and "请用中文再问一次" in answer.veto.reason
    assert "未作答的原因（不是中文问题）" in answer_html(answer)
