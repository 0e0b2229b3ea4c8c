"""Exam practice in the notebook: one prediction item, or a quiz in practice or exam mode.

``Quiz.item("id")`` shows one item of the bank (a notebook asks for a prediction before it
reveals an answer): the learner picks, then sees why each option is right or wrong and, for
an executable item, the engine's decision. ``Quiz(...)`` is a set of items, filtered by tag
and difficulty, in practice mode (rationale after each answer) or exam mode (a timed set,
rationale and a score by topic at the end). Answers are saved in the learner's home
(:mod:`iamlab.exam.progress`); ``Quiz.mistakes()`` reviews the ones last answered wrong.

Nothing here asserts: a notebook cell showing a quiz always runs green. Marking and scoring
are in :mod:`iamlab.exam.practice`; every text from an item or a policy is escaped.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

import ipywidgets as W

from iamlab.decision import Decision, Verdict
from iamlab.exam.check import decide
from iamlab.exam.course import TOPICS, tag_title
from iamlab.exam.items import DECISION_WORDS, Bank, ExamError, Item, Option, bank
from iamlab.exam.practice import Marked, QuizRun, choose, ordered_options
from iamlab.exam.progress import Progress, TopicScore
from iamlab.policy import PolicyKind
from iamlab.widgets.base import guarded, oops_html, style_widget
from iamlab.widgets.decision import decision_view_html

LETTERS = "ABCDEF"
QUIZ_STYLE = """<style>
.iamlab-quiz-stem { font-size: 14px; line-height: 1.45; margin: 4px 0; }
.iamlab-quiz-options div { margin: 3px 0; }
.iamlab-quiz-why div { margin: 6px 0; padding: 4px 8px; border-left: 4px solid #d0d7de; }
.iamlab-quiz-why .right { border-left-color: #1a7f37; }
.iamlab-quiz-why .chosen { background: #f6f8fa; }
.iamlab-quiz-verdict-right { color: #1a7f37; font-weight: 600; }
.iamlab-quiz-verdict-wrong { color: #b42318; font-weight: 600; }
.iamlab-flow { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; margin: 4px 0; }
.iamlab-flow span.step { border: 1px solid #d0d7de; border-radius: 4px; padding: 2px 6px;
  font-size: 12px; }
.iamlab-flow span.allows { background: #e6f4ea; }
.iamlab-flow span.denies { background: #fde7e9; }
.iamlab-flow span.blocked { border: 2px solid #b42318; }
.iamlab-quiz table { border-collapse: collapse; }
.iamlab-quiz td, .iamlab-quiz th { padding: 2px 8px; border-bottom: 1px solid #eee; }
</style>"""
_KIND_ORDER = (PolicyKind.SCP, PolicyKind.RCP, PolicyKind.RESOURCE, PolicyKind.TRUST,
               PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION)
_EXHIBIT_TITLES = {
    "identityPolicies": "Identity-based policy", "resourcePolicy": "Resource-based policy",
    "permissionBoundaries": "Permissions boundary", "scps": "Service control policy",
    "rcps": "Resource control policy", "sessionPolicy": "Session policy",
    "request": "Request"}


def markdown_html(text: str) -> str:
    """The little Markdown items use (``code``, **bold**, paragraphs, line breaks), escaped
    first so nothing in the text becomes markup."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(f"<code>{escape(part[1:-1])}</code>")
        else:
            html = escape(part)
            html = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html)
            out.append(html.replace("\n\n", "</p><p>").replace("\n", "<br>"))
    return "<p>" + "".join(out) + "</p>"


def _exhibit_title(item: Item, key: str) -> str:
    if key == "resourcePolicy" and str(item.exhibit.get("request", {}).get("action", "")
                                       ).lower().startswith("sts:assumerole"):
        return "Role trust policy"
    if key == "resourcePolicy" and any(str(c.request.get("action", "")).lower()
                                       .startswith("sts:assumerole") for c in item.checks):
        return "Role trust policy"
    return _EXHIBIT_TITLES[key]


def exhibit_html(item: Item) -> str:
    """The exhibit's policies (and request) as JSON blocks under their titles."""
    blocks = []
    for key, value in item.exhibit.items():
        if value is None or value == []:
            continue
        docs = value if key in ("identityPolicies", "permissionBoundaries") else (
            [d for level in value for d in level] if key in ("scps", "rcps") else [value])
        for doc in docs:
            blocks.append(f"<div><b>{escape(_exhibit_title(item, key))}</b>"
                          f"<pre>{escape(json.dumps(doc, indent=2))}</pre></div>")
    return f'<div class="iamlab-quiz-exhibit">{"".join(blocks)}</div>' if blocks else ""


def flow_html(decision: Decision) -> str:
    """The policy types weighed, in evaluation order, each saying whether it allows or
    denies; the one that blocked the request is outlined (a diagram of the explanation)."""
    steps = []
    for kind in _KIND_ORDER:
        results = [r for r in decision.statements if r.policy.kind is kind]
        if not results:
            continue
        denies = any(r.matched and r.effect.value == "Deny" for r in results)
        allows = any(r.matched and r.effect.value == "Allow" for r in results)
        state = "denies" if denies else "allows" if allows else "no Allow"
        css = "denies" if denies else "allows" if allows else ""
        blocked = " blocked" if decision.blocked_by is kind else ""
        steps.append(f'<span class="step {css}{blocked}">{escape(kind.label)}: {state}</span>')
    verdict = DECISION_WORDS[decision.decision]
    colour = "allows" if decision.verdict is Verdict.ALLOWED else "denies"
    steps.append(f'<span class="step {colour}"><b>{escape(verdict)}</b></span>')
    return f'<div class="iamlab-flow">{" → ".join(steps)}</div>'


def _request_words(item: Item, check_request: Any) -> str:
    request = check_request or {}
    resource = request.get("resource")
    arn = resource.get("arn") if isinstance(resource, dict) else resource
    return (f"<code>{escape(str(request.get('principal')))}</code> calls "
            f"<code>{escape(str(request.get('action')))}</code> on "
            f"<code>{escape(str(arn))}</code>")


def engine_html(item: Item, chosen: Iterable[str] = ()) -> str:
    """What the engine decides for an executable item: each check, and each goal request
    with the chosen options' policies (the learner's answer, run)."""
    if not item.executable:
        return ""
    parts = ['<div class="iamlab-quiz-engine"><b>What iamlab\'s engine decides</b>']
    for check in item.checks:
        decision = decide(item, check, explain=True)
        parts.append(flow_html(decision) + decision_view_html(decision))
    picked = [item.option(o) for o in chosen if item.option(o).case is not None]
    for option in picked or [o for o in item.options if o.correct and o.case is not None]:
        whose = "your answer" if picked else "the correct answer"
        parts.append(f"<p>With {whose} <b>{escape(option.id)}</b>:</p>")
        for goal in item.goal:
            decision = decide(item, goal, option, explain=True)
            ok = decision.decision == goal.expected
            parts.append(f"<p>{_request_words(item, goal.request)}: "
                         f"<b>{escape(DECISION_WORDS[decision.decision])}</b> "
                         f"({'as required' if ok else 'required: '}"
                         f"{'' if ok else escape(DECISION_WORDS[goal.expected])})</p>"
                         + flow_html(decision))
    parts.append("</div>")
    return "".join(parts)


def feedback_html(item: Item, chosen: Iterable[str], order: Sequence[Option],
                  engine: bool = True) -> str:
    """Right or wrong, then every option with why it is right or wrong, the sources and
    (for an executable item) the engine's decisions."""
    picked = frozenset(chosen)
    right = item.grade(picked)
    verdict = ('<div class="iamlab-quiz-verdict-right">Right.</div>' if right else
               '<div class="iamlab-quiz-verdict-wrong">Not quite: the answer is '
               + ", ".join(LETTERS[i] for i, o in enumerate(order) if o.correct) + ".</div>")
    rows = []
    for i, option in enumerate(order):
        css = " ".join(c for c in ("right" if option.correct else "",
                                   "chosen" if option.id in picked else "") if c)
        mark = "✔ correct" if option.correct else "✘ wrong"
        you = " (your answer)" if option.id in picked else ""
        rows.append(f'<div class="{css}" data-option="{escape(option.id)}"><b>{LETTERS[i]}. '
                    f"{mark}{you}</b> {markdown_html(option.text)}"
                    f"{markdown_html(option.why)}</div>")
    links = " · ".join(f'<a href="{escape(s)}" target="_blank" rel="noopener">{escape(s)}</a>'
                       for s in item.sources)
    return (f'<div class="iamlab-quiz-feedback" data-right="{str(right).lower()}">{verdict}'
            f'<div class="iamlab-quiz-why">{"".join(rows)}</div>'
            f"<p>Read more: {links}</p>"
            + (engine_html(item, picked) if engine else "") + "</div>")


def topics_html(scores: Sequence[TopicScore], title: str) -> str:
    """A table of right out of answered per topic, weakest first."""
    if not scores:
        return ""
    rows = "".join(f"<tr><td>{escape(s.title)}</td><td>{s.right} / {s.answered}</td>"
                   f"<td>{round(100 * s.ratio)}%</td></tr>" for s in scores)
    return (f'<div class="iamlab-quiz-topics"><b>{escape(title)}</b><table>'
            f"<tr><th>topic</th><th>right</th><th></th></tr>{rows}</table></div>")


class ItemView(W.VBox):  # type: ignore[misc]
    """One item: stem, exhibit, options, a Check button, then the rationale (practice) or
    just "answer saved" (exam). ``on_answer(option_ids)`` marks the answer; it returns the
    mark or raises :class:`ExamError` with a message for the learner."""

    children: tuple[Any, ...]

    def __init__(self, item: Item, on_answer: Callable[[frozenset[str]], Marked | None],
                 reveal: bool = True, seed: int | str = 0, number: str = "") -> None:
        super().__init__()
        self.item = item
        self.reveal = reveal
        self.on_answer = on_answer
        self.order = ordered_options(item, seed)
        self.add_class("iamlab-quiz-item")
        head = (f"{number} · " if number else "") + (
            f"choose {item.select}" if item.multiple else "choose one")
        stem = W.HTML(f'<div class="iamlab-quiz-stem" data-item="{escape(item.id)}">'
                      f'<small>{escape(head)}</small>{markdown_html(item.stem)}'
                      f"{exhibit_html(item)}</div>")
        listing = "" if item.prediction else "".join(
            f"<div><b>{LETTERS[i]}.</b> {markdown_html(o.text)}</div>"
            for i, o in enumerate(self.order))
        self.buttons = [W.ToggleButton(description=o.text if item.prediction else LETTERS[i],
                                       layout=W.Layout(width="auto"))
                        for i, o in enumerate(self.order)]
        for button in self.buttons:
            button.add_class("iamlab-quiz-option")
            button.observe(self._picked, names="value")
        self.check = W.Button(description="Check answer" if reveal else "Save answer",
                              button_style="primary")
        self.check.add_class("iamlab-quiz-check")
        self.feedback = W.HTML()
        self.feedback.add_class("iamlab-quiz-result")
        self.check.on_click(guarded("the quiz", self._show)(self._check))
        self.children = (stem, W.HTML(f'<div class="iamlab-quiz-options">{listing}</div>'),
                         W.HBox(self.buttons), self.check, self.feedback)

    def _show(self, html: str) -> None:
        self.feedback.value = html

    def _picked(self, change: dict[str, Any]) -> None:
        if change["new"] and not self.item.multiple:
            for button in self.buttons:
                if button is not change["owner"] and button.value:
                    button.value = False

    @property
    def chosen(self) -> frozenset[str]:
        return frozenset(o.id for o, b in zip(self.order, self.buttons, strict=True) if b.value)

    def choose(self, *letters_or_ids: str) -> None:
        """Select options by letter (``"A"``) or option id, as a click would."""
        for button in self.buttons:
            button.value = False
        for key in letters_or_ids:
            index = (LETTERS.index(key) if len(key) == 1 and key in LETTERS[:len(self.order)]
                     else [o.id for o in self.order].index(key) if key in
                     [o.id for o in self.order] else None)
            if index is None:
                raise ExamError(f"no option {key!r} (choose a letter A-"
                                f"{LETTERS[len(self.order) - 1]})")
            self.buttons[index].value = True

    def _check(self, _button: Any = None) -> None:
        try:
            marked = self.on_answer(self.chosen)
        except ExamError as exc:
            self.feedback.value = f'<div class="iamlab-problem">{escape(str(exc))}</div>'
            return
        if self.reveal and marked is not None:
            self.feedback.value = feedback_html(self.item, marked.chosen, self.order)
        else:
            letters = ", ".join(LETTERS[i] for i, o in enumerate(self.order)
                                if o.id in self.chosen)
            self.feedback.value = f"<p>Answer saved: {escape(letters)}.</p>"

    def submit(self) -> None:
        """Press Check (for scripts and tests)."""
        self._check()


def _progress(progress: Progress | str | None) -> Progress:
    return progress if isinstance(progress, Progress) else Progress(progress)


class Quiz(W.VBox):  # type: ignore[misc]
    """A set of exam items in practice or exam mode; ``Quiz.item(id)`` shows just one."""

    def __init__(self, tags: Iterable[str] | str = (), difficulty: int | Iterable[int] | None
                 = None, mode: str = "practice", count: int | None = None,
                 minutes: float | None = None, seed: int | None = None,
                 items: Iterable[str] | None = None, progress: Progress | str | None = None,
                 source: Bank | None = None) -> None:
        super().__init__()
        self.add_class("iamlab-quiz")
        self.bank = source if source is not None else bank()
        self.progress = _progress(progress)
        tags = (tags,) if isinstance(tags, str) else tuple(tags)
        unknown = [t for t in tags if t not in TOPICS and not t.startswith("point-")]
        if unknown:
            raise ExamError(f"unknown tag {unknown[0]!r}: use point-1..point-15 or one of "
                            f"{', '.join(TOPICS)}")
        picked = ([self.bank.item(i) for i in items] if items is not None
                  else self.bank.select(tags, difficulty))
        if seed is None and items is None:  # a fresh mix each time, not the files' order
            seed = random.randrange(1_000_000)
        self.seed = seed
        self.run = QuizRun(choose(picked, count, seed), mode, minutes, self.progress)
        self.header = W.HTML()
        self.body = W.VBox()
        self.back = W.Button(description="Previous")
        self.next = W.Button(description="Next")
        self.done = W.Button(description="Finish" if mode == "exam" else "Show my topics",
                             button_style="warning" if mode == "exam" else "")
        for button, css in ((self.back, "prev"), (self.next, "next"), (self.done, "finish")):
            button.add_class(f"iamlab-quiz-{css}")
        self.message = W.HTML()
        self.back.on_click(guarded("the quiz", self._oops)(lambda _b: self._go(-1)))
        self.next.on_click(guarded("the quiz", self._oops)(lambda _b: self._go(+1)))
        self.done.on_click(guarded("the quiz", self._oops)(lambda _b: self.finish()))
        self.views: dict[str, ItemView] = {}
        self.children = [style_widget(), W.HTML(QUIZ_STYLE), self.header, self.body,
                         W.HBox([self.back, self.next, self.done]), self.message]
        if self.progress.note:
            self.message.value = f'<div class="iamlab-warning">{escape(self.progress.note)}</div>'
        self._ticker: asyncio.TimerHandle | None = None
        self._show()
        self._tick()

    @classmethod
    def item(cls, item_id: str, progress: Progress | str | None = None,
             source: Bank | None = None) -> ItemView:
        """One item for a prediction: pick, press Check, read why (saved as practice)."""
        found = (source if source is not None else bank()).item(item_id)
        run = QuizRun([found], "practice", progress=_progress(progress))
        view = ItemView(found, run.answer, reveal=True)
        view.children = (style_widget(), W.HTML(QUIZ_STYLE), *view.children)
        view.add_class("iamlab-quiz")
        return view

    @classmethod
    def mistakes(cls, progress: Progress | str | None = None, source: Bank | None = None,
                 **options: Any) -> Quiz | W.HTML:
        """Practice the items last answered wrong (a message when there are none)."""
        record = _progress(progress)
        wanted = [i for i in record.mistakes() if i in (source or bank())]
        if not wanted:
            return W.HTML("<p>No mistakes to review: every item you answered was right the "
                          "last time.</p>")
        return cls(items=wanted, progress=record, source=source, **options)

    @classmethod
    def chooser(cls, progress: Progress | str | None = None, source: Bank | None = None,
                seed: int | None = None) -> W.VBox:
        """Pick a topic, a difficulty, a mode and a length, then Start: the quiz opens below."""
        found = source if source is not None else bank()
        record = _progress(progress)
        tags = sorted({t for i in found.values() for t in i.tags},
                      key=lambda t: (not t.startswith("point-"),
                                     int(t[6:]) if t.startswith("point-") else 0, t))
        topic = W.Dropdown(options=[("every topic", "")] + [(tag_title(t), t) for t in tags],
                           description="Topic")
        level = W.Dropdown(options=[("any", 0), ("1 (easy)", 1), ("2", 2), ("3 (hard)", 3)],
                           description="Difficulty")
        mode = W.ToggleButtons(options=[("Practice", "practice"), ("Exam (timed)", "exam")])
        count = W.Dropdown(options=[5, 10, 20, 65], value=10, description="Questions")
        start = W.Button(description="Start", button_style="primary")
        start.add_class("iamlab-quiz-start")
        area = W.VBox()
        panel = W.VBox([W.HBox([topic, level]), W.HBox([mode, count]), start, area])
        panel.add_class("iamlab-quiz-chooser")

        def show(html: str) -> None:
            area.children = [W.HTML(html)]

        @guarded("the quiz", show)
        def begin(_button: Any) -> None:
            try:
                area.children = [cls(tags=[topic.value] if topic.value else (),
                                     difficulty=level.value or None, mode=mode.value,
                                     count=count.value, seed=seed, progress=record,
                                     source=found)]
            except ExamError as exc:
                show(f'<div class="iamlab-problem">{escape(str(exc))}</div>')

        start.on_click(begin)
        return panel

    def _oops(self, html: str) -> None:
        self.message.value = html

    def _view(self, item: Item) -> ItemView:
        if item.id not in self.views:
            number = f"Question {self.run.position + 1} of {len(self.run.items)}"
            self.views[item.id] = ItemView(item, self._answer, self.run.mode == "practice",
                                           self.seed or 0, number)
        return self.views[item.id]

    def _answer(self, chosen: frozenset[str]) -> Marked | None:
        try:
            return self.run.answer(chosen)
        finally:
            if self.run.finished:
                self._results()
            else:
                self._header()

    def _header(self) -> None:
        run = self.run
        answered = len(run.answers)
        left = run.time_left()
        clock = "" if left is None else f" · time left {int(left // 60)}:{int(left % 60):02d}"
        self.header.value = (f'<div class="iamlab-title" data-mode="{run.mode}">'
                             f"{'Exam' if run.mode == 'exam' else 'Practice'}: "
                             f"{len(run.items)} questions · {answered} answered{clock}</div>")

    def _show(self) -> None:
        if self.run.finished:
            return
        self._header()
        self.body.children = [self._view(self.run.current)]
        self.back.disabled = self.run.position == 0
        self.next.disabled = self.run.position == len(self.run.items) - 1

    def _go(self, step: int) -> None:
        if self.run.mode == "exam" and self.run.time_up:
            self.finish()
            return
        self.run.go(self.run.position + step)
        self._show()

    def current(self) -> ItemView:
        """The view of the item on show."""
        return self._view(self.run.current)

    def finish(self) -> None:
        """End the run: the exam is marked; practice shows the topics so far."""
        if self.run.mode == "exam":
            self.run.finish()
            self._results()
        else:
            self.message.value = topics_html(self.progress.topics(self.bank),
                                             "Your answers so far, by topic (weakest first)")

    def _results(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        earned, possible = self.run.score()
        reviews = []
        for n, marked in enumerate(self.run.marked(), start=1):
            order = ordered_options(marked.item, self.seed or 0)
            reviews.append(f'<details class="iamlab-quiz-review"><summary>Question {n}: '
                           f"{'right' if marked.right else 'wrong'}</summary>"
                           f"{markdown_html(marked.item.stem)}{exhibit_html(marked.item)}"
                           f"{feedback_html(marked.item, marked.chosen, order)}</details>")
        self.header.value = (f'<div class="iamlab-title iamlab-quiz-score" data-mode="exam" '
                             f'data-score="{earned}" data-possible="{possible}">'
                             f"Exam over: {earned} of {possible} points</div>")
        self.body.children = [W.HTML(topics_html(self.run.by_topic(), "Score by topic")
                                     + "".join(reviews))]
        self.back.disabled = self.next.disabled = self.done.disabled = True

    def _tick(self) -> None:
        """In a running kernel, refresh the clock each second and mark the exam at 0:00."""
        if self.run.mode != "exam" or self.run.finished:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self.run.time_up:
            self.run.finish()
            self._results()
            return
        self._header()
        self._ticker = loop.call_later(1.0, self._tick)


def weak_topics(progress: Progress | str | None = None, source: Bank | None = None) -> W.HTML:
    """Every topic answered so far, weakest first (from the saved progress)."""
    record = _progress(progress)
    scores = record.topics(source if source is not None else bank())
    if not scores:
        return W.HTML("<p>No answers saved yet.</p>")
    return W.HTML(topics_html(scores, "Your answers by topic (weakest first)"))


__all__ = ["ItemView", "Quiz", "engine_html", "feedback_html", "flow_html", "markdown_html",
           "oops_html", "tag_title", "weak_topics"]
