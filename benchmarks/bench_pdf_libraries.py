"""PDF text extraction for Chinese reports: pypdfium2 vs pdfplumber vs pypdf, on PDFs whose text we know.

    python benchmarks/bench_pdf_libraries.py [--pages 200] [--out benchmarks/results] [--work /tmp/pdfbench]

The generator, the extractors and the measures live in `qa.lab.pdf_libraries` (other benchmarks use them too); see
its docstring for what is measured.
"""
from qa.lab.pdf_libraries import main

if __name__ == "__main__":
    main()
