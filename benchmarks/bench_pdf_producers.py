"""PDF text extraction on PDFs made by real producers (LibreOffice Writer and Calc, Word-style .docx through
LibreOffice, Chromium, XeLaTeX), measured against the text each was made from.

    python benchmarks/bench_pdf_producers.py [--realdocs PATH ...] [--runs 2] [--out benchmarks/results]

Fixtures: tests/data/pdf_producers/<name>.pdf with <name>.source.txt (the text in reading order, tables as
caption + TAB-separated rows, no running headers/footers) and <name>.truth.json (tables, two-column blocks);
make.py there writes them. Extractors:

  ours        qa.indexing.formats.pdf.read_pdf(path): Markdown-ish text, tables as one fact sentence per cell
              with a table-cell Location each;
  pdfium      pypdfium2 PdfTextPage.get_text_range() per page, pages joined by a newline;
  pdfplumber  page.extract_text();   pypdf  page.extract_text().

Measured per fixture and extractor:

  pages/s       pages / wall time of the best of --runs runs (open, extract every page, close);
  char F1       ordered: the longest common subsequence (exact, bit-parallel) of the reference and the output,
                both NFKC with all whitespace removed; P = LCS / output length, R = LCS / reference length. The
                LCS is order-aware (a line read out of order counts once, not twice), exact (difflib's
                SequenceMatcher is a heuristic that gives up on long inputs), and fast enough for 120 pages.
                Reference: the whole source text for the text baselines (their table rows are text too); for
                `ours` the source without table rows (its prose, captions, headings) against ours' text with the
                Markdown heading marks and the table-fact sentences taken out (facts are rewritten sentences,
                judged by the table column instead). Running headers and page numbers in an output lower its P.
  bag F1        the same on the multisets of characters (order ignored);
  figures       share of the source's figure tokens (NFKC; regex -?\\d+(?:,\\d+)*(?:\\.\\d+)? : digit runs with
                their thousands separators, decimal point and sign) found in the output's tokens, as multisets.
                The line-oriented baselines get the better of two readings of their text: line breaks as
                separators, and lines joined (a number the page wrapped, 「9.」 / 「83」, is whole again);
                ours is read as it is (a number split across its paragraphs is broken). Missing tokens are
                listed, each with what the output has instead when the same digits appear there.
  2-col order   per two-column block (truth.json "columns"): probes are the 4-character runs of Chinese characters
                (no digits or punctuation; whitespace removed) of each column that occur once in the source; yes
                when every left-column probe found (once) in the output comes before every right-column probe,
                no otherwise (lines of the two columns interleaved), missing when fewer than 10 probes of a
                column are found;
  table cells   share of the truth's value cells found: for ours a table-cell Location whose row contains the
                row label, whose column contains the column heading and whose fact sentence contains the value;
                for the baselines an output line holding the row label and, after it, the value.

--realdocs PATH (e.g. /work/shared/data/realdocs/moutai_annual_report_2020.pdf, a 120-page Microsoft Word PDF):
no source text, so char F1 and figures are measured against PDFium's body text (page numbers and lines repeated at
the top or bottom of 40 % of the pages taken out of it and of the other line-based outputs; per page, figures with line breaks
as separators, except that a number the page broke after its sign, a thousands separator or its decimal point is read
whole), plus pages/s. For ours also "prose pages": the pages on which it found no table, each read page by page
against PDFium's text of the page (there both texts should be the same words in the same order, and are
comparable; on table pages ours writes facts, judged by the figures). Only numbers are written for these files:
never their text.
Writes pdf_producers.json and pdf_producers.md to --out.
"""
from __future__ import annotations

import argparse
import json
import logging
import platform
import re
import sys
import time
import unicodedata
from collections import Counter
from importlib.metadata import version
from pathlib import Path

from qa.lab.paths import ROOT
from qa.lab.pdf_libraries import EXTRACTORS as LIBRARY_EXTRACTORS

FIXTURES = ROOT / "tests" / "data" / "pdf_producers"
NAMES = ("writer", "docx", "calc", "chromium", "xelatex")
EXTRACTORS = ("ours", "pdfium", "pdfplumber", "pypdf")
PROBE = 4  # characters in a probe of a column's text (reading order of two-column pages)
MIN_PROBES = 10  # probes per column the output must have for a verdict
MISSING_SHOWN = 12

_FIGURE = re.compile(r"-?\d+(?:,\d+)*(?:\.\d+)?")
_HEADING_MARK = re.compile(r"(?m)^#{1,6} ")
_LINE_BREAK = re.compile(r"[\r\n]+")
_CJK_RUN = re.compile(rf"[\u3400-\u9fff\uf900-\ufaff]{{{PROBE},}}")


# ---------------------------------------------------------------------------------------------- extractors


def run_ours(path: Path) -> dict:
    from qa.indexing.formats.pdf import read_pdf

    extracted = read_pdf(path)
    return {"text": extracted.text, "locations": extracted.locations, "pages": extracted.pages}


def _library(name: str):
    """A baseline library's extraction (bench_pdf_libraries.py's, the same calls) as pages and whole text."""
    def run(path: Path) -> dict:
        pages = [text or "" for text in LIBRARY_EXTRACTORS[name](path)]
        return {"text": "\n".join(pages), "page_texts": pages}

    return run


RUNNERS = {"ours": run_ours, "pdfium": _library("pypdfium2"), "pdfplumber": _library("pdfplumber"), "pypdf": _library("pypdf")}


def timed(name: str, path: Path, runs: int) -> tuple[dict, float]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = RUNNERS[name](path)
        best = min(best, time.perf_counter() - started)
    return result, best  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------- measures


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-")


def squeeze(text: str) -> str:
    return "".join(norm(text).split())


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence (Allison-Dix / Hyyrö bit-parallel: O(len(a) * len(b) / word))."""
    if not a or not b:
        return 0
    if len(b) > len(a):
        a, b = b, a
    masks: dict[str, int] = {}
    for i, char in enumerate(b):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for char in a:
        u = v & masks.get(char, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def f1(matched: int, output: int, reference: int) -> dict:
    precision = matched / output if output else 0.0
    recall = matched / reference if reference else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 4), "r": round(recall, 4), "f1": round(score, 4)}


def char_scores(reference: str, output: str) -> dict:
    ref, out = squeeze(reference), squeeze(output)
    ordered = f1(lcs_length(ref, out), len(out), len(ref))
    bag = f1(sum((Counter(ref) & Counter(out)).values()), len(out), len(ref))
    return {"ordered": ordered, "bag": bag, "reference_chars": len(ref), "output_chars": len(out)}


def paged_char_scores(references: list[str], outputs: list[str]) -> dict:
    """Char scores summed over pages (LCS page by page: the reference's page i against the output's page i)."""
    matched = bag = ref_len = out_len = 0
    for ref_text, out_text in zip(references, outputs):
        ref, out = squeeze(ref_text), squeeze(out_text)
        matched += lcs_length(ref, out)
        bag += sum((Counter(ref) & Counter(out)).values())
        ref_len, out_len = ref_len + len(ref), out_len + len(out)
    return {"ordered": f1(matched, out_len, ref_len), "bag": f1(bag, out_len, ref_len), "reference_chars": ref_len,
            "output_chars": out_len}


def figures(text: str) -> Counter:
    return Counter(_FIGURE.findall(norm(text)))


def output_figures(text: str, line_oriented: bool) -> Counter:
    """The output's figure tokens; a line-oriented text gets the better of lines-as-separators and lines-joined."""
    kept = figures(text)
    if not line_oriented:
        return kept
    joined = figures(_LINE_BREAK.sub("", text))
    return Counter({token: max(kept[token], joined[token]) for token in kept | joined})


def figure_scores(reference: Counter, found: Counter, listed: bool = True) -> dict:
    intact = sum((reference & found).values())
    total = sum(reference.values())
    missing = reference - found
    result = {"intact": intact, "total": total, "share": round(intact / total, 4) if total else None,
              "missing_count": sum(missing.values())}
    if listed:
        by_digits: dict[str, list[str]] = {}
        for token in found:
            by_digits.setdefault(re.sub(r"\D", "", token), []).append(token)
        result["missing"] = [
            {"figure": token, "count": count, "output_has": sorted(t for t in by_digits.get(re.sub(r"\D", "", token), []) if t != token)}
            for token, count in sorted(missing.items())
        ]
    return result


def probes(text: str, source: str) -> list[str]:
    """The PROBE-character runs of CJK characters (no digits, no punctuation) in a column's text that occur once in
    the whole source."""
    found = []
    for run in _CJK_RUN.findall(squeeze(text)):
        for start in range(len(run) - PROBE + 1):
            piece = run[start:start + PROBE]
            if source.count(piece) == 1 and piece not in found:
                found.append(piece)
    return found


def column_order(columns: list[dict], output: str, source: str) -> list[dict]:
    """Per two-column block: yes when every probe of the left column that the output has (once) comes before every
    probe of the right column; missing when fewer than MIN_PROBES of a column's probes are found."""
    out, source = squeeze(output), squeeze(source)
    results = []
    for block in columns:
        sides = []
        for side in ("left", "right"):
            wanted = probes(block[side], source)
            positions = [out.find(piece) for piece in wanted if out.count(piece) == 1]
            sides.append((positions, len(wanted)))
        (left, left_total), (right, right_total) = sides
        if len(left) < min(MIN_PROBES, left_total) or len(right) < min(MIN_PROBES, right_total):
            verdict = "missing"
        else:
            verdict = "yes" if max(left) < min(right) else "no"
        results.append({"page": block["page"], "in_order": verdict, "probes_found": [len(left), len(right)],
                        "probes": [left_total, right_total]})
    return results


def cells_ours(tables: list[dict], text: str, locations) -> dict:
    located = [(squeeze(loc.row or ""), squeeze(loc.column or ""), squeeze(text[loc.start:loc.end]))
               for loc in locations if loc.cell]
    found = total = 0
    for table in tables:
        for cell in table["cells"]:
            total += 1
            row, column, value = squeeze(cell["row"]), squeeze(cell["column"]), squeeze(cell["value"])
            found += any(row in r and column in c and value in t for r, c, t in located)
    return {"found": found, "total": total, "share": round(found / total, 4) if total else None}


def cells_text(tables: list[dict], text: str) -> dict:
    lines = [squeeze(line) for line in text.splitlines()]
    found = total = 0
    for table in tables:
        for cell in table["cells"]:
            total += 1
            row, value = squeeze(cell["row"]), squeeze(cell["value"])
            found += any(row in line and value in line[line.find(row) + len(row):] for line in lines)
    return {"found": found, "total": total, "share": round(found / total, 4) if total else None}


def ours_prose(text: str, locations) -> str:
    """Ours' text without the table-fact sentences and the Markdown heading marks."""
    spans = sorted((loc.start, loc.end) for loc in locations if loc.cell)
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = max(last, end)
    parts.append(text[last:])
    return _HEADING_MARK.sub("", "".join(parts))


def ours_pages(text: str, locations, pages: int, facts: bool = True) -> list[str]:
    """Ours' text cut by page, from its Locations (table facts count on their table's page, or not at all)."""
    out = [""] * pages
    for loc in sorted(locations, key=lambda loc: loc.start):
        if loc.page and 1 <= loc.page <= pages and (facts or not loc.cell):
            out[loc.page - 1] += _HEADING_MARK.sub("", text[loc.start:loc.end]) + "\n"
    return out


# ---------------------------------------------------------------------------------------------- runs


def measure_fixture(name: str, runs: int) -> dict:
    pdf = FIXTURES / f"{name}.pdf"
    source = (FIXTURES / f"{name}.source.txt").read_text(encoding="utf-8")
    truth = json.loads((FIXTURES / f"{name}.truth.json").read_text(encoding="utf-8"))
    prose = "\n".join(line for line in source.splitlines() if "\t" not in line)
    reference_figures = figures(source)
    results = {}
    for extractor in EXTRACTORS:
        try:
            result, seconds = timed(extractor, pdf, runs)
        except Exception as error:  # noqa: BLE001 -- a reader under development may crash: the others are still measured
            results[extractor] = {"error": f"{type(error).__name__}: {error}"}
            continue
        text = result["text"]
        if extractor == "ours":
            compared = ours_prose(text, result["locations"])
            chars = char_scores(prose, compared)
            figs = figure_scores(reference_figures, output_figures(text, line_oriented=False))
            cells = cells_ours(truth["tables"], text, result["locations"])
        else:
            compared = text
            chars = char_scores(source, text)
            figs = figure_scores(reference_figures, output_figures(text, line_oriented=True))
            cells = cells_text(truth["tables"], text)
        results[extractor] = {
            "seconds": round(seconds, 4),
            "pages_per_s": round(truth["pages"] / seconds, 1),
            "chars": chars,
            "figures": figs,
            "two_column": column_order(truth["columns"], compared, source),
            "table_cells": cells,
        }
    return {"pdf": str(pdf.relative_to(ROOT)), "producer": truth["producer"], "pages": truth["pages"],
            "bytes": pdf.stat().st_size, "bookmarks": truth["bookmarks"], "results": results}


# 页码行（「3 / 120」「— 3 —」「第 3 页」）；页眉页脚：每页开头或末尾几行里，数字不计、在至少这一比例的页上重复的行
_PAGE_NUMBER_LINE = re.compile(r"^[-—–\s·]*(?:第\s*)?\d{1,4}\s*(?:页|/\s*\d{1,4})?[-—–\s·]*$")
RUNNING_SHARE = 0.4
_BROKEN_NUMBER = re.compile(r"(?<=[-−,.])[ \t]*\n[ \t]*(?=\d)")
RUNNING_EDGE_LINES = 3


def running_lines(page_texts: list[str]) -> set[str]:
    """Lines (digits as #) at the top or bottom of at least RUNNING_SHARE of the pages: running headers and footers.
    The reference for a real PDF is its body text, so that no extractor is scored on page furniture."""
    counts: Counter = Counter()
    for text in page_texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        edge = lines[:RUNNING_EDGE_LINES] + lines[-RUNNING_EDGE_LINES:]
        counts.update({re.sub(r"\d+", "#", line) for line in edge})
    return {line for line, count in counts.items() if count >= max(2, RUNNING_SHARE * len(page_texts))}


def body_pages(page_texts: list[str], running: set[str]) -> list[str]:
    """Each page's text without page-number lines and running headers and footers."""
    return [
        "\n".join(
            line for line in text.splitlines()
            if not _PAGE_NUMBER_LINE.match(line.strip()) and re.sub(r"\d+", "#", line.strip()) not in running
        )
        for text in page_texts
    ]


def measure_realdoc(path: Path, runs: int) -> dict:
    """Against PDFium's body text (page numbers, running headers and footers taken out of it and of the other
line-based outputs); only numbers are kept."""
    results = {}
    reference = None
    for extractor in ("pdfium", *[e for e in EXTRACTORS if e != "pdfium"]):
        try:
            result, seconds = timed(extractor, path, runs)
        except Exception as error:
            if extractor == "pdfium":
                raise
            results[extractor] = {"error": type(error).__name__}  # not the message: it might quote the file
            continue
        if extractor == "pdfium":
            running = running_lines(result["page_texts"])
            reference = body_pages(result["page_texts"], running)
            # 页面在负号、千分位、小数点后折行的数（「-」/「2,300,423,015.02」）仍是一个数
            reference_figures = figures(_BROKEN_NUMBER.sub("", "\n".join(reference)))
        pages = len(reference)
        if extractor == "ours":
            outputs = ours_pages(result["text"], result["locations"], pages)
            figs = figure_scores(reference_figures, output_figures(result["text"], line_oriented=False), listed=False)
        else:
            outputs = body_pages(result["page_texts"], running)
            figs = figure_scores(reference_figures, output_figures("\n".join(outputs), line_oriented=True), listed=False)
        results[extractor] = {
            "seconds": round(seconds, 3),
            "pages_per_s": round(pages / seconds, 1),
            "chars": paged_char_scores(reference, outputs),
            "figures": figs,
        }
        if extractor == "ours":
            prose = paged_char_scores(reference, ours_pages(result["text"], result["locations"], pages, facts=False))
            results[extractor]["prose_precision"] = prose["ordered"]["p"]
            table_pages = {loc.page for loc in result["locations"] if loc.cell}
            plain = [i for i in range(pages) if i + 1 not in table_pages]
            results[extractor]["prose_pages"] = {
                "pages": len(plain),
                "chars": paged_char_scores([reference[i] for i in plain], [outputs[i] for i in plain]),
            }
    producer, creator = _metadata(path)
    return {"pdf": path.name, "producer": producer, "creator": creator, "pages": len(reference), "bytes": path.stat().st_size,
            "reference": "pdfium", "results": {e: results[e] for e in EXTRACTORS}}


def _metadata(path: Path) -> tuple[str, str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf.get_metadata_value("Producer"), pdf.get_metadata_value("Creator")
    finally:
        pdf.close()


# ---------------------------------------------------------------------------------------------- report


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def markdown(report: dict) -> str:
    lines = ["# PDF text extraction per producer", "",
             f"`python benchmarks/bench_pdf_producers.py` on {report['machine']}; {report['versions']}. "
             "See the script's docstring for what each column means. `ours`: char F1 is prose against prose "
             "(table facts are rewritten sentences, judged in the table-cells column); baselines: the whole text "
             "(tables included) against the whole source. Two-column: one verdict per two-column block.", ""]
    header = "| extractor | pages/s | char F1 (ordered) | P | R | bag F1 | figures intact | 2-col in order | table cells |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---|---:|"
    for name, fixture in report["fixtures"].items():
        lines += [f"## {name}.pdf — {fixture['producer']}, {fixture['pages']} pages, {fixture['bytes'] // 1024} KB, "
                  f"bookmarks: {'yes' if fixture['bookmarks'] else 'no'}", "", header, rule]
        for extractor, r in fixture["results"].items():
            if "error" in r:
                lines.append(f"| {extractor} | failed: {r['error'][:80]} |" + " |" * 7)
                continue
            figs, cells = r["figures"], r["table_cells"]
            columns = ", ".join(f"p{c['page']} {c['in_order']}" for c in r["two_column"]) or "–"
            lines.append(
                f"| {extractor} | {r['pages_per_s']:.0f} | {r['chars']['ordered']['f1']:.3f} | {r['chars']['ordered']['p']:.3f} | "
                f"{r['chars']['ordered']['r']:.3f} | {r['chars']['bag']['f1']:.3f} | {_pct(figs['share'])} ({figs['intact']}/{figs['total']}) | "
                f"{columns} | {_pct(cells['share'])} ({cells['found']}/{cells['total']}) |")
        lines.append("")
        for extractor, r in fixture["results"].items():
            missing = r.get("figures", {}).get("missing")
            if not missing:
                continue
            shown = []
            for item in missing[:MISSING_SHOWN]:
                instead = f" → {'/'.join(item['output_has'][:3])}" if item["output_has"] else ""
                shown.append(f"`{item['figure']}`{'×' + str(item['count']) if item['count'] > 1 else ''}{instead}")
            more = f" … (+{len(missing) - MISSING_SHOWN})" if len(missing) > MISSING_SHOWN else ""
            lines.append(f"- {extractor} missing figures: {', '.join(shown)}{more}")
        lines.append("")
    for name, doc in report.get("realdocs", {}).items():
        lines += [f"## {name} — {doc['producer']} (creator {doc['creator']}), {doc['pages']} pages, {doc['bytes'] // 1024} KB",
                  "", "Reference: PDFium's own text (no source text); char F1 page by page. Ours' text includes its table-fact "
                  "sentences (row label and column heading repeated per cell), which lowers its P"
                  + (f": without them, ours' P is {doc['results']['ours']['prose_precision']:.3f}."
                     if "prose_precision" in doc["results"]["ours"] else ".")
                  + (" On the {pages} pages where ours found no table, ours' ordered char F1 is {f1:.4f} (P {p:.4f}, R {r:.4f}).".format(
                      pages=doc["results"]["ours"]["prose_pages"]["pages"], **doc["results"]["ours"]["prose_pages"]["chars"]["ordered"])
                     if "prose_pages" in doc["results"]["ours"] else ""), "",
                  "| extractor | pages/s | char F1 (ordered) | P | R | bag F1 | figures intact |", "|---|---:|---:|---:|---:|---:|---:|"]
        for extractor, r in doc["results"].items():
            if "error" in r:
                lines.append(f"| {extractor} | failed: {r['error'][:80]} |" + " |" * 5)
                continue
            figs = r["figures"]
            lines.append(f"| {extractor} | {r['pages_per_s']:.0f} | {r['chars']['ordered']['f1']:.3f} | {r['chars']['ordered']['p']:.3f} | "
                         f"{r['chars']['ordered']['r']:.3f} | {r['chars']['bag']['f1']:.3f} | {_pct(figs['share'])} ({figs['intact']}/{figs['total']}) |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realdocs", nargs="*", default=[], type=Path, help="real PDFs, measured against PDFium's text")
    parser.add_argument("--runs", type=int, default=2, help="timed runs per extractor (the best counts)")
    parser.add_argument("--only", default="", help="comma-separated fixture names (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pdfplumber/pypdf warn about every Type 3 font without a FontBBox
    names = [name for name in args.only.split(",") if name] or list(NAMES)
    missing = [name for name in names if not (FIXTURES / f"{name}.pdf").exists()]
    if missing:
        print(f"missing fixtures {missing}: run tests/data/pdf_producers/make.py", file=sys.stderr)
        return 1
    report = {
        "machine": f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}",
        "versions": ", ".join(f"{package} {version(package)}" for package in ("pypdfium2", "pdfplumber", "pypdf")),
        "runs": args.runs,
        "fixtures": {},
    }
    for name in names:
        print(f"{name} …", file=sys.stderr, flush=True)
        report["fixtures"][name] = measure_fixture(name, args.runs)
    if args.realdocs:
        report["realdocs"] = {}
        for path in args.realdocs:
            print(f"{path.name} …", file=sys.stderr, flush=True)
            report["realdocs"][path.name] = measure_realdoc(path, args.runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pdf_producers.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = markdown(report)
    (args.out / "pdf_producers.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
