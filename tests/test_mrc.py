"""The public reading-comprehension files and their fixed paragraph split."""

import pytest

from qa.lab.paths import MRC as DATA
from qa.mrc import load_mrc, split_of

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="../shared/data/mrc is not beside the repository")


def test_split_is_fixed_by_paragraph_id():
    assert split_of("cmrc2018_dev_open", "DEV_0") == split_of("cmrc2018_dev_open", "DEV_0")
    shares = [split_of("x", str(i)) for i in range(2000)]
    assert 0.6 < shares.count("train") / 2000 < 0.8
    assert 0.05 < shares.count("dev") / 2000 < 0.15


def test_cmrc_and_drcd_load_with_answers_that_occur_in_the_text():
    cmrc = load_mrc(DATA / "cmrc2018_dev_open.json")
    drcd = load_mrc(DATA / "DRCD_dev.json")
    assert len(cmrc) == 728 and len(drcd) == 1000
    assert cmrc[0].id == "DEV_0" and cmrc[0].questions[0].answers == ("光荣和ω-force",)
    for paragraph in cmrc + drcd:
        for question in paragraph.questions:
            assert all(answer in paragraph.text for answer in question.answers)
    # 训练集与测试集按段落分开：同一段落的问题不会两边都有
    assert {p.split for p in cmrc} == {"train", "dev", "test"}
