"""Exam items: the JSON files in ``iamlab/data/exam/``, read and validated into dataclasses.

A file is ``{"schema_version": 1, "items": [...]}``; one item is a short scenario (``stem``,
Markdown), optional policies (``exhibit``, in the cases format of :mod:`iamlab.cases`), four
or five options each with a ``why``, tags, difficulty and AWS documentation ``sources``.
Executable items say what the engine must answer (see :mod:`iamlab.exam.check`):

- ``checks``: requests decided against the exhibit, each with its ``expected`` decision;
- an option's ``decision``: the option claims the first check's request is decided so
  (prediction items: allowed, implicit deny, explicit deny);
- an option's ``case`` with the item's ``goal``: the option changes the exhibit (a policy, a
  request) and is correct exactly when every goal request then gets its expected decision.

A malformed item is an :class:`ExamError` naming the file, the item and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from iamlab.cases import CaseError, case_from_dict
from iamlab.errors import IamlabError
from iamlab.exam.course import NOTEBOOKS, known_tag

SCHEMA_VERSION = 1
DECISIONS = ("allowed", "implicitDeny", "explicitDeny")
DECISION_WORDS = {"allowed": "allowed", "implicitDeny": "denied (implicit deny)",
                  "explicitDeny": "denied (explicit deny)"}
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_OBJECTIVE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*-[0-9]+$")
_ITEM_FIELDS = {"id", "notebook", "objectives", "type", "select", "stem", "exhibit", "options",
                "points", "difficulty", "shuffle", "sources", "tags", "checks", "goal"}
_OPTION_FIELDS = {"id", "text", "correct", "why", "decision", "case"}
_CASE_FIELDS = {"identityPolicies", "resourcePolicy", "permissionBoundaries", "scps", "rcps",
                "sessionPolicy", "request"}


class ExamError(IamlabError):
    """An exam file or item that cannot be used; the message names the file and item."""


@dataclass(frozen=True)
class Option:
    """One answer: its text, whether the key marks it correct, and why (right or wrong)."""

    id: str
    text: str
    correct: bool
    why: str
    decision: str | None = None  # claims the first check's decision
    case: Mapping[str, Any] | None = None  # replaces parts of the exhibit (with ``goal``)


@dataclass(frozen=True)
class Check:
    """A request (a partial case laid over the exhibit) and the decision it must get."""

    case: Mapping[str, Any]
    expected: str

    @property
    def request(self) -> Mapping[str, Any]:
        request: Mapping[str, Any] = self.case.get("request") or {}
        return request


@dataclass(frozen=True)
class Item:
    """One exam question, as read from its file."""

    id: str
    notebook: str
    stem: str
    options: tuple[Option, ...]
    sources: tuple[str, ...]
    tags: tuple[str, ...]
    difficulty: int
    type: str = "single"
    select: int = 1
    points: int = 1
    shuffle: bool = True
    objectives: tuple[str, ...] = ()
    exhibit: Mapping[str, Any] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    goal: tuple[Check, ...] = ()
    file: str = ""

    @property
    def multiple(self) -> bool:
        return self.type == "multiple"

    @property
    def executable(self) -> bool:
        """The engine can check this item's key."""
        return bool(self.checks or self.goal)

    @property
    def prediction(self) -> bool:
        """The options are decisions (allowed / implicit deny / explicit deny)."""
        return any(o.decision is not None for o in self.options)

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.options if o.correct)

    @property
    def doc(self) -> str:
        return self.sources[0]

    def option(self, option_id: str) -> Option:
        for o in self.options:
            if o.id == option_id:
                return o
        raise ExamError(f"item {self.id!r} has no option {option_id!r} "
                        f"(it has {', '.join(o.id for o in self.options)})")

    def grade(self, chosen: Iterable[str]) -> bool:
        """Right when exactly the correct options are chosen."""
        return frozenset(chosen) == self.correct_ids

    def case(self, check: Check, option: Option | None = None) -> dict[str, Any]:
        """The case a check is decided on: exhibit, then the option's changes, then the check."""
        changes = option.case if option is not None and option.case else {}
        merged = {**self.exhibit, **changes, **check.case}
        return {"id": self.id, **merged, "expected": check.expected}


class _Reader:
    """Validates one raw item, collecting the first problem as an :class:`ExamError`."""

    def __init__(self, file: str, raw: Any, index: int) -> None:
        self.file = file
        self.raw = raw
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        self.name = f"item {ident!r}" if isinstance(ident, str) else f"item #{index + 1}"

    def fail(self, what: str) -> ExamError:
        return ExamError(f"{self.file}: {self.name}: {what}")

    def text(self, raw: Mapping[str, Any], key: str, where: str = "") -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key} must be a non-empty string")
        return value

    def number(self, key: str, low: int, high: int, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"{key} must be a whole number from {low} to {high}, not {value!r}")
        return value

    def strings(self, key: str, required: bool) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{key} must be a list of strings")
        if required and not value:
            raise self.fail(f"{key} must name at least one")
        return tuple(value)

    def partial_case(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(f"{where} must be an object (policies and a request, as in "
                            "iamlab simulate's cases)")
        unknown = sorted(set(value) - _CASE_FIELDS)
        if unknown:
            raise self.fail(f"{where} has unknown field {unknown[0]!r} (known: "
                            f"{', '.join(sorted(_CASE_FIELDS))})")
        return dict(value)

    def check(self, value: Any, where: str) -> Check:
        if not isinstance(value, Mapping):
            raise self.fail(f"{where} must be an object with a request and an expected decision")
        expected = value.get("expected")
        if expected not in DECISIONS:
            raise self.fail(f"{where}.expected must be one of {', '.join(DECISIONS)}, "
                            f"not {expected!r}")
        case = self.partial_case({k: v for k, v in value.items() if k != "expected"}, where)
        return Check(case, expected)

    def option(self, value: Any, index: int) -> Option:
        where = f"options[{index}]"
        if not isinstance(value, Mapping):
            raise self.fail(f"{where} must be an object with id, text, correct and why")
        unknown = sorted(set(value) - _OPTION_FIELDS)
        if unknown:
            raise self.fail(f"{where} has unknown field {unknown[0]!r}")
        if not isinstance(value.get("correct"), bool):
            raise self.fail(f"{where}.correct must be true or false")
        decision = value.get("decision")
        if decision is not None and decision not in DECISIONS:
            raise self.fail(f"{where}.decision must be one of {', '.join(DECISIONS)}")
        case = value.get("case")
        return Option(self.text(value, "id", f"{where}."), self.text(value, "text", f"{where}."),
                      value["correct"], self.text(value, "why", f"{where}."), decision,
                      None if case is None else self.partial_case(case, f"{where}.case"))

    def item(self) -> Item:
        raw = self.raw
        if not isinstance(raw, Mapping):
            raise self.fail("an item must be a JSON object")
        unknown = sorted(set(raw) - _ITEM_FIELDS)
        if unknown:
            known = ", ".join(sorted(_ITEM_FIELDS))
            raise self.fail(f"unknown field {unknown[0]!r} (known: {known})")
        ident = self.text(raw, "id")
        if not _ID.match(ident):
            raise self.fail("id must be kebab-case: lower-case letters, digits and dashes")
        notebook = self.text(raw, "notebook")
        if notebook not in NOTEBOOKS:
            raise self.fail(f"notebook {notebook!r} is not a course notebook (iamlab/exam/"
                            f"course.py lists {', '.join(NOTEBOOKS)})")
        kind = raw.get("type", "single")
        if kind not in ("single", "multiple"):
            raise self.fail(f'type must be "single" or "multiple", not {kind!r}')
        options_raw = raw.get("options")
        if not isinstance(options_raw, list) or not 2 <= len(options_raw) <= 6:
            raise self.fail("options must be a list of 2 to 6 options")
        options = tuple(self.option(o, i) for i, o in enumerate(options_raw))
        ids = [o.id for o in options]
        if len(set(ids)) != len(ids):
            raise self.fail("two options have the same id")
        correct = sum(o.correct for o in options)
        select = self.number("select", 1, len(options), 1 if kind == "single" else 2)
        if kind == "single" and correct != 1:
            raise self.fail(f"a single-answer item needs exactly one correct option, not {correct}")
        if kind == "multiple" and correct != select:
            raise self.fail(f'a "choose {select}" item needs {select} correct options, '
                            f"not {correct}")
        tags = self.strings("tags", required=True)
        bad = [t for t in tags if not known_tag(t)]
        if bad:
            raise self.fail(f"tag {bad[0]!r} is neither point-1..point-15 nor a topic of "
                            "iamlab/exam/course.py")
        sources = self.strings("sources", required=True)
        if not all(s.startswith("https://docs.aws.amazon.com/") for s in sources):
            raise self.fail("sources must be AWS documentation links (https://docs.aws.amazon.com/...)")
        objectives = self.strings("objectives", required=False)
        if not all(_OBJECTIVE.match(o) for o in objectives):
            raise self.fail('objectives look like "lambda-2" (kebab-case, then a number)')
        shuffle = raw.get("shuffle", True)
        if not isinstance(shuffle, bool):
            raise self.fail("shuffle must be true or false")
        exhibit = self.partial_case(raw.get("exhibit", {}), "exhibit")
        checks = self._checks("checks")
        goal = self._checks("goal")
        item = Item(ident, notebook, self.text(raw, "stem"), options, sources, tags,
                    self.number("difficulty", 1, 3, 2), kind, select,
                    self.number("points", 1, 3, 1), shuffle, objectives, exhibit, checks, goal,
                    self.file)
        self._executable(item)
        return item

    def _checks(self, key: str) -> tuple[Check, ...]:
        raw = self.raw.get(key, [])
        if not isinstance(raw, list):
            raise self.fail(f"{key} must be a list")
        return tuple(self.check(c, f"{key}[{i}]") for i, c in enumerate(raw))

    def _executable(self, item: Item) -> None:
        """The engine can read every case the item's key depends on."""
        cases = [(f"checks[{i}]", item.case(c)) for i, c in enumerate(item.checks)]
        with_case = [o for o in item.options if o.case is not None]
        if with_case and not item.goal:
            raise self.fail("options with a case need a goal: the requests a correct option "
                            "must get right")
        if item.goal and not with_case:
            raise self.fail("a goal needs options with a case to decide it")
        if item.prediction:
            if not item.checks:
                raise self.fail("options with a decision need checks[0]: the request they "
                                "predict")
            right = {o.decision for o in item.options if o.correct}
            if right != {item.checks[0].expected}:
                raise self.fail(f"the correct option's decision must be checks[0].expected "
                                f"({item.checks[0].expected})")
        for o in with_case:
            cases += [(f"option {o.id} with goal[{i}]", item.case(g, o))
                      for i, g in enumerate(item.goal)]
        for where, case in cases:
            if not isinstance(case.get("request"), Mapping):
                raise self.fail(f"{where} has no request (give one in the check or exhibit)")
            try:
                case_from_dict(case)
            except CaseError as exc:
                raise self.fail(f"{where}: {exc}") from None


def parse_items(text: str, file: str) -> tuple[Item, ...]:
    """The items of one file's text; :class:`ExamError` names the file and item."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExamError(f"{file}: not valid JSON at line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg}") from None
    if not isinstance(raw, Mapping) or raw.get("schema_version") != SCHEMA_VERSION:
        raise ExamError(f'{file}: an exam file is {{"schema_version": {SCHEMA_VERSION}, '
                        '"items": [...]}')
    items = raw.get("items")
    if not isinstance(items, list):
        raise ExamError(f"{file}: items must be a list")
    found = tuple(_Reader(file, r, i).item() for i, r in enumerate(items))
    _unique(found)
    return found


def load_file(path: str | Path) -> tuple[Item, ...]:
    """The items of one exam file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExamError(f"{path}: cannot read it ({exc})") from None
    return parse_items(text, _shown(path))


def _shown(path: Path) -> str:
    """A file's name in messages: ``iamlab/data/exam/x.json`` for the package's own."""
    try:
        return str(path.resolve().relative_to(data_dir().resolve().parents[2]))
    except ValueError:
        return str(path)


def _unique(items: Sequence[Item]) -> None:
    seen: dict[str, Item] = {}
    for item in items:
        if item.id in seen:
            raise ExamError(f"{item.file}: item {item.id!r}: the id is already used in "
                            f"{seen[item.id].file}; ids are unique and never reused")
        seen[item.id] = item


class Bank(dict[str, Item]):
    """Items by id, in file order."""

    def item(self, item_id: str) -> Item:
        try:
            return self[item_id]
        except KeyError:
            close = [i for i in self if item_id.split("-")[0] in i][:5]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ExamError(f"no exam item {item_id!r}{hint}") from None

    def select(self, tags: Iterable[str] = (), difficulty: Iterable[int] | int | None = None,
               notebook: str | None = None) -> list[Item]:
        """Items with any of ``tags`` (all when empty), at these difficulties, in a notebook."""
        wanted = set(tags)
        levels = {difficulty} if isinstance(difficulty, int) else (
            set(difficulty) if difficulty is not None else None)
        return [i for i in self.values()
                if (not wanted or wanted & set(i.tags))
                and (levels is None or i.difficulty in levels)
                and (notebook is None or i.notebook == notebook)]


def data_dir() -> Path:
    """Where the package's exam files are."""
    return Path(str(resources.files("iamlab") / "data" / "exam"))


def load_bank(paths: Iterable[str | Path] | None = None) -> Bank:
    """Every item of these files or folders (default: the package's bank), ids unique."""
    files: list[Path] = []
    for p in [data_dir()] if paths is None else paths:
        p = Path(p)
        files += sorted(p.glob("*.json")) if p.is_dir() else [p]
    items = [item for f in files for item in load_file(f)]
    _unique(items)
    return Bank((i.id, i) for i in items)


@lru_cache(maxsize=1)
def bank() -> Bank:
    """The package's bank, read once."""
    return load_bank()
