"""Plan or actual from the wording (qa.text.plans): the clause classifier on invented sentences, and real answers
(real index, real encoder, the real reader) from invented documents of six genres in tests/data/plans/."""

import shutil
from pathlib import Path

import pytest

from qa.text.figures import find_figures
from qa.text.plans import Mood, clause_mood, figure_mood, question_mood, section_mood

from conftest import DATA


def moods(sentence: str) -> dict[str, str]:
    """Every quantity of the sentence with its mood: {"3.65万亿元": "plan"}."""
    return {f.text: figure_mood(sentence, f.start, f.end).value for f in find_figures(sentence) if f.is_quantity}


# ---- 分句：每个词表里的词 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause",
    [
        "今年拟安排专项债券80亿元",  # 拟
        "预计全年接待游客520万人次",  # 预计
        "力争全市生产总值达到3000亿元",  # 力争
        "明年打算新建学校12所",  # 打算
        "确保粮食产量稳定在45万吨以上",  # 确保
        "争取新增上市企业5家",  # 争取
        "全市科创企业将达到800家",  # 将（将来）
        "我局将推动新建充电桩2000个",  # 将（将来，后接任何动词）
        "即将建成的新馆面积2.1万平方米",  # 即将
        "要把失业率控制在5%以内",  # 要、控制在
        "还要新增就业岗位3万个",  # 要
        "年度目标为新增就业4万人",  # 目标
        "全年计划新建公园15个",  # 计划
        "规划新建轨道交通线路120公里",  # 规划
        "生产总值预期增长6%左右",  # 预期
        "今年拟安排财政赤字45亿元",  # 拟安排
        "物价涨幅控制在3%左右",  # 控制在
        "今年擬安排專項債券80億元",  # 繁体：擬、專項
        "預計全年接待遊客520萬人次",  # 繁体：預計
        "力争实现生产总值增长6%",  # 「实现」前面是向前看的词：仍是计划
        "计划完成投资100亿元",  # 「完成」前面是「计划」：仍是计划
    ],
)
def test_a_clause_with_a_plan_word_states_a_plan(clause):
    assert clause_mood(clause) == Mood.PLAN


@pytest.mark.parametrize(
    "clause",
    [
        "实际建成3260个",  # 实际
        "全市已经建成充电桩2650个",  # 已经
        "全年已达到120万户",  # 已
        "完成固定资产投资860亿元",  # 完成
        "全年实现地区生产总值2315亿元",  # 实现
        "超额完成年度目标12%",  # 超额（目标是宾语）
        "完成年度计划的105%",  # 「计划」是宾语：完成了多少
        "實際新增就業4.21萬人",  # 繁体：實際
    ],
)
def test_a_clause_with_a_result_word_states_an_actual_figure(clause):
    assert clause_mood(clause) == Mood.ACTUAL


@pytest.mark.parametrize(
    "clause",
    [
        "全市常住人口将近300万人",  # 将近：差不多
        "将2.8亿元资金纳入统一管理",  # 「将」作「把」，后接数字
        "将最低工资标准提高到2280元",  # 「将」作「把」，分句里有处置动词
        "数据要素交易额120亿元",  # 要素
        "主要产品产量45万吨",  # 主要
        "重要产业链产值800亿元",  # 重要
        "需要资金50亿元",  # 需要
        "全市生产总值比上年增长5.2%",  # 比上年增长：目标也这样写，本身不说是计划
        "比重降到去年的1.5%左右",  # 左右：估计的实际数也带
        "“十五”计划期间年均增长9.5%",  # 时期的名字
        "计划生育率达到95%",  # 计划生育
        "人均预期寿命达到78.5岁",  # 预期寿命
        "安排政府投资信息化资金2.5亿元",  # 安排：回顾的文字也这样写，预算的计划数写作「拟安排」
        "确保了决策的科学性",  # 确保了：已经做到
        "依据《信息化发展纲要》的要求",  # 纲要、要求
        "市规划局等16个部门",  # 规划局是机关
        "发布《数字经济三年行动计划》",  # 书名号里的是文件名
        "争取到上级资金5亿元",  # 争取到：已经得到
        "模拟测算结果为12亿元",  # 模拟
        "全年接待国内外游客8520万人次",  # 没有计划词，也没有结果词
    ],
)
def test_ordinary_words_that_look_like_plan_words_are_not(clause):
    assert clause_mood(clause) != Mood.PLAN


def test_a_plan_word_governs_the_later_clauses_of_its_sentence():
    assert moods("今年赤字率拟按3%左右安排，赤字规模45亿元，比去年增加5亿元。") == {
        "3%左右": "plan",
        "45亿元": "plan",
        "5亿元": "plan",
    }
    assert moods("今年拟安排财政赤字45亿元，比去年增加5亿元。") == {"45亿元": "plan", "5亿元": "plan"}


def test_a_breakdown_that_opens_the_next_sentence_is_what_its_total_is():
    text = "今年拟安排财政赤字45亿元。其中，市级赤字30亿元。全年接待游客800万人次。"
    assert moods(text) == {"45亿元": "plan", "30亿元": "plan", "800万人次": "unsaid"}


def test_a_plan_word_does_not_govern_past_a_semicolon():
    """Statements set apart by 「；」 are parallel; only a list's lead-in (「……目标是：」) reaches past one."""
    assert moods("全市拟新建公园15个；去年建成绿道120公里。") == {"15个": "plan", "120公里": "unsaid"}


def test_a_target_list_is_governed_by_its_lead_in_across_semicolons():
    sentence = "今年的主要目标是：生产总值增长5.5%左右；城镇新增就业6万人以上，城镇调查失业率5.5%以内。"
    assert set(moods(sentence).values()) == {"plan"}


def test_a_result_word_ends_what_the_plan_word_governs():
    assert moods("全年计划新建公园15个，实际建成17个。") == {"15个": "plan", "17个": "actual"}


def test_a_target_noun_says_nothing_of_the_next_clause():
    """「低于预期目标」 compares a result with the target; the figure after it is the result."""
    assert moods("受外需不足影响低于预期目标，全年增长5.8%。") == {"5.8%": "unsaid"}
    assert moods("全年增长5.8%，低于6%左右的预期目标。") == {"5.8%": "unsaid", "6%左右": "plan"}
    assert moods("经济恢复好于预期，全年生产总值增长2.3%。") == {"2.3%": "unsaid"}


def test_the_previous_sentence_does_not_count():
    assert moods("今年拟新建公园15个。全年接待游客800万人次。") == {"15个": "plan", "800万人次": "unsaid"}


def test_a_title_in_traditional_characters_names_its_retrospective_genre():
    """「年報」 is 「年报」: the document reviews 2023 and was written in 2024, like its simplified twin."""
    from qa.text.time import document_year

    assert document_year("星川市2023年旅遊年報", "星川市2023年旅遊年報\n正文") == 2024
    assert document_year("星川市2023年旅游年报", "星川市2023年旅游年报\n正文") == 2024


# ---- 问题 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "2024年拟安排多少专项债券？",
        "2024年计划新建多少个公园？",
        "2024年城镇新增就业将达到多少人？",
        "2024年要把调查失业率控制在多少？",
        "2024年生产总值增长的目标是多少？",
        "2024年预计接待游客多少万人次？",
        "2024年生产总值预期增长多少？",
        "2024年力争新增上市企业多少家？",
        "2024年預計接待遊客多少萬人次？",  # 繁体
    ],
)
def test_a_question_with_a_plan_word_asks_for_the_plan(question):
    assert question_mood(question) == Mood.PLAN


@pytest.mark.parametrize(
    "question", ["2023年实际建成多少个充电桩？", "2023年完成固定资产投资多少？", "2023年实现旅游总收入多少亿元？"]
)
def test_a_question_with_a_result_word_asks_for_the_actual_figure(question):
    assert question_mood(question) == Mood.ACTUAL


@pytest.mark.parametrize(
    "question",
    [
        "今年财政赤字安排多少？",  # 「安排」是问预算数的说法，回顾的文字也说「安排」：不说问的是计划
        "2023年主要产品产量是多少？",
        "2023年重要产业链产值多少？",
        "人均预期寿命是多少岁？",
        "2023年接待游客多少人次？",
    ],
)
def test_a_question_without_either_word_leaves_it_open(question):
    assert question_mood(question) == Mood.UNSAID


def test_an_unknown_mood_names_the_choices():
    with pytest.raises(ValueError, match="plan"):
        Mood.parse("target")


# ---- 真实的回答：六种体裁 ---------------------------------------------------------------------

PLANS = DATA / "plans"
MARK = "（这是计划或目标数）"


@pytest.fixture(scope="module")
def genre_index(tmp_path_factory):
    """One real index per invented document (so that a question meets only its own document), built on first use."""
    built: dict[str, Path] = {}

    def index(city: str) -> Path:
        if city not in built:
            from qa.indexing.build import build_index

            folder = tmp_path_factory.mktemp(city)
            (folder / "corpus").mkdir()
            shutil.copy(next(PLANS.glob(f"{city}*.txt")), folder / "corpus")
            build_index(folder / "corpus", folder / "index")
            built[city] = folder / "index"
        return built[city]

    return index


# (城市, 问题, 答案, 是否标成计划数)。答案全部逐字见于引文
ANSWERED = [
    # (a) 回顾一年的文件、次年发布：答它那一年的实际数
    ("云溪", "2023年云溪市地区生产总值是多少？", "2315.6亿元", False),  # 统计公报
    ("望湖", "2023年望湖市高新技术企业有多少家？", "1280家", False),  # 年报
    ("星川", "2023年星川市接待国内外游客多少万人次？", "8520萬人次", False),  # 年報（繁体）
    ("桐岭", "2023年桐岭市接待国内外游客多少万人次？", "3650万人次", False),  # 新闻稿，2024年1月发布
    ("桐岭", "2023年桐岭市实现旅游总收入多少亿元？", "412亿元", False),
    ("鹭洲", "2023年鹭洲市城镇新增就业多少人？", "6.3万人", False),  # 政府工作报告的回顾
    ("青岚", "2020年青岚市数字经济核心产业增加值是多少？", "520亿元", False),  # 规划的发展基础
    ("云台", "2023年云台市规模以上工业增加值增长多少？", "7.2%", False),  # 工作总结
    # (b) 问题说问计划（拟、将、要、计划、预计……）：答计划数，不另标
    ("鹭洲", "2024年鹭洲市拟安排多少地方政府专项债券？", "120亿元", False),
    ("鹭洲", "2024年鹭洲市要把城镇调查失业率控制在多少？", "5.5%以内", False),
    ("桐岭", "2024年桐岭市接待游客预计将突破多少万人次？", "4000万人次", False),
    ("云台", "2024年云台市将新建多少个公共充电桩？", "2000个", False),
    ("云台", "2023年云台市计划新建公共充电桩多少个？", "3000个", False),
    ("望湖", "2023年望湖市计划认定科技型中小企业多少家？", "1500家", False),
    ("星川", "2024年星川市力争接待游客多少万人次？", "9000萬人次", False),
    # (c) 没说问哪个、那一年计划数和实际数都有：答实际数
    ("云台", "2023年云台市新建公共充电桩多少个？", "3260个", False),
    ("望湖", "2023年望湖市认定科技型中小企业多少家？", "1672家", False),
    ("鹭洲", "2023年鹭洲市地区生产总值增长多少？", "5.8%", False),
    # (d) 没说问哪个、只有计划数：答它，标明是计划数
    ("鹭洲", "今年鹭洲市财政赤字安排多少？", "45亿元", True),
    ("云溪", "2024年云溪市筹集保障性租赁住房多少套？", "3000套", True),
    ("桐岭", "2024年桐岭市接待游客多少万人次？", "4000万人次", True),
    ("青岚", "2025年青岚市数字经济核心产业增加值是多少？", "900亿元", True),
]
# 把握离拒答阈值近的几题：答就答对（可以是「请核对」一档），没把握就不答，绝不拿别的数作答
ANSWERED_TO_CHECK = [
    ("鹭洲", "2024年鹭洲市城镇新增就业将达到多少人？", "6万人以上", False),
    ("云溪", "2023年云溪市城镇新增就业多少人？", "4.21万人", False),  # (c) 统计公报
    ("星川", "2024年星川市接待游客多少万人次？", "9000萬人次", True),  # (d) 年報（繁体）
    ("青岚", "青岚市计划到2025年数字经济核心产业增加值达到多少？", "900亿元", False),  # (b) 规划
]


def _ask(genre_index, reader, city: str, question: str):
    from qa.pipeline import Pipeline

    return Pipeline.open(genre_index(city), reader=reader).ask(question).answer


@pytest.mark.slow
@pytest.mark.parametrize(("city", "question", "span", "marked"), ANSWERED)
def test_plan_or_actual_in_real_answers(genre_index, reader, city, question, span, marked):
    answer = _ask(genre_index, reader, city, question)
    assert not answer.abstained and answer.span == span
    assert span in answer.answer and span in answer.citations[0].quote  # 答案里的数逐字见于引文
    assert (MARK in answer.answer) == marked
    assert answer.figures[0].get("plan", False) == marked


@pytest.mark.slow
@pytest.mark.parametrize(("city", "question", "span", "marked"), ANSWERED_TO_CHECK)
def test_plan_or_actual_in_answers_near_the_threshold(genre_index, reader, city, question, span, marked):
    answer = _ask(genre_index, reader, city, question)
    if answer.abstained:
        assert answer.veto.name in ("confidence", "year") and answer.confidence is not None
        return
    assert answer.span == span and span in answer.citations[0].quote
    assert (MARK in answer.answer) == marked


@pytest.mark.slow
@pytest.mark.parametrize(
    ("city", "question", "figure"),
    [
        ("云台", "2024年云台市实际建成多少个公共充电桩？", "2000个"),  # 工作总结：2024年只有打算
        ("桐岭", "2024年桐岭市实际接待游客多少万人次？", "4000万人次"),  # 新闻稿：2024年只有预计
    ],
)
def test_a_question_for_the_actual_figure_is_not_answered_with_a_plan(
    genre_index, reader, city, question, figure
):
    answer = _ask(genre_index, reader, city, question)
    assert answer.abstained and answer.veto.name == "plan" and f"「{figure}」" in answer.veto.reason


def test_a_section_that_sets_out_tasks_makes_its_figures_plans_a_review_makes_them_results():
    text = "加强农村公共设施建设。完成3万个行政村通光纤。已建成5000个站点。新建公路20万公里。"
    tasks = section_mood(("三、2017年重点工作任务", "（五）促进农业稳定发展和农民持续增收"))
    assert tasks == Mood.PLAN
    assert section_mood(("一、2016年工作回顾",)) == section_mood(("重点任务完成情况",)) == Mood.ACTUAL
    assert section_mood(("首先报告２００１年的工作",), heading_year=2001, doc_year=2002) == Mood.ACTUAL  # 报告前一年的工作
    assert section_mood(("二、关于外交工作",), heading_year=None, doc_year=2002) == Mood.UNSAID
    assert section_mood(("二、“十三五”时期发展成就和“十四五”时期主要目标任务",), doc_year=2021) == Mood.UNSAID

    def mood(figure: str, section: Mood = Mood.UNSAID) -> Mood:
        return figure_mood(text, text.find(figure), text.find(figure) + len(figure), section)

    assert mood("3万个", tasks) == Mood.PLAN  # 任务里的「完成」是要完成
    assert mood("5000个", tasks) == Mood.ACTUAL  # 「已建成」是做到了的
    assert mood("3万个") == Mood.ACTUAL
    assert mood("20万公里") == Mood.UNSAID and mood("20万公里", Mood.ACTUAL) == Mood.ACTUAL


@pytest.mark.parametrize(
    ("question", "mood"),
    [
        ("2017年计划再完成棚户区住房改造多少套？", Mood.PLAN),  # 「计划」管着「完成」
        ("2016年实际完成棚户区改造多少套？", Mood.ACTUAL),
        ("2016年完成年度计划的多少？", Mood.ACTUAL),  # 计划是完成的对象
    ],
)
def test_a_plan_word_in_a_question_outweighs_complete(question, mood):
    assert question_mood(question) == mood
