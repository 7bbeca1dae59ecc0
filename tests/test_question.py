"""Questions as people type them (qa/text/question.py): markup, courtesy and preamble, several questions in one."""
import pytest

from qa.text.question import plain_question, question_parts


def places(text: str) -> list[str]:
    return [place for place in ("杭州", "宁波") if place in text]


@pytest.mark.parametrize(
    "typed, parts",
    [
        ("您好！我是一名研究人员，最近在写一篇关于杭州信息化的文章，想请教一个问题。2007年底杭州因特网注册用户有多少？谢谢！",
         ["2007年底杭州因特网注册用户有多少？"]),
        ("请问2007年底杭州因特网注册用户有多少？", ["2007年底杭州因特网注册用户有多少？"]),
        ("可以帮我查一下吗？杭州有多少家上市企业？", ["杭州有多少家上市企业？"]),
        ("我在看2007年的报告。杭州因特网注册用户有多少？", ["2007年杭州因特网注册用户有多少？"]),
        ("2007年杭州因特网注册用户和移动电话用户分别是多少？", ["2007年杭州因特网注册用户是多少？", "2007年杭州移动电话用户是多少？"]),
        ("杭州上市企业、软件企业、服务外包企业各有多少家", ["杭州上市企业有多少家？", "杭州软件企业有多少家？", "杭州服务外包企业有多少家？"]),
        ("2007年杭州电子信息产业总产值是多少？那2002年呢？", ["2007年杭州电子信息产业总产值是多少？", "那2002年呢？"]),
        ("**杭州**有多少家上市企业？<b>", ["杭州有多少家上市企业？"]),
        ("根据2000年政府工作报告，1998年国家财政收入是多少？", ["根据2000年政府工作报告，1998年国家财政收入是多少？"]),
        ("中华人民共和国和美国的人口分别是多少？", ["中华人民共和国和美国的人口分别是多少？"]),  # 「国」不是一项
    ],
)
def test_question_parts(typed, parts):
    assert question_parts(typed, places) == parts


def test_markup_is_dropped_from_what_is_searched():
    assert plain_question("<script>alert(1)</script>杭州有`多少`家 &amp; 上市企业？") == "alert(1) 杭州有多少家 & 上市企业？"
    assert question_parts("<script></script>") == [""]
