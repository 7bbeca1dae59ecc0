"""The workbench: what the training scripts, the benchmarks and the tests share (where the development material
lies, fitting helpers, the MRC corpus, the synthetic PDFs). Never imported when answering."""
