"""Where the development material lies: `../shared` beside the repository (as CI places it), or QA_SHARED.

Training scripts, benchmarks and tests read these names instead of building `../shared/...` paths themselves."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # 仓库根目录（可编辑安装时）：benchmarks/、training/ 与 tests/ 在这里
SHARED = Path(os.environ.get("QA_SHARED") or ROOT.parent / "shared")
SEEDS = SHARED / "seeds"
GWR = SHARED / "data" / "gwr"  # 七篇不同年代的政府工作报告
MRC = SHARED / "data" / "mrc"  # CMRC 2018 与 DRCD
REALDOCS = SHARED / "data" / "realdocs"  # 真实的 Word 导出 PDF（只用于开发，不入库）
RESULTS = ROOT / "benchmarks" / "results"
TRAINING_DATA = ROOT / "training" / "data"
# benchmarks/reader_report.sh 建的索引：七篇报告 + 种子文档（训练排序模型和校准时在上面提问）
REPORTS_INDEX = Path("/tmp/gwr_all/index")
