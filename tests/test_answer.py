"""Answers on the real index with the real encoder: figures, citations, computed answers, abstention."""
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import DATA, ROOT, pipeline_over, run_qa

from qa.evaluate import load_questions
from qa.indexing.build import build_index
from qa.pipeline import Pipeline
from qa.reading.ranking import FigureRanker
from qa.text.figures import find_figures


class _Asker:
    """The real pipeline, returning just the answer (what these tests look at)."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    def ask(self, question: str):
        return self.pipeline.ask(question).answer


@pytest.fixture(scope="module")
def answerer(seed_pipeline) -> _Asker:
    return _Asker(seed_pipeline)


def test_ask_json_gives_the_figure_with_a_citation(real_seed_index: Path):
    result = run_qa("ask", "杭州有多少家企业通过了软件能力成熟度模型评估？", "--index", str(real_seed_index), "--json")
    record = json.loads(result.stdout)
    assert set(record) == {
        "question", "answer", "span", "confidence", "confidence_band", "abstained", "veto", "figures", "citations", "passages",
        "latency_ms",
    }
    assert record["span"] == "65家" and 0.5 < record["confidence"] <= 1 and record["veto"] is None
    # 把握高于「把握高」一档的门槛才直接作答，否则是「请核对」一档
    high = FigureRanker.load().confidence.high
    assert record["confidence_band"] == ("high" if record["confidence"] >= high else "check")
    assert "65家" in record["answer"] and not record["abstained"]
    assert record["figures"][0] == {"text": "65家", "value": 65, "unit": "家", "computed": False}
    citation = record["citations"][0]
    assert citation["doc"] == "000_7c521dbcc8602230.txt"
    assert citation["section"] == ["信息产业发展全国领先", "产业地位不断提升"]
    source = (ROOT / "corpus" / citation["doc"]).read_text(encoding="utf-8")
    assert source[citation["start"] : citation["end"]] == citation["quote"]
    assert "65家" in citation["quote"]


def test_human_output_shows_answer_then_numbered_sources(real_seed_index: Path):
    lines = run_qa("ask", "2007年底杭州因特网注册用户有多少？", "--index", str(real_seed_index)).stdout.splitlines()
    # 先给最短的答案和它的把握；把握不到「把握高」一档时写明「可能是」、请人核对
    first = re.fullmatch(r"(可能是：)?148\.13万户（把握 \d+%(，不足，请核对原文)?）", lines[0])
    assert first and bool(first.group(1)) == bool(first.group(2))
    sentence = "至2007年底，全市因特网注册用户148.13万户"
    assert lines[1] == (f"可能是：{sentence}（把握不足，请核对原文）。[1]" if first.group(1) else f"{sentence}。[1]")
    assert lines[3] == "来源："
    assert lines[4].startswith("  [1] 《杭州大步挺进国际一流信息化城市》") and "信息基础设施建设全国领先" in lines[4]


def test_the_right_metric_of_a_sentence_is_chosen(answerer: _Asker):
    assert "809.2万户" in answerer.ask("杭州移动电话用户有多少？").answer
    assert "934万户" in answerer.ask("杭州移动电话交换机容量是多少？").answer
    assert "17.71%" in answerer.ask("2002年信息产业占全市工业销售产值的比重是多少？").answer.split("（")[0]


def test_computed_difference_cites_both_inputs_and_shows_the_formula(answerer: _Asker):
    answer = answerer.ask("2002年至2007年杭州电子信息产业总产值增加了多少？")
    computed = answer.figures[0]
    assert computed["computed"] and computed["text"] == "1075.85亿元"
    assert computed["formula"] == "1464.85亿元 − 389亿元 = 1075.85亿元"
    assert "1464.85亿元 − 389亿元 = 1075.85亿元" in answer.answer
    assert "389亿元" in answer.citations[0].quote and "1464.85亿元" in answer.citations[0].quote


def test_percentage_point_change_has_no_trailing_zeros(answerer: _Asker):
    answer = answerer.ask("2002年至2007年信息产业占杭州全市GDP的比重提高了多少个百分点？")
    assert answer.figures[0]["text"] == "1.47个百分点"
    assert "6.55% − 5.08% = 1.47个百分点" in answer.answer


@pytest.mark.parametrize(
    "question",
    ["宁波市因特网注册用户有多少？", "2005年底杭州因特网注册用户有多少？", "2010年杭州电子信息产业总产值是多少？"],
)
def test_abstains_on_other_city_or_year_and_shows_closest_passages(answerer: _Asker, question: str):
    answer = answerer.ask(question)
    assert answer.abstained and answer.answer.startswith("知识库中没有找到")
    assert answer.passages and not answer.citations and not answer.figures


def test_no_answer_invents_a_figure(answerer: _Asker):
    """Every figure in every dev-set answer is in a cited quote, or is a computed result, or is the plain value of a
    quoted figure written unusually (「5 6 3 0 万吨（5630万吨）」)."""
    questions = load_questions(ROOT / "eval" / "questions.jsonl")
    answerer.pipeline.prefetch([question.question for question in questions])
    for question in questions:
        answer = answerer.ask(question.question)
        if answer.abstained:
            continue
        computed = {f["text"] for f in answer.figures if f.get("computed")}
        plain = {f.plain for c in answer.citations for f in find_figures(c.quote) if f.unusually_written}
        text = re.sub(r"\[\d+\]", "", answer.answer)
        for figure in find_figures(text):
            quoted = any(figure.text in c.quote for c in answer.citations)
            assert figure.text in computed | plain or quoted, (question.id, figure.text, answer.answer)
        for citation in answer.citations:
            source = (ROOT / "corpus" / citation.doc).read_text(encoding="utf-8")
            assert source[citation.start : citation.end] == citation.quote


def test_two_figures_in_one_sentence_on_a_new_document(tmp_path: Path, reader):
    """户籍人口 vs 常住人口: the answer takes the figure of the metric asked about."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "gongbao.md", corpus)
    build_index(corpus, tmp_path / "index")
    answerer = _Asker(Pipeline.open(tmp_path / "index", reader=reader))
    assert "900万人" in answerer.ask("滨海市常住人口有多少？").answer
    assert "700万人" in answerer.ask("滨海市户籍人口有多少？").answer
    assert "530万户" in answerer.ask("滨海市移动电话用户有多少户？").answer
    record = answerer.ask("滨海市研发经费支出占地区生产总值的比重是多少？").as_dict()
    assert "4.96%" in record["answer"] and record["citations"][0]["section"] == ["三、科技", "第一章 研发投入"]


@pytest.mark.parametrize("question", ["", "   ", "？？！", "。。"])
def test_empty_questions_get_a_chinese_message(real_seed_index: Path, question: str):
    result = run_qa("ask", question, "--index", str(real_seed_index), check=False)
    assert result.returncode == 1 and "问题是空的" in result.stderr and "Traceback" not in result.stderr


def test_long_and_english_questions_never_crash(answerer: _Asker, real_seed_index: Path):
    long_answer = answerer.ask("杭州因特网注册用户有多少？" * 400)
    assert long_answer.answer
    english = answerer.ask("How many internet users does Hangzhou have?")
    assert english.answer and (english.abstained or english.citations)
    result = run_qa("ask", "字" * 5000, "--index", str(real_seed_index), "--json", check=False)
    assert result.returncode == 0 and json.loads(result.stdout)["answer"]


@pytest.mark.parametrize(
    "question, places",
    [
        ("宁波市2007年的网民有多少？", ["宁波"]),
        ("老百姓日常买东西的价格涨了多少？", []),  # 「东西」被分词器标成地名，它不是地方
        ("中西部地区投资增长多少？", []),
        ("乡村宽带的普及程度如何？", []),  # 「普及」也被标成地名；词林只把它当状态
        ("香港有几家上市企业？", ["香港"]),
        ("全国人大常委会哪年通过了这个决定？", []),  # 机构，不是地方
        ("杭州银行2021年的营业收入是多少？", []),  # 地名开头的机构名说的是机构
        ("浙江省杭州市余杭区有多少家企业？", ["浙江", "杭州", "余杭"]),
    ],
)
def test_place_names_of_a_question(answerer: _Asker, question: str, places: list[str]):
    assert answerer.pipeline.answerer.place_names(question) == places


def test_a_place_named_once_in_the_passage_is_its_subject_unless_another_place_is(tmp_path: Path, reader):
    pipeline = pipeline_over(
        tmp_path, {"城市概况.txt": "城市概况\n宁波是浙江省的港口城市，历史悠久。全市常住人口940万人，户籍人口600万人。\n"},
        reader,
    )
    assert pipeline.ask("宁波常住人口有多少？").answer.span == "940万人"
    other = pipeline.ask("温州常住人口有多少？").answer  # 段落没提到温州：证据特征让把握低到拒答
    assert other.abstained


def test_places_are_compared_across_scripts_and_those_the_question_names_are_not_other_places(tmp_path: Path, reader):
    pipeline = pipeline_over(
        tmp_path, {"臺灣.txt": "臺灣概況\n臺灣的人口約2300萬人。\n", "蘇利南.txt": "蘇利南\n1975年，蘇利南脫離荷蘭獨立。\n"},
        reader,
    )
    # 问题用简体「台湾」，文件写繁体「臺灣」
    assert pipeline.ask("台湾的人口有多少？").answer.span == "2300萬人"
    # 句子里另一个地方「荷蘭」是问题自己点到的，不是「别的地方」
    assert pipeline.ask("苏利南在哪一年脱离荷兰独立？").answer.span == "1975年"


@pytest.mark.parametrize(
    "question, figure_text, fits",
    [
        ("全国国内生产总值是多少？", "年均增长9.3%", False),  # 问总量，增速答不上
        ("国内生产总值增长了多少？", "增长2.3%", True),
        ("杭州的GDP总量是多少亿元？", "比重为6.55%", False),  # 写明了「亿元」
        ("产值比上年增长多少？", "增长百分之二十八", True),
    ],
)
def test_a_percentage_answers_a_how_much_question_only_about_a_change(question: str, figure_text: str, fits: bool):
    from qa.reading.candidates import kind_fit
    from qa.reading.intent import analyse_question

    (figure,) = [f for f in find_figures(figure_text) if f.kind == "percent"]
    assert (kind_fit(analyse_question(question), figure) is not None) == fits


def test_a_question_about_one_part_is_not_answered_with_the_total(tmp_path: Path, reader):
    pipeline = pipeline_over(tmp_path, {"服务站.txt": "服务站建设\n全市建成服务站总计120个，其中，城区45个，县(市)75个。\n"}, reader)
    assert pipeline.ask("城区建成了多少个服务站？").answer.span == "45个"
    assert pipeline.ask("全市一共建成多少个服务站？").answer.span == "120个"


def test_the_year_asked_must_be_named_in_the_figures_own_paragraph(tmp_path: Path, reader):
    pipeline = pipeline_over(
        tmp_path,
        {
            "2015年滨海市政府工作报告.txt": "2015年滨海市政府工作报告\n物价调控\n"
            "各部门要努力把全年零售物价涨幅控制在百分之五以内。\n"
            "一年来，滨海市各项工作进展顺利。\n",
        },
        reader,
    )
    # 「一年来」（2014年）在另一个自然段：管不到「百分之五」，那是2015年的目标
    answer = pipeline.ask("2014年滨海市零售物价上涨了多少？").answer
    assert answer.abstained
    assert pipeline.ask("2015年滨海市零售物价涨幅要控制在多少？").answer.span == "百分之五以内"


def test_the_year_before_is_computed_from_the_change_the_text_gives(tmp_path: Path, reader):
    pipeline = pipeline_over(
        tmp_path,
        {"2016年滨海市政府工作报告.txt": "2016年滨海市政府工作报告\n一、2015年工作回顾\n全市普通高校招生12.5万人，比上年增加1.3万人。\n"},
        reader,
    )
    answer = pipeline.ask("2014年滨海市普通高校招生多少人？").answer
    assert answer.span == "11.2万人" and answer.figures[0]["formula"] == "12.5万人 − 1.3万人 = 11.2万人"
    assert "12.5万人" in answer.citations[0].quote
    assert pipeline.ask("2013年滨海市普通高校招生多少人？").answer.abstained  # 只推一年，不层层往前推
