"""What stands in front of the web app: request size limits, and unhandled errors kept from dropping connections."""
from __future__ import annotations

import traceback

from qa.app.service import MAX_UPLOAD_BYTES

MAX_REQUEST_BYTES = 1024 * 1024  # 上传以外的请求（提问、检索、评测选项）不会超过这么大
MAX_UPLOAD_REQUEST_BYTES = 8 * MAX_UPLOAD_BYTES  # 一次上传几个文件（每个文件的上限另由 Gradio 检查）
UPLOAD_CLOSED = "上传文件需要管理员：请在 /admin/ 登录后上传。"


class RequestGuard:
    """ASGI middleware in front of the app: a request body past its limit is refused with 413 before the app reads
    it all (by Content-Length when given, by counting when streamed); an error the app leaves unhandled (Gradio
    raises on an unknown api_name) is logged and answered, not passed on to drop the connection."""

    def __init__(self, app, closed_upload_paths: tuple[str, ...] = (), page_head: str = ""):
        self.app = app
        # 插在每个网页 <head> 最前面的内容（页面语言），要在 Gradio 自己的脚本之前运行
        self.page_head = page_head.encode("utf-8")
        # 不许上传的入口：只有管理员能上传时，公开页面的 Gradio 上传口（它先把文件存进缓存）也关上
        self.closed_upload_paths = closed_upload_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["path"] in self.closed_upload_paths:
            return await _reply(send, 403, UPLOAD_CLOSED)
        limit = MAX_UPLOAD_REQUEST_BYTES if scope["path"].endswith("/upload") else MAX_REQUEST_BYTES
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _reply(send, 413, "请求太大，已拒绝。")
        received, started = 0, False

        async def counted_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _TooLarge
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        if self.page_head and scope["method"] == "GET":
            tracked_send = _with_head(tracked_send, self.page_head)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await _reply(send, 413, "请求太大，已拒绝。")
        except Exception as error:
            unknown = type(error).__name__ == "FnIndexInferError"  # 没有这个 api_name
            if not unknown:
                traceback.print_exc()
            if not started:  # Starlette 通常已答过 500；没答就由这里答，连接不断
                await _reply(send, 404 if unknown else 500, "没有这个接口。" if unknown else "服务器内部错误，已记入服务器日志。")


def _with_head(send, head: bytes):
    """A `send` that puts `head` right after an HTML page's <head> (the page is collected first: they are small);
    other responses, and compressed ones, pass through as they are."""
    start, chunks = None, []

    async def send_with_head(message):
        nonlocal start
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                start = message
                return None
            return await send(message)
        if start is None:
            return await send(message)
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return None
        body = b"".join(chunks).replace(b"<head>", b"<head>" + head, 1)
        headers = [(name, value) for name, value in start.get("headers") or [] if name != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        return await send({"type": "http.response.body", "body": body})

    return send_with_head


class _TooLarge(Exception):
    pass


async def _reply(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
