"""Plan or actual from the wording: whether a figure's clause states a plan or target (「拟安排」「预期增长」
「力争达到」) or a result (「实际完成」「已建成」), and whether a question asks for one or the other.

Not from the figure's year: a statistics bulletin, an annual report or a news page written early in the next year
states the year's results, and a government work report states this year's targets and last year's results side by
side. The words are matched in simplified characters (「預期」「擬」 are 「预期」「拟」).
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from qa.text.script import to_simplified

# ---- 词表：每一类词说的是什么 ------------------------------------------------------------------

# 向前看的助动词和动词：说的是要做、打算做、估计会有的事。
# 「将」表将来时算；不算的：「将近」（差不多）、「将来」、武将的「将」（「将领」「少将」），和作「把」用的「将」——
# 后面紧跟数字（「将2.8万亿元纳入」），或本分句里有处置动词（「将最低工资标准提高到2280元」）：那是做了什么，时态要看别处。
# 「要」：「主要」「重要」「需要」「必要」「首要」「只要」「纲要」「要素」「要求」「要点」「要是」「要闻」里的「要」不是助动词。
# 「拟」：「模拟」「虚拟」「草拟」不算；「争取到」「争取了」「确保了」是已经做到的。
# 「预期」作状语（「预期增长8%」）同「预计」；作名词（「预期目标」「好于预期」）见下面的目标名词
FORWARD_WORDS = re.compile(
    r"拟(?!人)(?<![模虚草]拟)"
    r"|预计|力争|打算"
    r"|(?<![于超稳合的])预期(?!目标|寿命|的|值|性|[，,。；;])"
    r"|(?:确保|争取)(?![到了])"
    r"|(?<![大中少上老名主猛干小闯武])将(?![近来军领士帅]|\s*[0-9０-９一二三四五六七八九十百千万亿两])"
    r"(?![^，,；;：:。]{1,16}?(?:纳入|列入|列为|提高到|提高至|降低到|降低至|降到|降至|调整为|调整到|扩大到|扩大至|延长至|延长到|"
    r"作为|改为|确定为|分为|用于|转为|下放|推广到|推广至|整合|合并))"
    r"|(?<![主重需必首只纪摘提简扼紧显概纲机险政])要(?![求素点害闻么件领是紧员务职略旨诀])"
)
# 定下的目标、计划、预期：作名词时也说明这个数是定的而不是做到的，但「完成年度计划的105%」「实现预期目标」是结果，
# 所以它们的分量在结果词之后（见 _evidence）；作名词也只管自己的分句，「低于预期目标，全年增长5.8%」的5.8%是实际数，
# 只有列举的引语（「主要预期目标是：……」）管到后面。
# 「“十五”计划」「五年规划」是时期的名字（qa.text.time 把它们读作年份），「计划生育」「计划单列」「计划经济」与计划数无关；
# 「规划局」「计划委员会」是机关；「预期寿命」是寿命；「好于预期」「超预期」「符合预期」「稳预期」说的是结果与预期之比
TARGET_NOUNS = re.compile(
    r"目标"
    r"|(?<!五[”\"」』])(?<!五年)(?:计划|规划)(?!生育|单列|经济|期间|时期|[局院馆处委所司部厅科])"
    r"|(?<![于超稳合])预期(?!寿命)"
)
# 定数的动词：「控制在」多少。和目标名词一样排在结果词之后（「实际控制在」是结果），但像向前看的词一样管到同一句后面的
# 分句。「安排」不在内：回顾的文字也说「安排政府投资信息化资金2.5亿元」，预算的计划数写作「拟安排」「将安排」
TARGET_VERBS = re.compile(r"控制在")
# 书名号里的是文件名（《……规划纲要》《……行动计划》），不是这句话的措辞
_BOOK_TITLE = re.compile(r"《[^《》]*》")
# 说明已经做到的词：实际数、完成数。前面紧跟向前看的词时（「计划完成」「力争实现」「要实现」）不算
RESULT_WORDS = re.compile(
    r"(?<!计划)(?<!预计)(?<!力争)(?<!争取)(?<!确保)(?<![将要拟])"
    r"(?:实际(?!工作)|已经|已(?![知])(?<!而已)|完成|实现|超额)"
)
# 小节标题说这一节讲要做的事（「三、2017年重点工作任务」「二、总体部署」「发展目标」）：节里的「完成」「实现」是要完成、
# 要实现的，只有「已」「已经」「实际」说是做到了的；标题说是回顾、情况的节不算（「重点任务完成情况」）
_PLAN_HEADING = re.compile(r"任务|部署|打算|展望|目标|工作安排|思路|方针|总体要求")
_RESULT_HEADING = re.compile(r"回顾|情况|成就|成效|进展|完成|实现|总结")
# 「完成年度计划的多少」「实现预期目标」：计划是完成的对象，问的是结果
_TARGET_MET = re.compile(r"(?:完成|实现)[^，,。？?]{0,6}(?:计划|目标|规划)")
_DONE_HEADING = re.compile(r"(?:完成|执行|落实)情况")
_DONE_WORDS = re.compile(r"实际(?!工作)|已经|已(?![知])(?<!而已)")
# 「左右」「以上」「以内」修饰目标，也修饰估计的实际数（「降到去年的1.5%左右」）：不是证据，不在词表里


class Mood(str, Enum):
    """Whether a figure is a plan or target, an actual result, or the wording does not say."""

    PLAN = "plan"
    ACTUAL = "actual"
    UNSAID = "unsaid"

    @classmethod
    def parse(cls, value: str) -> Mood:
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"未知的计划/实际类别 {value!r}，可选：{', '.join(m.value for m in cls)}") from None


class _Evidence(Enum):
    FORWARD = "forward"
    RESULT = "result"
    TARGET_VERB = "target verb"
    TARGET_NOUN = "target noun"
    NONE = "none"


_CLAUSE_MARKS = "，,；;：:"
_SENTENCE_MARKS = "。！？!?\n"


@lru_cache(maxsize=8192)
def _evidence(clause: str) -> _Evidence:
    """The strongest plan or result word of a clause: forward words, then result words, then targets."""
    text = _BOOK_TITLE.sub("《》", to_simplified(clause))
    if FORWARD_WORDS.search(text):
        return _Evidence.FORWARD
    if RESULT_WORDS.search(text):
        return _Evidence.RESULT
    if TARGET_VERBS.search(text):
        return _Evidence.TARGET_VERB
    if TARGET_NOUNS.search(text):
        return _Evidence.TARGET_NOUN
    return _Evidence.NONE


_PLAN_EVIDENCE = (_Evidence.FORWARD, _Evidence.TARGET_VERB, _Evidence.TARGET_NOUN)


def clause_mood(clause: str) -> Mood:
    """What one clause says of its figures by its own words: 「今年拟安排专项债券3.65万亿元」 PLAN,
    「实际建成3260个」 ACTUAL, 「全年接待游客8000万人次」 UNSAID."""
    evidence = _evidence(clause)
    if evidence in _PLAN_EVIDENCE:
        return Mood.PLAN
    return Mood.ACTUAL if evidence == _Evidence.RESULT else Mood.UNSAID


def section_mood(section_path: tuple[str, ...], heading_year: int | None = None, doc_year: int | None = None) -> Mood:
    """What the headings over a paragraph say of its figures: ACTUAL when one says it reviews what was done
    (「一、2016年工作回顾」「重点任务完成情况」) or names a year before the document's (「首先报告２００１年的工作」 in
    the 2002 report); PLAN when one sets out what is to be done (「三、2017年重点工作任务」); the innermost heading
    that says either decides, and one that says both (「发展成就和主要目标任务」) leaves it to the wording: UNSAID.
    `heading_year`: the year the innermost heading that names one speaks of (qa.text.time.section_year)."""
    for heading in reversed([to_simplified(heading) for heading in section_path]):
        review, plan = bool(_RESULT_HEADING.search(heading)), bool(_PLAN_HEADING.search(heading))
        if _DONE_HEADING.search(heading):
            return Mood.ACTUAL  # 「重点任务完成情况」：说的是任务做得怎样
        if review and plan:
            return Mood.UNSAID  # 「“十三五”时期发展成就和“十四五”时期主要目标任务」：两样都有，看措辞
        if review or plan:
            return Mood.ACTUAL if review else Mood.PLAN
    return Mood.ACTUAL if heading_year and doc_year and heading_year < doc_year else Mood.UNSAID


def figure_mood(text: str, start: int, end: int, section: Mood = Mood.UNSAID) -> Mood:
    """Whether the figure at text[start:end] is a plan, a result or unsaid: its own clause decides; when it says
    nothing, the nearest earlier clause of the same sentence that does (「今年赤字率拟按3%安排，赤字规模4.06万亿元」:
    4.06万亿元 is planned too), a target noun only as the lead-in of a list (「主要预期目标是：……；……」).
    `section` is what the headings say (`section_mood`): in a section that sets out what is to be done a figure is a
    plan unless its sentence says it is done already (「完成3万个行政村通光纤」 there is a task); in a review a figure
    whose words say nothing is a result."""
    if section == Mood.PLAN:
        sentence_start = max(text.rfind(mark, 0, start) for mark in _SENTENCE_MARKS) + 1
        return Mood.ACTUAL if _DONE_WORDS.search(to_simplified(text[sentence_start:end])) else Mood.PLAN
    said = _worded_mood(text, start, end)
    return Mood.ACTUAL if said == Mood.UNSAID and section == Mood.ACTUAL else said


def _worded_mood(text: str, start: int, end: int) -> Mood:
    """The mood a figure's own words give it (see figure_mood)."""
    sentence_start = max(text.rfind(mark, 0, start) for mark in _SENTENCE_MARKS) + 1
    if (
        text[sentence_start:].lstrip(" 　").startswith("其中")
        and sentence_start > 1
        and text[sentence_start - 1] in "。；;"
    ):
        # 「其中，……」开句是上一句总数的分项：计划还是实际随那个总数
        sentence_start = max(text.rfind(mark, 0, sentence_start - 1) for mark in _SENTENCE_MARKS) + 1
    clause_start = max(text.rfind(mark, sentence_start, start) for mark in _CLAUSE_MARKS) + 1
    clause_start = max(clause_start, sentence_start)
    ends = [i for i in (text.find(mark, end) for mark in _CLAUSE_MARKS + _SENTENCE_MARKS) if i >= 0]
    own = clause_mood(text[clause_start : min(ends) if ends else len(text)])
    if own != Mood.UNSAID:
        return own
    earlier = re.split(r"(?<=[，,；;：:])", text[sentence_start:clause_start])
    across_semicolon = False  # 分号隔开的是并列的几件事：只有列举的引语（「……目标是：」）管过分号
    for clause in reversed([piece for piece in earlier if piece]):
        evidence = _evidence(clause)
        if clause[-1] in "：:" and evidence in _PLAN_EVIDENCE:
            return Mood.PLAN
        across_semicolon = across_semicolon or clause[-1] in "；;"
        if across_semicolon:
            continue
        if evidence in (_Evidence.FORWARD, _Evidence.TARGET_VERB):
            return Mood.PLAN
        if evidence == _Evidence.RESULT:
            return Mood.ACTUAL
    return Mood.UNSAID


def without_mood_words(text: str) -> str:
    """The text in simplified characters without its plan and result words (「今年预期增长」→「今年增长」)."""
    text = to_simplified(text)
    for words in (FORWARD_WORDS, RESULT_WORDS, TARGET_VERBS, TARGET_NOUNS):
        text = words.sub(" ", text)
    return text


@lru_cache(maxsize=1024)
def question_mood(question: str) -> Mood:
    """What a question asks for: a plan or target (「拟」「计划」「将」「要」「目标」「预计」「预期」……), an actual figure
    (「实际」「完成」「实现」), or either (UNSAID: the actual figure where the text has one, else the plan, marked)."""
    evidence = _evidence(question)
    if evidence in _PLAN_EVIDENCE:
        return Mood.PLAN
    text = to_simplified(question)
    # 问句里「计划（再）完成」「目标是实现」问的是计划：目标的名词压过「完成」「实现」，只有「已」「实际」不让
    if (
        evidence == _Evidence.RESULT
        and not _DONE_WORDS.search(text)
        and not _TARGET_MET.search(text)
        and (TARGET_NOUNS.search(text) or TARGET_VERBS.search(text))
    ):
        return Mood.PLAN
    return Mood.ACTUAL if evidence == _Evidence.RESULT else Mood.UNSAID
