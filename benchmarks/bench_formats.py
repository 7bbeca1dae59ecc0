"""How fast the corpus reads a long PDF, next to how long indexing it takes.

    python benchmarks/bench_formats.py [--pages 200] [--variant truetype|cff] [--work /tmp/bench_formats]

Generates the 200-page Chinese report of benchmarks/bench_pdf_libraries.py (running headers, page-number
footers, numbered headings in larger bold type, paragraphs across page breaks), then measures:
- extraction: `qa.indexing.ingest.load_document` on it (PDFium text, header/footer removal, reading order,
  paragraph joining, headings): wall time, pages per second, characters out, bag-of-characters F1 against the
  pages' true body text, and whether any running header or page-number footer survived;
- indexing: `qa.indexing.build.build_index` of a corpus holding only that PDF with the bundled encoder: wall
  time, chunks, and the share of it that extraction is.
Writes benchmarks/results/formats.json and prints a summary.
"""
from __future__ import annotations

import argparse
import json
import shutil
import time
from collections import Counter
from pathlib import Path

from qa.indexing.build import build_index
from qa.indexing.ingest import load_document
from qa.lab import pdf_libraries as generator
from qa.lab.paths import RESULTS



def character_f1(extracted: str, truth: str) -> float:
    """Bag-of-characters F1, whitespace ignored (order is measured by bench_pdf_libraries.py)."""
    got, want = Counter("".join(extracted.split())), Counter("".join(truth.split()))
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--variant", choices=generator.VARIANTS, default="truetype")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_formats"))
    args = parser.parse_args()
    if not generator.REGULAR_TTC.exists():
        print(f"{generator.REGULAR_TTC} 不存在（Debian 的 fonts-noto-cjk）：无法生成中文 PDF，什么也没测。")
        return
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    corpus.mkdir(parents=True)
    (args.work / "generated").mkdir()
    documents = generator.build_documents(args.variant, args.pages, args.work / "generated")
    source, truth = documents["report"]
    pdf = shutil.copy(source, corpus / "report.pdf")

    started = time.perf_counter()
    document = load_document(Path(pdf))
    extraction = time.perf_counter() - started
    leftovers = sum(document.text.count(text) for text in (generator.REPORT_HEADER, generator.footer_text(2), generator.footer_text(100)))

    started = time.perf_counter()
    report = build_index(corpus, args.work / "index")
    indexing = time.perf_counter() - started

    result = {
        "pages": document.pages,
        "variant": args.variant,
        "characters": len(document.text),
        "extraction_seconds": round(extraction, 2),
        "pages_per_second": round(document.pages / extraction, 1),
        "running_headers_or_footers_left": leftovers,
        "index_seconds": round(indexing, 1),
        "chunks": report.chunks,
        "extraction_share_of_index_time": round(extraction / indexing, 3),
        "character_f1_against_truth": round(character_f1(document.text.replace("#", ""), "".join(page.body_text for page in truth)), 4),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "formats.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for key, value in result.items():
        print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
