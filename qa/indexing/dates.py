"""When a document was published: from the file's metadata (a PDF's CreationDate, Word and Excel document
properties, a web page's <meta>), else from what its text says (a 「发布时间：」 line, the date line under the title,
the year in the title), in that order of trust. A date a tool wrote is checked against the text first: files are
converted and re-saved long after they were written (`file_date_fits`)."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_tz

from qa.text.time import (
    DATELINE_LINES,
    EARLIEST_YEAR,
    LATEST_YEAR,
    filename_year,
    find_times,
    opening_dateline,
    title_written_year,
    written_date,
)
from qa.types import Published

# 日期从哪里读到的（知识库表格和清单里显示的就是它）
PDF_METADATA = "PDF 元数据"
WORD_PROPERTIES = "Word 文档属性"
EXCEL_PROPERTIES = "Excel 文档属性"
HTML_META = "网页 meta"
RELEASE_LINE = "发布时间"
DATELINE = "题下日期"
TITLE = "标题"

# 网页 <meta> 里说发布日期的名字（name、property 或 itemprop，小写），可信的在前；「修改时间」类不算
PUBLISHED_META = (
    "article:published_time",  # Open Graph 文章
    "datepublished",  # schema.org（itemprop）
    "pubdate",  # 政府网站常用：<meta name="PubDate" content="2024-01-10 09:30">
    "publishdate",
    "publish_date",
    "publication_date",
    "firstpublishedtime",
    "dc.date.issued",  # Dublin Core
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
)
# 「发布时间：2024-01-10」「成文日期：2024年1月10日」「日期：2024/01/10」「发布于 2024-01-10」；前面紧挨着汉字的不算
# （「截止日期：」「会议时间：」说的是别的日子）
_RELEASE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:(?:(?:发布|发表|发文|成文|印发|公布)(?:时间|日期)|日期)[】\]]?\s*[:：]|发布于)\s*"
)
# 落款式：「某某局 2024年3月20日发布」「2024-01-10 印发」（日期在前，动词在后，一行到此为止）
_RELEASED_ON = re.compile(
    r"(?P<date>[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日|[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2})\s*(?:发布|印发|公布)\s*$",
    re.MULTILINE,
)
RELEASE_CHARS = 2000  # 发布时间写在开头：只在这么多字里找
# 文件日期与正文说到的年份对照时，「开头」是前几行里的这么多字
OPENING_CHARS = 500
# 正文说到的年份前后各放宽一年：讲某一年的报告、新闻多在次年发布（2023年统计公报 2024年印发），
# 讲某一年的计划多在前一年印发
YEAR_SLACK = 1

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# 「2024-01-10」「2024/1/10」「2024.01.10 09:30」「2024年01月10日」；后面可以跟时刻
_SEPARATED = re.compile(
    r"(?P<year>[0-9]{4})\s*(?:年|[-/.－／．])\s*(?P<month>[0-9]{1,2})(?:\s*(?:月|[-/.－／．])\s*(?P<day>[0-9]{1,2})(?![0-9]))?"
)
# 「20240110」「20240110093000+08'00'」「2024」
_COMPACT = re.compile(r"(?P<year>[0-9]{4})(?:(?P<month>[0-9]{2})(?P<day>[0-9]{2})?)?")
# 早年 PDF 工具的千年虫：2021 年写成「19121」（19 后接 年份−1900），后面仍是月日时分秒
_Y2K_PDF = re.compile(r"19(?P<century_years>1[0-9]{2})(?P<month>[0-9]{2})(?P<day>[0-9]{2})(?:[0-9]{6})?(?![0-9])")


def parse_date(value: str | None) -> str | None:
    """A date as metadata and 发布时间 lines write it → ISO 「2024-01-10」, or 「2024」 when only the year is
    readable; None when there is no plausible year. Reads 「2024-01-10T09:30:00+08:00」「2024/1/10」「2024年1月10日」
    「二〇二四年一月十日」「20240110」 and e-mail style 「Wed, 10 Jan 2024 09:30:00 GMT」."""
    text = (value or "").strip().translate(_FULLWIDTH_DIGITS)
    if not text:
        return None
    match = _SEPARATED.match(text)
    if match:
        return _iso(int(match["year"]), match["month"], match["day"])
    chinese = written_date(text)
    if chinese:
        return _iso(*chinese)
    match = _COMPACT.match(text)
    if match:
        return _iso(int(match["year"]), match["month"], match["day"])
    parsed = parsedate_tz(text)
    if parsed and parsed[0]:
        return _iso(parsed[0], parsed[1], parsed[2])
    return None


def parse_pdf_date(value: str | None) -> str | None:
    """A PDF date string (「D:20210330153000+08'00'」) → 「2021-03-30」. Also its malformed variants: no 「D:」, a
    shortened one (「D:2021」 → 「2021」), a month or day out of range (year only), the Y2K bug's 「D:19121…」 (2021),
    or another date format written into the field."""
    text = re.sub(r"^\s*D\s*:\s*", "", (value or "").translate(_FULLWIDTH_DIGITS), flags=re.IGNORECASE)
    y2k = _Y2K_PDF.match(text)
    if y2k:
        return _iso(1900 + int(y2k["century_years"]), y2k["month"], y2k["day"])
    return parse_date(text)


def published_from_pdf_metadata(creation: str | None, modified: str | None) -> Published | None:
    """The PDF's date from its document information (pypdfium2: `pdf.get_metadata_value("CreationDate")`,
    `"ModDate"`): when it was made, else when it was last changed; None when neither is readable. Unchecked: the
    reader puts it in `Extracted.published`, and `document_published` weighs it against the text."""
    found = parse_pdf_date(creation) or parse_pdf_date(modified)
    return Published(found, PDF_METADATA) if found else None


def published_from_properties(created, modified, source: str) -> Published | None:
    """A Word or Excel file's date from its core properties (datetimes, or text): created, else last modified."""
    for value in (created, modified):
        found = _iso(value.year, value.month, value.day) if isinstance(value, (datetime, date)) else parse_date(value)
        if found:
            return Published(found, source)
    return None


def published_from_meta(meta: dict[str, str]) -> Published | None:
    """A web page's publication date from its <meta> tags (`meta`: lower-cased name → content), by PUBLISHED_META."""
    for name in PUBLISHED_META:
        found = parse_date(meta.get(name))
        if found:
            return Published(found, HTML_META)
    return None


def release_date(text: str) -> str | None:
    """The date of a 「发布时间：2024-01-10」 line near the start of the text (ISO), None when there is none."""
    head = text[:RELEASE_CHARS]
    for match in _RELEASE.finditer(head):
        found = parse_date(head[match.end() : match.end() + 40])
        if found:
            return found
    for match in _RELEASED_ON.finditer(head):  # 「临江市统计局 2024年3月20日发布」
        found = parse_date(match.group("date"))
        if found:
            return found
    return None


def document_published(
    title: str, text: str, from_file: Published | None = None, filename: str = ""
) -> Published | None:
    """The document's publication date: the file's own (`from_file`) when the text does not contradict it, else a
    发布时间 line, else the date line under the title, else the year the title says it was written."""
    release = release_date(text)
    dateline = _iso(*found) if (found := opening_dateline(text)) else None
    if from_file is not None and file_date_fits(
        from_file.year, release or dateline, spoken_years(title, text, filename)
    ):
        return from_file
    if release:
        return Published(release, RELEASE_LINE)
    if dateline:
        return Published(dateline, DATELINE)
    year = title_written_year(title)
    return Published(str(year), TITLE) if year is not None else None


def file_date_fits(year: int, text_date: str | None, spoken: set[int]) -> bool:
    """Whether a year from the file's metadata can be the year the text was written, given the date the text gives
    itself (`text_date`, ISO, or None) and the years its title, file name and opening speak of (`spoken_years`).

    Metadata is written by tools and says when the file was made: someone who saves a 2013 report as PDF in 2026
    makes a file created in 2026, and a Word file started from an old template or an old document keeps that one's
    creation date (python-docx's own template says 2013-12-23). So the text has the last word:
    - when the text dates itself (a 发布时间 line, the date line under the title), the file's year must be its year;
    - otherwise the file's year must lie within YEAR_SLACK of the years the text speaks of: not later than the
      latest by more than a year (a conversion or a re-save), not earlier than the earliest by more than a year (an
      inherited date). A text that names no year cannot contradict the file.
    The slack keeps a report on a year published the next January and a plan printed the year before it starts; its
    price is that a file re-saved within a year of the latest year its text names passes."""
    if text_date is not None:
        return int(text_date[:4]) == year
    if not spoken:
        return True
    return min(spoken) - YEAR_SLACK <= year <= max(spoken) + YEAR_SLACK


def spoken_years(title: str, text: str, filename: str = "") -> set[int]:
    """The years (both ends of a span) the title, the file name and the opening lines name outright."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    opening = "\n".join(lines[:DATELINE_LINES])[:OPENING_CHARS]
    years = set()
    for part in (title, opening):
        for mention in find_times(part, None):
            if not mention.relative:
                years.update((mention.span.start, mention.span.end))
    named = filename_year(filename)
    if named is not None:
        years.add(named)
    return years


def _iso(year: int, month: int | str | None = None, day: int | str | None = None) -> str | None:
    """「2024-01-10」, or 「2024」 when month or day is missing or impossible; None for an implausible year."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        return None
    try:
        return date(year, int(month), int(day)).isoformat() if month and day else str(year)
    except ValueError:
        return str(year)
