"""Size quotas and the characters AWS accepts, counted the way AWS counts them.

IAM User Guide, "IAM and AWS STS quotas": the inline policies of a user may total 2,048
characters, of a group 5,120, of a role 10,240; a managed policy 6,144; for these "IAM does
not count white space". A role trust policy may have 2,048 characters (adjustable up to
4,096), and the quota page does not say white space is left out. AWS Organizations quotas:
service and resource control policies may have 5,120 characters; the console removes white
space outside quoted strings, the API and CLI keep and count it. STS AssumeRole: a session
policy's plain text may have 2,048 characters. Policy documents may contain only tab, line
feed, carriage return and the characters U+0020 to U+00FF.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from iamlab.lint import docs
from iamlab.lint.finding import Finding
from iamlab.lint.model import LintContext
from iamlab.policy import PolicyKind


@dataclass(frozen=True, slots=True)
class Container:
    """Where a policy is stored, which decides its size quota and how AWS counts it.

    ``whitespace`` is ``"ignored"`` (IAM says it does not count white space), ``"console"``
    (only the Organizations console removes it) or ``"unstated"`` (the documentation does
    not say; iamlab warns when the document fits only without white space).
    """

    limit: int
    label: str
    whitespace: str
    doc_url: str
    note: str = ""


CONTAINERS: dict[str, Container] = {
    "role-trust": Container(2048, "a role trust policy", "unstated", docs.QUOTAS,
                            " (an adjustable quota: Service Quotas can raise it to 4,096)"),
    "role-inline": Container(10240, "the inline policies of a role, all together", "ignored",
                             docs.QUOTAS_CHARACTERS),
    "user-inline": Container(2048, "the inline policies of a user, all together", "ignored",
                             docs.QUOTAS_CHARACTERS),
    "group-inline": Container(5120, "the inline policies of a group, all together", "ignored",
                              docs.QUOTAS_CHARACTERS),
    "managed": Container(6144, "a managed policy", "ignored", docs.QUOTAS_CHARACTERS),
    "scp": Container(5120, "a service control policy", "console", docs.ORGANIZATIONS_QUOTAS),
    "rcp": Container(5120, "a resource control policy", "console", docs.ORGANIZATIONS_QUOTAS),
    "session": Container(2048, "a session policy", "unstated", docs.ASSUME_ROLE_API,
                         " (and the packed size of session policies and tags has its own "
                         "limit)"),
}

DEFAULT_CONTAINER: dict[PolicyKind, str | None] = {
    PolicyKind.TRUST: "role-trust",
    PolicyKind.IDENTITY: "managed",
    PolicyKind.BOUNDARY: "managed",
    PolicyKind.SCP: "scp",
    PolicyKind.RCP: "rcp",
    PolicyKind.SESSION: "session",
    PolicyKind.RESOURCE: None,  # each service has its own quota (S3 20 KB, SQS 8 KB...)
}

NEAR = 0.9
_BAD_CHARACTER = re.compile(r"[^\t\n\r\x20-\xff]")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def minified_length(text: str) -> int:
    """Characters left once the white space between JSON tokens is removed.

    Inside a JSON string only the space can appear raw (tabs and line breaks must be
    escaped), so this is the text's length, less its white space, plus the spaces inside
    strings.
    """
    strings: list[str] = _STRING.findall(text)
    return _without_white(text) + sum(s.count(" ") for s in strings if " " in s)


def _without_white(text: str) -> int:
    """The text's length less all its white space: a lower bound of the minified length."""
    return len(text) - (text.count(" ") + text.count("\n") + text.count("\t")
                        + text.count("\r"))


def check(ctx: LintContext) -> None:
    """The document's size against its container's quota, and its characters."""
    _check_characters(ctx)
    name = ctx.options.container or DEFAULT_CONTAINER[ctx.kind]
    if name is None or name == "none" or ctx.doc is None:
        return
    box = CONTAINERS[name]
    if ctx.text is not None:
        raw = len(ctx.text)
        if raw < box.limit * NEAR:
            return
        lower = _without_white(ctx.text)
        # a document far over the quota need not be counted exactly (it takes a while)
        approximate = raw > 200_000 and lower > box.limit  # a long count, and far over
        compact = lower if approximate else minified_length(ctx.text)
    else:
        compact = len(json.dumps(ctx.doc, separators=(",", ":"), ensure_ascii=False))
        raw = compact
        approximate = False
    counted = raw if box.whitespace == "console" and ctx.text is not None else compact
    where = f"{box.label}{box.note}"
    if compact > box.limit:
        ctx.add("quota-exceeded", (),
                f"this document has {compact:,}{' or more' if approximate else ''} "
                "characters without white space, more than "
                f"the {box.limit:,} AWS allows for {where}, so AWS will refuse to save it. "
                "Split it into several policies, or shorten it: merge statements with the "
                "same Effect, Resource and Condition, and use wildcards only where they are "
                "safe.", doc_url=box.doc_url)
    elif raw > box.limit and box.whitespace != "ignored":
        how = ("if you save it with the API or the CLI, which count white space as given "
               "(the console removes it)" if box.whitespace == "console" else
               "if AWS counts white space for this quota, which its documentation does not "
               "say")
        ctx.add("quota-whitespace", (),
                f"this document has {raw:,} characters as written but {compact:,} without "
                f"white space; the quota for {box.label} is {box.limit:,}{box.note}. It is "
                f"too large {how}. "
                "Remove the indentation and line breaks before saving it to be safe.",
                fix="save the policy minified (without indentation)", doc_url=box.doc_url)
    elif counted >= box.limit * NEAR:
        ctx.add("quota-near-limit", (),
                f"this document uses {counted:,} of the {box.limit:,} characters AWS allows "
                f"for {where} ({counted * 100 // box.limit}%), counted as AWS counts them. "
                "Adding to it will soon hit the quota; consider splitting it.",
                doc_url=box.doc_url)


def _check_characters(ctx: LintContext) -> None:
    text = ctx.text
    if text is None:
        if ctx.doc is None:
            return
        text = json.dumps(ctx.doc, ensure_ascii=False)
        located = False
    else:
        located = True
    m = _BAD_CHARACTER.search(text)
    if m is None:
        return
    ch = m.group()
    offset = m.start()
    count = len(_BAD_CHARACTER.findall(text))
    more = f" ({count} such characters in all)" if count > 1 else ""
    if ch in _QUOTES:
        why = (f"it is a curly quote, as word processors and some web pages type them; JSON "
               f"and IAM need straight quotes ({_QUOTES[ch]})")
        fix: str | None = _QUOTES[ch]
    elif ch == "\ufeff":
        why = "it is an invisible byte-order mark; save the file as UTF-8 without BOM"
        fix = None
    else:
        why = "remove it or replace it"
        fix = None
    line = column = None
    if located:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    ctx.findings.append(Finding(
        "quota-bad-character", "error",
        f"the character {ch!r} (U+{ord(ch):04X}) is not allowed in a policy document: AWS "
        "accepts only tab, line feed, carriage return and the characters from U+0020 to "
        f"U+00FF; {why}{more}.", (), line, column, fix, docs.QUOTAS_NAMES))
