"""The quiz: one prediction item, practice and exam mode, progress saved in the learner's home.

Every test runs with a temporary home (``HOME``), so nothing is written to the real one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamlab.exam import ExamError, bank
from iamlab.exam.practice import QuizRun
from iamlab.exam.progress import Progress, default_path
from iamlab.widgets.quiz import Quiz, feedback_html, markdown_html

PREDICT = "predict-lambda-wears-ec2-role"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def saved(home: Path) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = json.loads(
        (home / ".iamlab" / "quiz-progress.json").read_text())["items"]
    return data


def test_progress_lives_in_the_learners_home(home: Path) -> None:
    assert default_path() == home / ".iamlab" / "quiz-progress.json"


def test_a_prediction_shows_why_after_an_answer_and_never_raises(home: Path) -> None:
    view = Quiz.item(PREDICT)
    assert view.feedback.value == ""
    assert [b.description for b in view.buttons] == [
        "Allowed", "Denied: nothing allows it (implicit deny)", "Denied by an explicit Deny"]
    view.submit()  # nothing chosen: a message, not an exception
    assert "choose an answer first" in view.feedback.value
    view.choose("A")
    view.submit()
    assert 'data-right="false"' in view.feedback.value
    assert "Not quite: the answer is B." in view.feedback.value
    # every option's why is shown, and the engine's decision with its flow
    for option in bank().item(PREDICT).options:
        assert markdown_html(option.why) in view.feedback.value
    assert 'data-decision="implicitDeny"' in view.feedback.value
    assert "iamlab-flow" in view.feedback.value
    view.choose("implicit")
    view.submit()
    assert 'data-right="true"' in view.feedback.value
    assert saved(home)[PREDICT] | {"when": ""} == {"answered": 2, "right": 1, "last": True,
                                                    "when": ""}


def test_single_answer_buttons_are_exclusive() -> None:
    view = Quiz.item(PREDICT)
    view.buttons[0].value = True
    view.buttons[1].value = True
    assert [b.value for b in view.buttons] == [False, True, False]


def test_practice_mode_marks_at_once_and_mistakes_can_be_reviewed(home: Path) -> None:
    quiz = Quiz(items=[PREDICT, "passrole-lambda-create"], seed=3)
    first = quiz.current()
    wrong = next(o.id for o in first.item.options if not o.correct)
    first.choose(wrong)
    first.submit()
    assert 'data-right="false"' in first.feedback.value
    quiz.next.click()
    second = quiz.current()
    second.choose(*second.item.correct_ids)
    second.submit()
    assert 'data-right="true"' in second.feedback.value
    assert Progress().mistakes() == [first.item.id]
    review = Quiz.mistakes()
    assert isinstance(review, Quiz)
    assert [i.id for i in review.run.items] == [first.item.id]
    quiz.finish()  # practice: the topics so far, weakest first
    assert "by topic" in quiz.message.value
    first_topic = quiz.message.value.split("<td>")[1]
    assert first_topic.split("</td>")[0] in {t for t in _titles(first.item.tags)}


def _titles(tags: tuple[str, ...]) -> set[str]:
    from iamlab.exam.course import tag_title

    return {tag_title(t).replace("&", "&amp;") for t in tags}


def test_exam_mode_hides_the_rationale_until_the_end_and_scores_by_topic(home: Path) -> None:
    quiz = Quiz(mode="exam", items=[PREDICT, "passrole-lambda-create"], seed=1)
    view = quiz.current()
    view.choose(*view.item.correct_ids)
    view.submit()
    assert "Answer saved" in view.feedback.value and "why" not in view.feedback.value
    assert not (home / ".iamlab" / "quiz-progress.json").exists()  # saved at the end
    quiz.done.click()
    score = quiz.header.value
    assert 'data-score="1" data-possible="2"' in score
    results = quiz.body.children[0].value
    assert "Score by topic" in results and results.count("iamlab-quiz-review") == 2
    other = next(i for i in (PREDICT, "passrole-lambda-create") if i != view.item.id)
    assert saved(home)[view.item.id]["right"] == 1
    assert saved(home)[other] | {"when": ""} == {"answered": 1, "right": 0, "last": False,
                                                  "when": ""}  # unanswered is wrong


def test_time_up_marks_the_exam() -> None:
    now = [0.0]
    items = [bank().item(PREDICT)]
    run = QuizRun(items, "exam", minutes=1, clock=lambda: now[0])
    assert run.time_left() == 60
    now[0] = 61
    with pytest.raises(ExamError, match="time is up"):
        run.answer(["implicit"])
    assert run.finished and run.score() == (0, 1)


def test_filters_by_tag_and_difficulty() -> None:
    quiz = Quiz(tags=["point-13"], difficulty=2)
    assert quiz.run.items and all("point-13" in i.tags and i.difficulty == 2
                                  for i in quiz.run.items)
    with pytest.raises(ExamError, match="unknown tag 'lambda'"):
        Quiz(tags="lambda")


def test_an_unreadable_progress_file_is_put_aside(home: Path) -> None:
    path = home / ".iamlab" / "quiz-progress.json"
    path.parent.mkdir()
    path.write_text("{not json")
    quiz = Quiz(items=[PREDICT])
    assert "could not be read" in quiz.message.value
    assert (home / ".iamlab" / "quiz-progress.unreadable.json").exists()


def test_text_from_an_item_is_escaped() -> None:
    item = bank().item(PREDICT)
    html = feedback_html(item, [], item.options, engine=False)
    assert "<img" not in markdown_html("`<img src=x onerror=alert(1)>` **<b>x</b>**")
    assert "&lt;img" in markdown_html("<img src=x onerror=alert(1)>")
    assert html.count('data-option="') == 3


def test_the_chooser_filters_and_starts_a_quiz() -> None:
    panel = Quiz.chooser(seed=2)
    topic, level = panel.children[0].children
    mode, count = panel.children[1].children
    start, area = panel.children[2], panel.children[3]
    topic.value, level.value, mode.value, count.value = "imds", 2, "exam", 5
    start.click()
    quiz = area.children[0]
    assert isinstance(quiz, Quiz) and quiz.run.mode == "exam"
    assert quiz.run.items and all("imds" in i.tags and i.difficulty == 2 for i in quiz.run.items)
    topic.value, level.value = "point-15", 1
    start.click()
    items = area.children[0].run.items
    assert all("point-15" in i.tags and i.difficulty == 1 for i in items)


def test_html_in_an_item_and_its_policies_shows_as_text(tmp_path: Path) -> None:
    """A stem, option, why or policy Sid carrying markup is escaped everywhere it shows."""
    from iamlab.exam import load_bank

    xss = "<img src=x onerror=alert(1)>"
    raw = json.loads((Path(__file__).parent.parent / bank()[PREDICT].file).read_text())
    item = next(i for i in raw["items"] if i["id"] == PREDICT)
    item["stem"] += xss
    item["exhibit"]["resourcePolicy"]["Statement"][0]["Sid"] = "Trust" + xss
    for option in item["options"]:
        option["why"] += xss
    (tmp_path / "x.json").write_text(json.dumps({"schema_version": 1, "items": [item]}))
    view = Quiz.item(PREDICT, source=load_bank([tmp_path]))
    view.choose("implicit")
    view.submit()
    shown = "".join(getattr(w, "value", "") for w in view.children) + view.feedback.value
    assert "<img" not in shown and shown.count("&lt;img") >= 5
