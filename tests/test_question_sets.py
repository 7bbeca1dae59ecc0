"""The helper-written question sets stay apart: no training question asks an evaluation fact, in any writing of its
answer, or writes an evaluation answer into its question (eval/check_report_questions.py, which also checks every
answer and evidence verbatim against the documents)."""
import os
import subprocess
import sys

from conftest import GWR, ROOT
from qa.lab.paths import SEEDS as SHARED_SEEDS


def test_training_and_evaluation_questions_share_no_fact():
    environment = dict(os.environ, GWR_DATA_DIR=str(GWR), SEEDS_DIR=str(SHARED_SEEDS))
    checked = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "check_report_questions.py")], capture_output=True, text=True, env=environment
    )
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "OK: all checks passed" in checked.stdout
