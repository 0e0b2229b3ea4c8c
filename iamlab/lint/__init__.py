"""A policy linter that teaches: what is wrong or risky in a policy, where, why, and the fix.

``lint_policy(source, kind)`` returns :class:`Finding` objects for a policy of any kind
(identity, resource, trust, boundary, SCP, RCP, session): the parser's grammar problems
first, then the checks of each family (actions, resources, conditions, principals and trust,
privilege escalation, size quotas). Every finding has a code, a severity (error, warning,
suggestion), the JSON path and line:column of what it is about, a message that explains
why it matters, a fix where there is one, and a link to the AWS documentation.

The linter never raises on a policy, however broken: bad JSON is a finding like any other.
It loads the action catalog on first use (never at import).
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from iamlab.errors import PolicyError
from iamlab.inputs import (
    MAX_POLICY_BYTES,
    POLICY_LIMIT_WHY,
    InputTooLarge,
    policy_over_limit,
    read_limited,
    too_large,
)
from iamlab.jsonloc import Locations
from iamlab.lint import grammar, quotas
from iamlab.lint.codes import CODES, Code
from iamlab.lint.finding import SEVERITIES, Finding
from iamlab.lint.model import LintContext, Options, Stmt, statements_of
from iamlab.lint.quotas import CONTAINERS, DEFAULT_CONTAINER
from iamlab.parse import PolicySource, load_document, looks_like_path
from iamlab.policy import PolicyKind

__all__ = ["CODES", "CONTAINERS", "DEFAULT_CONTAINER", "SEVERITIES", "Code", "Finding",
           "findings_json", "guess_kind", "has_errors", "lint_document", "lint_policy",
           "prepare"]


@lru_cache(maxsize=1)
def _statement_checks() -> tuple[Callable[[LintContext, Stmt], None], ...]:
    """The check families run on each statement, imported on first use (so that the other
    ``iamlab`` commands, which build the lint command's options, do not load them)."""
    from iamlab.lint import actions, conditions, escalation, resources, trust

    return (actions.check, resources.check, conditions.check, trust.check, escalation.check)


def lint_policy(source: PolicySource, kind: PolicyKind | str = PolicyKind.IDENTITY, *,
                container: str | None = None, account: str | None = None,
                name: str = "") -> list[Finding]:
    """Lint a policy given as JSON text, bytes, a dict or a file path.

    ``kind`` says what the policy is for (its grammar and which checks apply); ``"auto"``
    guesses it from the document (:func:`guess_kind`, and :func:`lint_document` tells which).
    ``container`` names where it is stored, which sets the size quota (see
    :data:`CONTAINERS`: ``role-trust``, ``role-inline``, ``user-inline``, ``group-inline``,
    ``managed``, ``scp``, ``rcp``, ``session``, or ``none``); the default depends on the
    kind (:data:`DEFAULT_CONTAINER`). ``account`` is the account the policy lives in: with
    it, a trust policy's other accounts are known to be other accounts.

    Raises ValueError only for an unknown ``kind`` or ``container`` (a caller's mistake);
    anything wrong in the policy itself comes back as findings.
    """
    return lint_document(source, kind, container=container, account=account, name=name)[1]


def lint_document(source: PolicySource, kind: PolicyKind | str = "auto", *,
                  container: str | None = None, account: str | None = None,
                  name: str = "") -> tuple[PolicyKind, list[Finding]]:
    """:func:`lint_policy`, guessing the kind by default: the kind the policy was checked as,
    and the findings. The guess is made on the document the linter parses anyway (an
    identity-based policy when it is not readable JSON)."""
    wanted = None if kind == "auto" else PolicyKind(kind)
    if container is not None and container != "none" and container not in CONTAINERS:
        raise ValueError(f"unknown container {container!r}; choose one of "
                         + ", ".join([*CONTAINERS, "none"]))
    options = Options(container, account)
    with _gc_paused():
        try:
            return _lint(source, wanted, options, name)
        except Exception as exc:  # the safety net: a finding, never a traceback
            return wanted if wanted is not None else PolicyKind.IDENTITY, [Finding(
                "lint-internal-error", "error",
                f"iamlab's linter failed on this document ({type(exc).__name__}: {exc}). "
                "This is a bug in iamlab, not in your policy; the other checks could not "
                "run.", doc_url=CODES["lint-internal-error"].doc_url)]


def prepare() -> None:
    """Load the action catalog and build its indexes now, rather than during the first lint
    (about half a second, once per session: a notebook can do it while the learner reads)."""
    from iamlab.lint.common import cat

    _statement_checks()
    c = cat().load()
    c.arn_fits_action("s3:GetObject", "arn:aws:s3:::bucket/key")
    c.condition_key("aws:SourceIp")
    c.suggest("s3:GetObjekt")


def has_errors(findings: list[Finding]) -> bool:
    """Whether any finding is an error (what makes ``iamlab lint`` exit with status 1)."""
    return any(f.severity == "error" for f in findings)


def _lint(source: PolicySource, wanted: PolicyKind | None, options: Options, name: str
          ) -> tuple[PolicyKind, list[Finding]]:
    """The findings, and the kind checked as (``wanted``, or guessed when None). A path or
    bytes are turned into text here, once, so that the text is still at hand (for the size
    quotas) when it is not valid JSON. Whatever the source, no more than
    :data:`~iamlab.inputs.MAX_POLICY_BYTES` is linted, as ``iamlab lint`` reads no more."""
    kind = wanted if wanted is not None else PolicyKind.IDENTITY
    text: str | None = None
    if isinstance(source, (str, bytes, Mapping, list)) and policy_over_limit(source):
        return kind, [_too_large_finding(too_large("the policy", "a policy", MAX_POLICY_BYTES,
                                                   POLICY_LIMIT_WHY))]
    if isinstance(source, str) and looks_like_path(source):
        source = Path(source)
    if isinstance(source, os.PathLike):
        try:
            raw = read_limited(source, MAX_POLICY_BYTES, "a policy", POLICY_LIMIT_WHY)
        except InputTooLarge as exc:
            return kind, [_too_large_finding(exc, f"cannot read {os.fspath(source)}: ")]
        except OSError as exc:
            return kind, [Finding("grammar-unreadable", "error",
                                  f"cannot read {os.fspath(source)}: {exc.strerror or exc}",
                                  doc_url=CODES["grammar"].doc_url)]
        source = raw
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            return kind, [Finding("grammar-bad-encoding", "error",
                                  f"the file is not UTF-8 text ({exc.reason} at byte "
                                  f"{exc.start}); save it as UTF-8.",
                                  doc_url=CODES["grammar"].doc_url)]
    if isinstance(source, str):
        text = source
    doc: Any = None
    try:
        doc, locations, _ = load_document(dict(source) if isinstance(source, Mapping)
                                          else source)
    except PolicyError as exc:
        ctx = LintContext(kind, None, Locations.empty(), text, options)
        ctx.findings.extend(grammar.problem_finding(p) for p in exc.problems)
        quotas.check(ctx)
        return kind, ctx.findings
    if wanted is None:
        kind = guess_kind(doc)
    ctx = LintContext(kind, doc, locations, text, options)
    grammar.check(ctx, name)
    checks = _statement_checks()
    for st in statements_of(doc):
        for check in checks:
            check(ctx, st)
    quotas.check(ctx)
    return kind, ctx.findings


def _too_large_finding(exc: InputTooLarge, prefix: str = "") -> Finding:
    return Finding("grammar-too-large", "error", f"{prefix}{exc}; nothing in it was checked.",
                   doc_url=CODES["quota-exceeded"].doc_url)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while linting.

    Parsing and linting a large document allocates many small tuples (JSON paths) and no
    reference cycles; the collector's passes over them cost more than the work itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def findings_json(findings: list[Finding]) -> str:
    """One JSON object per finding, one per line (the ``--json`` output)."""
    return "".join(json.dumps(f.to_dict()) + "\n" for f in findings)


def guess_kind(doc: Any) -> PolicyKind:
    """The kind a document most likely is: a role trust policy when its statements name
    principals and only sts actions, a resource-based policy when they name principals,
    otherwise an identity-based policy."""
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    items = [statements] if isinstance(statements, dict) else statements \
        if isinstance(statements, list) else []
    items = [s for s in items if isinstance(s, dict)]
    if not any("Principal" in s or "NotPrincipal" in s for s in items):
        return PolicyKind.IDENTITY
    actions: list[Any] = []
    for s in items:
        value = s.get("Action", [])
        actions.extend(value if isinstance(value, list) else [value])
    if actions and all(isinstance(a, str) and a.lower().startswith("sts:") for a in actions):
        return PolicyKind.TRUST
    return PolicyKind.RESOURCE
