"""Document -> Section list: heading detection for the styles Chinese reports use."""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.types import Document, Section

# 各种标题样式的层级：数字小的在上层。破折号标题与独立短行同级（都是报告的一级小标题）。
STYLE_RANK = {
    **{f"md{level}": level for level in range(1, 7)},
    "chapter": 7,  # 第X章
    "part": 8,  # 第X节
    "dash": 9,  # ——标题
    "short": 9,  # 独立成行、不带句读的短行
    "cn": 10,  # 一、
    "cn_paren": 11,  # （一）
    "num": 12,  # 1. 1、
    "num_paren": 13,  # （1）
    "bracket": 14,  # 【标题】 正文
}

_CN_DIGITS = "一二三四五六七八九十百零〇两"
_SENTENCE_PUNCT = "。！？；，、,;!?：:"
# 段与段之间空一行的文档里，相邻的几行是同一段（网页复制来的文本把链接词断成单独的行：
# 「党的十八届六中全会\n正式明确\n习近平\n总书记……」）；这样的换行占到这个比例就按空行分段
_BLANK_LINE_PARAGRAPHS = 0.3
_NUMBERED_STYLES = {"chapter", "part", "cn", "cn_paren", "num", "num_paren"}
_INVISIBLE = "\u200b\u200c\u200d\ufeff"  # 零宽字符：网页复制来的文本里常单独成行
_MAX_HEADING = 40
_FULL_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_MAX_SHORT_LINE = 20
_MAX_INLINE_HEADING = 30

_MARKDOWN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_DASH = re.compile(r"^(?:——|--+|—)\s*(\S.*)$")
_CHAPTER = re.compile(rf"^第[{_CN_DIGITS}\d]+章")
_PART = re.compile(rf"^第[{_CN_DIGITS}\d]+节")
_NUMBERED = (
    ("cn", re.compile(rf"^[{_CN_DIGITS}]+、")),
    ("cn_paren", re.compile(rf"^[（(][{_CN_DIGITS}]+[）)]")),
    ("num", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    ("num_paren", re.compile(r"^[（(]\d{1,2}[）)]")),
)
_BRACKET = re.compile(r"^【([^】\n]{1,30})】")
# 段首引语：「产业地位不断提升：」或「技术创新方面，」，是本段的小标题
_LEAD_IN_COLON = re.compile(r"^([^，。；：:！？、,;\d\s（）()“”]{4,20})[：:](?=\S)")
_LEAD_IN_ASPECT = re.compile(r"^([^，。；：:！？、,;\d\s]{2,10}方面)[，,]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class _Heading:
    style: str
    name: str
    inline: bool  # 标题与正文在同一段（【】、段首引语、带正文的编号段）


def split_sections(document: Document) -> list[Section]:
    """Split a document into sections; the text before any heading belongs to the title."""
    paragraphs = list(_paragraphs(document.text))
    title_line = 0 if paragraphs and paragraphs[0][2].lstrip("#").strip() == document.title else None
    stack: list[tuple[int, str, str]] = []  # (rank, name, style) of the open headings
    runs: list[tuple[tuple[str, ...], int, int]] = []  # (path, start, end)

    for index, (start, end, line) in enumerate(paragraphs):
        if index == title_line:
            continue
        is_last = index == len(paragraphs) - 1
        heading = detect_heading(line, is_last=is_last)
        path: tuple[str, ...]
        if heading is None:
            path = _path(stack, document.title)
        elif heading.style == "lead_in":
            path = (*_path(stack, document.title, intro=False), heading.name)
        else:
            rank = STYLE_RANK[heading.style]
            while stack and (stack[-1][0] >= rank or (heading.style in _NUMBERED_STYLES and stack[-1][2] == "short")):
                stack.pop()  # 编号标题（「一、」）不会挂在一个不带编号的短行下面（封面上的「国务院总理」「李克强」）
            stack.append((rank, heading.name, heading.style))
            if not heading.inline:
                continue
            path = _path(stack, document.title)
        _extend(runs, path, start, end)

    return [Section(path=path, text=document.text[start:end], start=start, end=end) for path, start, end in runs]


def detect_heading(line: str, is_last: bool = False) -> _Heading | None:
    """Classify one stripped paragraph as a heading style, or None for body text."""
    markdown = _MARKDOWN.match(line)
    if markdown:
        return _Heading(f"md{len(markdown.group(1))}", markdown.group(2).strip(), inline=False)
    dash = _DASH.match(line)
    if dash and len(line) <= _MAX_HEADING and "。" not in line and _CJK.search(dash.group(1)):  # 「——经济运行稳中向好。国内生产总值……」是正文
        return _Heading("dash", dash.group(1).strip(), inline=False)
    for style, pattern in (("chapter", _CHAPTER), ("part", _PART), *_NUMBERED):
        if pattern.match(line):
            return _numbered_heading(style, line)
    bracket = _BRACKET.match(line)
    if bracket:
        return _Heading("bracket", bracket.group(1).strip(), inline=True)
    if not is_last and _is_short_line(line):
        return _Heading("short", line, inline=False)
    lead_in = _LEAD_IN_COLON.match(line) or _LEAD_IN_ASPECT.match(line)
    if lead_in:
        return _Heading("lead_in", lead_in.group(1), inline=True)
    return None


def _numbered_heading(style: str, line: str) -> _Heading | None:
    if len(line) <= _MAX_HEADING and line[-1] not in "。！？；;!?":
        return _Heading(style, line, inline=False)
    # 「（一）着力稳增长。全年……」：第一句短且不含数字，就是本段的标题
    first_clause = re.match(r"^(.{2,%d}?)[。：:]" % _MAX_INLINE_HEADING, line)
    if first_clause and not _has_quantity(first_clause.group(1), style):
        return _Heading(style, first_clause.group(1), inline=True)
    return None


def _has_quantity(clause: str, style: str) -> bool:
    numbering = dict(_NUMBERED).get(style)
    body = numbering.sub("", clause, count=1) if numbering else clause
    return bool(re.search(r"\d", body))


def _is_short_line(line: str) -> bool:
    return (
        len(line) <= _MAX_SHORT_LINE
        and bool(_CJK.search(line))
        and not any(char in _SENTENCE_PUNCT for char in line)
        and not (line[0] in "（(" and line[-1] in "）)")
        and not _FULL_DATE.search(line)  # 标题下的落款、日期行（「某某局 2024年3月20日发布」）是正文
    )


def _path(stack: list[tuple[int, str, str]], title: str, intro: bool = True) -> tuple[str, ...]:
    if stack:
        return tuple(name for _, name, _ in stack)
    return (title,) if intro else ()


def _extend(runs: list, path: tuple[str, ...], start: int, end: int) -> None:
    """Merge consecutive paragraphs with the same path into one run."""
    if runs and runs[-1][0] == path:
        runs[-1] = (path, runs[-1][1], end)
    else:
        runs.append((path, start, end))


def _paragraphs(text: str):
    """Yield (start, end, stripped text) for each paragraph, offsets into `text`: each non-empty line, or, where
    the document separates paragraphs with blank lines, each run of adjacent lines joined."""
    lines = list(_lines(text))
    # 两行之间有没有空行（只有零宽字符的行不算空行：它是网页里断开一个词的地方）
    breaks = [any(not line.strip() for line in text[end:start].split("\n")[1:-1]) for (_, end, _), (start, _, _) in zip(lines, lines[1:])]
    blank_separated = bool(breaks) and sum(breaks) / len(breaks) >= _BLANK_LINE_PARAGRAPHS
    if not blank_separated:
        yield from lines
        return
    # 编号、Markdown、破折号标题总是自成一段，哪怕紧接着正文没有空行
    alone = [_stands_alone(line) for _, _, line in lines]
    block = [lines[0]]
    for index, blank_before in enumerate(breaks, start=1):
        if blank_before or alone[index] or alone[index - 1]:
            yield _joined(block)
            block = []
        block.append(lines[index])
    yield _joined(block)


def join_wrapped_lines(text: str) -> str:
    """The text with each paragraph on one line, where the document separates paragraphs with blank lines and
    breaks lines inside them (web pages copied as text put each link word on its own line: 「新建改建\n高速公路\n
    6700多公里」「PM\n2.5」). Sentence, time and figure reading then see whole sentences. Other texts are unchanged."""
    pieces, done = [], 0
    for start, end, joined in _paragraphs(text):
        if joined != text[start:end]:
            pieces += [text[done:start], joined]
            done = end
    return "".join(pieces) + text[done:] if pieces else text


def _stands_alone(line: str) -> bool:
    heading = detect_heading(line)
    return heading is not None and heading.style not in ("short", "lead_in", "bracket")


def _joined(block: list[tuple[int, int, str]]) -> tuple[int, int, str]:
    text = block[0][2]
    for _, _, part in block[1:]:
        # 两个英文词之间的断行是一个空格；汉字、数字、标点之间不是
        text += " " + part if text[-1].isascii() and text[-1].isalpha() and part[0].isascii() and part[0].isalpha() else part
    return block[0][0], block[-1][1], text


def _lines(text: str):
    """Yield (start, end, stripped line) for each non-empty line (zero-width characters count as blank)."""
    offset = 0
    for raw_line in text.split("\n"):
        stripped = raw_line.strip().strip(_INVISIBLE).strip()
        if stripped:
            start = offset + raw_line.index(stripped[0])
            yield start, start + len(stripped), stripped
        offset += len(raw_line) + 1
