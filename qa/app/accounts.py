"""Who may do what in the web app: readers ask and search; administrators change the knowledge base.

Accounts come from the environment or a credentials file (`qa user add`), never stored in plain text:
- `QA_ADMIN_PASSWORD` (name `QA_ADMIN_USER`, default admin): one administrator; the password is hashed on start
  and the plain text is not kept;
- `QA_USERS` = 「name:password,name:password」: readers behind a shared login (asking stays open without it);
- `QA_CREDENTIALS` (default `credentials.txt` beside the index, `qa.app.state`): lines 「name role pbkdf2_sha256$…」.

Who counts as an administrator when none is configured: the local user of an app served on a loopback address
(the README's first command); on any other address the app starts read-only, with a warning.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

HASH_NAME = "pbkdf2_sha256"
HASH_ITERATIONS = 240_000  # OWASP 2023 对 PBKDF2-SHA256 的建议量级；两核上一次登录约 0.2 秒
DEFAULT_ADMIN = "admin"
LOCAL_USER = "本机用户"  # 只在本机地址上、没配置管理员时：打开网页的人就是这台机器的用户
ADMIN_PATH = "/admin"  # 管理员登录的地址（网页版把管理区挂在这里）


class Role(Enum):
    READER = "reader"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        for role in cls:
            if role.value == text:
                return role
        raise ValueError(f"未知角色「{text}」，可选：{'、'.join(r.value for r in cls)}")


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    password_hash: str


class CredentialsError(ValueError):
    """A credentials file or variable that cannot be used; the message says what to fix."""


def hash_password(password: str, salt: bytes | None = None, iterations: int = HASH_ITERATIONS) -> str:
    """「pbkdf2_sha256$iterations$salt$hash」 (salt and hash in base64)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{HASH_NAME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether the password matches the stored hash (compared in constant time)."""
    try:
        name, iterations, salt, expected = encoded.split("$")
        if name != HASH_NAME:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(_b64(digest), expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Accounts:
    """The known accounts; `check` is what Gradio's login calls."""

    def __init__(self, accounts: list[Account] = ()):
        self._accounts = {account.name: account for account in accounts}

    def check(self, name: str, password: str, role: Role | None = None) -> Account | None:
        """The account, if the password is right (and it has the role, when one is asked for)."""
        account = self._accounts.get(name)
        if account is None or (role is not None and account.role is not role):
            verify_password(password, _DUMMY_HASH)  # 用户名不存在也花同样的时间：不从耗时透露谁有账号
            return None
        return account if verify_password(password, account.password_hash) else None

    def role_of(self, name: str | None) -> Role | None:
        account = self._accounts.get(name or "")
        return account.role if account else None

    def has(self, role: Role) -> bool:
        return any(account.role is role for account in self._accounts.values())

    @classmethod
    def from_environment(cls, credentials: Path | None = None, environ: dict | None = None) -> Accounts:
        """Accounts from QA_ADMIN_PASSWORD, QA_USERS and the credentials file (a missing file is no accounts)."""
        environ = os.environ if environ is None else environ
        accounts = read_credentials(credentials) if credentials is not None and credentials.exists() else []
        admin_password = environ.get("QA_ADMIN_PASSWORD")
        if admin_password:
            accounts.append(Account(environ.get("QA_ADMIN_USER") or DEFAULT_ADMIN, Role.ADMIN, hash_password(admin_password)))
        for entry in filter(None, (part.strip() for part in environ.get("QA_USERS", "").split(","))):
            name, colon, password = entry.partition(":")
            if not colon or not name or not password:
                raise CredentialsError(f"QA_USERS 里的「{entry.split(':')[0]}」格式不对：应为「用户名:密码」，多个用逗号隔开。")
            accounts.append(Account(name, Role.READER, hash_password(password)))
        return cls(accounts)


_DUMMY_HASH = hash_password("", salt=b"\0" * 16)


def read_credentials(path: Path) -> list[Account]:
    """Accounts from a credentials file: 「name role hash」 per line, # comments. Plain passwords are refused."""
    accounts = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[2].startswith(HASH_NAME + "$"):
            raise CredentialsError(
                f"{path} 第 {number} 行不是「用户名 角色 {HASH_NAME}$…」：密码只存散列，请用 `qa user add` 添加账号。"
            )
        try:
            accounts.append(Account(parts[0], Role.parse(parts[1]), parts[2]))
        except ValueError as error:
            raise CredentialsError(f"{path} 第 {number} 行：{error}") from error
    return accounts


def write_account(path: Path, name: str, role: Role, password: str) -> None:
    """Add or replace one account in the credentials file (written to a temporary file, then renamed)."""
    if not name or any(char.isspace() for char in name):
        raise CredentialsError("用户名不能为空，也不能含空格。")
    kept = [account for account in (read_credentials(path) if path.exists() else []) if account.name != name]
    kept.append(Account(name, role, hash_password(password)))
    save_accounts(path, kept)


def remove_account(path: Path, name: str) -> bool:
    """Remove one account; False if there was none of that name."""
    accounts = read_credentials(path) if path.exists() else []
    kept = [account for account in accounts if account.name != name]
    if len(kept) == len(accounts):
        return False
    save_accounts(path, kept)
    return True


def save_accounts(path: Path, accounts: list[Account]) -> None:
    lines = ["# 杭州信息化问答的账号：用户名 角色 密码散列（由 `qa user add` 写入，不存明文）"]
    lines += [f"{account.name} {account.role.value} {account.password_hash}" for account in accounts]
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def is_loopback(host: str) -> bool:
    """Whether the app listens only on this machine (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Caller:
    """Who is asking the service to do something: a name for the audit log and a role that decides what is allowed."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


# 命令行和脚本：在这台机器上、能直接改语料文件夹的人
TERMINAL = Caller(LOCAL_USER, Role.ADMIN)


@dataclass(frozen=True)
class AccessPolicy:
    """Who may change the knowledge base on this server, and whether everyone has to log in."""

    accounts: Accounts
    local_admin: bool  # 本机地址、没配置管理员：打开网页的人就有管理员权限

    @classmethod
    def for_host(cls, host: str, accounts: Accounts) -> AccessPolicy:
        return cls(accounts, local_admin=is_loopback(host) and not accounts.has(Role.ADMIN))

    @property
    def read_only(self) -> bool:
        """Nobody can change the knowledge base (a shared address with no administrator configured)."""
        return not self.local_admin and not self.accounts.has(Role.ADMIN)

    @property
    def readers_log_in(self) -> bool:
        """Asking needs a login too (QA_USERS or reader accounts exist)."""
        return self.accounts.has(Role.READER)

    def role_of(self, username: str | None) -> Role:
        if self.local_admin:
            return Role.ADMIN
        return self.accounts.role_of(username) or Role.READER

    def caller(self, username: str | None) -> Caller:
        """The caller of a web request by its logged-in name (none: an anonymous reader, or the local user)."""
        role = self.role_of(username)
        return Caller(username or (LOCAL_USER if role is Role.ADMIN else "匿名读者"), role)

    def refusal(self) -> str:
        """Why a change is refused on this server, and what to do."""
        if self.read_only:
            return "这个服务是只读的：没有配置管理员（QA_ADMIN_PASSWORD 或 `qa user add`），不能修改知识库。"
        return f"需要管理员登录才能修改知识库：请打开 {ADMIN_PATH}/ 用管理员账号登录。"
