"""Accounts, the trash, the audit log and rate limits, on real files in tmp_path."""
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from qa.app.accounts import (
    AccessPolicy,
    Account,
    Accounts,
    Caller,
    CredentialsError,
    Role,
    hash_password,
    is_loopback,
    read_credentials,
    verify_password,
    write_account,
)
from qa.app.audit import AuditLog, file_sha256
from qa.app.limits import RateLimiter
from qa.app.service import NotAllowed, QAService

from conftest import ROOT

ADMIN = Caller("zhang", Role.ADMIN)  # 调用服务的管理员（网页版由登录名和角色得出）


def test_passwords_are_stored_only_as_salted_hashes(tmp_path: Path):
    encoded = hash_password("长城-secret-9")
    assert encoded.startswith("pbkdf2_sha256$") and "长城" not in encoded and "secret" not in encoded
    assert encoded != hash_password("长城-secret-9")  # 每次加盐不同
    assert verify_password("长城-secret-9", encoded) and not verify_password("长城-secret-8", encoded)
    assert not verify_password("x", "garbage") and not verify_password("x", "md5$1$AA==$AA==")

    path = tmp_path / "credentials.txt"
    write_account(path, "zhang", Role.ADMIN, "first-password")
    write_account(path, "li", Role.READER, "reader-password")
    write_account(path, "zhang", Role.ADMIN, "second-password")  # 改密码：替换而不是再加一行
    text = path.read_text(encoding="utf-8")
    assert "password" not in text.replace("pbkdf2", "") and text.count("zhang") == 1
    accounts = Accounts(read_credentials(path))
    assert accounts.check("zhang", "second-password", Role.ADMIN).name == "zhang"
    assert accounts.check("zhang", "first-password") is None
    assert accounts.check("li", "reader-password", Role.ADMIN) is None  # 读者不能登管理员
    assert accounts.check("nobody", "x") is None


def test_a_plain_password_in_the_credentials_file_is_refused(tmp_path: Path):
    path = tmp_path / "credentials.txt"
    path.write_text("zhang admin hunter2\n", encoding="utf-8")
    with pytest.raises(CredentialsError, match="第 1 行.*只存散列"):
        read_credentials(path)


def test_environment_accounts_and_who_is_an_administrator(tmp_path: Path):
    accounts = Accounts.from_environment(tmp_path / "none.txt", {"QA_ADMIN_PASSWORD": "admin-pass", "QA_USERS": "wang:w-pass,zhao:z-pass"})
    assert accounts.check("admin", "admin-pass", Role.ADMIN) and accounts.check("wang", "w-pass", Role.READER)
    with pytest.raises(CredentialsError, match="用户名:密码"):
        Accounts.from_environment(None, {"QA_USERS": "wang"})

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    local = AccessPolicy.for_host("127.0.0.1", Accounts())
    assert local.local_admin and not local.read_only and local.role_of(None) is Role.ADMIN
    shared = AccessPolicy.for_host("0.0.0.0", Accounts())
    assert shared.read_only and shared.role_of(None) is Role.READER
    guarded = AccessPolicy.for_host("127.0.0.1", accounts)
    assert not guarded.local_admin and guarded.role_of(None) is Role.READER and guarded.role_of("admin") is Role.ADMIN
    assert guarded.readers_log_in


def test_qa_user_add_writes_a_hash_and_never_the_password(tmp_path: Path):
    path = tmp_path / "credentials.txt"
    command = [sys.executable, "-m", "qa", "user", "add", "zhang", "--role", "admin", "--password-stdin", "--credentials", str(path)]
    result = subprocess.run(command, input="a-long-password\n", capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "a-long-password" not in path.read_text(encoding="utf-8")
    assert Accounts(read_credentials(path)).check("zhang", "a-long-password", Role.ADMIN)
    short = subprocess.run(command, input="short\n", capture_output=True, text=True, cwd=ROOT)
    assert short.returncode != 0 and "至少 8 个字符" in short.stderr
    listed = subprocess.run([sys.executable, "-m", "qa", "user", "list", "--credentials", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert listed.stdout.split() == ["zhang", "admin"]


def test_rate_limit_allows_a_burst_then_refills():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # 每个客户端各算各的
    now[0] += 1.0  # 一秒补回一次
    assert limiter.allow("a") and not limiter.allow("a")
    assert all(RateLimiter(per_minute=0).allow("a") for _ in range(100))  # 0：不限


def test_delete_goes_to_the_trash_and_restores_byte_identical(seed_corpus: Path):
    service = QAService(seed_corpus, seed_corpus.parent / "index", background=False)
    name = "000_7c521dbcc8602230.txt"
    original = (seed_corpus / name).read_bytes()
    assert "移到回收站" in service.delete_document(name, ADMIN)
    assert not (seed_corpus / name).exists()
    [item] = service.trash_items(ADMIN)
    assert (item.file, item.deleted_by, item.size) == (name, "zhang", len(original))
    assert "没有找到" in service.delete_document("../corpus/" + name, ADMIN)  # 路径一律不认
    assert "回收站里没有" in service.restore_document("../../etc/passwd", ADMIN)
    (seed_corpus / name).write_text("同名的新文件\n", encoding="utf-8")
    assert "已有同名文件" in service.restore_document(item.id, ADMIN)  # 不覆盖
    (seed_corpus / name).unlink()
    assert "已恢复" in service.restore_document(item.id, ADMIN)
    assert (seed_corpus / name).read_bytes() == original and service.trash_items(ADMIN) == []
    actions = [(e.user, e.action, e.file, e.result) for e in service.audit_entries(ADMIN)]
    assert actions == [
        ("zhang", "delete", name, "ok"),
        ("zhang", "restore", name, actions[1][3]),  # 同名文件在：拒绝，并记下原因
        ("zhang", "restore", name, "ok"),
    ]
    assert "已有同名文件" in actions[1][3]
    assert service.audit_entries(ADMIN)[-1].sha256 == file_sha256(seed_corpus / name)


def test_the_audit_log_is_appended_and_skips_damaged_lines(tmp_path: Path):
    log = AuditLog(tmp_path / "corpus.audit.jsonl")
    log.record("zhang", "upload", "a.txt", "ab" * 32)
    with open(log.path, "a", encoding="utf-8") as stream:
        stream.write("{not json\n")
    log.record("li", "rebuild")
    assert [(e.user, e.action) for e in log.entries()] == [("zhang", "upload"), ("li", "rebuild")]
    assert json.loads(log.path.read_text(encoding="utf-8").splitlines()[0])["file"] == "a.txt"
    with pytest.raises(ValueError, match="未知操作"):
        log.record("zhang", "format-disk")


def test_the_service_refuses_every_change_to_a_reader_without_any_web_layer(seed_corpus: Path, tmp_path: Path):
    """Roles live in the service: a reader (or an anonymous caller on a shared address) calling it directly — a
    script, another front end — is refused every changing operation, and nothing on disk changes."""
    accounts = Accounts([])
    policy = AccessPolicy(accounts, local_admin=False)  # 对外地址、没有配置管理员：只读
    service = QAService(seed_corpus, tmp_path / "index", background=False, policy=policy)
    reader = Caller("wang", Role.READER)
    before = sorted((p.name, p.read_bytes()) for p in seed_corpus.iterdir())
    questions = tmp_path / "mine.jsonl"
    questions.write_text('{"id": "a", "question": "杭州有多少家上市企业？", "answers": ["18家"], "doc": "", "section": "", "kind": "figure"}\n', encoding="utf-8")
    changes = [
        lambda: service.add_document("new.txt", "滨海报告\n全市共有公园35个。\n".encode("utf-8"), reader),
        lambda: service.delete_document("000_7c521dbcc8602230.txt", reader),
        lambda: service.restore_document("anything", reader),
        lambda: service.rebuild(reader),
        lambda: service.trash_items(reader),
        lambda: service.audit_entries(reader),
        lambda: service.evaluation_file(tmp_path, None, questions, reader),
    ]
    for change in changes:
        with pytest.raises(NotAllowed, match="只读"):
            change()
    assert sorted((p.name, p.read_bytes()) for p in seed_corpus.iterdir()) == before
    assert not (tmp_path / "index").exists() and not service.audit.path.exists()
    # 有管理员账号的服务器：拒绝时说去哪里登录
    guarded = QAService(seed_corpus, tmp_path / "index", background=False, policy=AccessPolicy(Accounts([Account("li", Role.ADMIN, hash_password("p"))]), local_admin=False))
    with pytest.raises(NotAllowed, match="/admin/"):
        guarded.delete_document("000_7c521dbcc8602230.txt", reader)


def test_the_log_the_trash_and_the_accounts_live_beside_the_index_not_the_corpus(seed_corpus: Path, tmp_path: Path, monkeypatch):
    """The corpus folder may be read-only or shared: nothing the app keeps is written beside it. A log and a trash an
    older version kept there are moved over once; QA_STATE puts them elsewhere, even on another disk."""
    from qa.app.state import credentials_path

    corpus_parent = seed_corpus.parent
    (corpus_parent / "corpus.audit.jsonl").write_text('{"time": "2026-11-01T10:00:00+08:00", "user": "li", "action": "delete", "file": "old.txt", "sha256": null, "result": "ok"}\n', encoding="utf-8")
    index = tmp_path / "indexes" / "index"
    service = QAService(seed_corpus, index, background=False)
    assert not (corpus_parent / "corpus.audit.jsonl").exists()  # 旧的操作记录搬到了索引旁
    name = "003_c06bb3e7b6855ebf.txt"
    assert "移到回收站" in service.delete_document(name, ADMIN)
    assert (tmp_path / "indexes" / "index.trash").is_dir() and (tmp_path / "indexes" / "index.audit.jsonl").is_file()
    assert [e.action for e in service.audit_entries(ADMIN)] == ["delete", "delete"]
    assert sorted(p.name for p in corpus_parent.iterdir() if p.name.startswith("corpus")) == ["corpus"]
    assert credentials_path(index) == tmp_path / "indexes" / "credentials.txt"

    elsewhere = Path(tempfile.mkdtemp(dir="/dev/shm" if Path("/dev/shm").is_dir() else None))  # 通常是另一个文件系统
    try:
        monkeypatch.setenv("QA_STATE", str(elsewhere))
        other = QAService(seed_corpus, tmp_path / "second", background=False)
        original = (seed_corpus / "000_7c521dbcc8602230.txt").read_bytes()
        assert "移到回收站" in other.delete_document("000_7c521dbcc8602230.txt", ADMIN)
        [item] = other.trash_items(ADMIN)
        assert (elsewhere / "second.trash" / item.id).read_bytes() == original
        assert "已恢复" in other.restore_document(item.id, ADMIN)
        assert (seed_corpus / "000_7c521dbcc8602230.txt").read_bytes() == original
        assert [p.name for p in (elsewhere / "second.trash").iterdir()] == []  # 没有留下搬到一半的文件
        assert (elsewhere / "second.audit.jsonl").is_file()
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)
