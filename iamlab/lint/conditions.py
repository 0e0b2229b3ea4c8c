"""Condition checks: keys that exist, operators that fit them, and the absent-key traps.

The rules come from the IAM User Guide: "IAM JSON policy elements: Condition operators"
(a key missing from the request makes a condition false, except for negated operators,
...IfExists forms and Null), "Single-valued vs. multivalued context keys" (set operators
belong with multivalued keys only) and "AWS global condition context keys". Keys, their
types and which actions support them come from the offline action catalog.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from iamlab.arn import ACCOUNT_ID, WEB_IDENTITY_PROVIDERS
from iamlab.conditions import OperatorSpec, parse_operator
from iamlab.lint.common import Issue, cat, did_you_mean, expand, quoted_list
from iamlab.lint.model import Cond, LintContext, Stmt

EXTRA_GLOBAL_KEYS = ("aws:SourceOwner", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
                     "aws:AssumedRoot", "aws:ChatbotSourceArn")
"""Global keys the IAM User Guide lists that the catalog's table does not (yet) have."""

MAY_BE_ABSENT = frozenset(k.lower() for k in (
    "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime",
    "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:SourceArn",
    "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceIdentity",
    "aws:FederatedProvider", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:SourceIp", "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
    "aws:ec2InstanceSourceVPC", "aws:ec2InstanceSourcePrivateIPv4",
))
"""Global keys that many requests do not carry (IAM User Guide, "AWS global condition
context keys", the "Availability" of each key): MFA keys only with temporary credentials,
VPC keys only through a VPC endpoint, source keys only for service-to-service calls...
Tag keys (``aws:PrincipalTag/...``, ``aws:ResourceTag/...``, ``aws:RequestTag/...``) are
absent when the tag is."""

_TAG_PREFIXES = ("aws:principaltag/", "aws:resourcetag/", "aws:requesttag/")

# operator kind → key types it compares correctly
_ACCEPTS = {
    "string": {"String", "ArrayOfString", "ARN", "ArrayOfARN"},
    "string-ci": {"String", "ArrayOfString", "ARN", "ArrayOfARN"},
    "string-like": {"String", "ArrayOfString", "ARN", "ArrayOfARN"},
    "numeric": {"Numeric", "ArrayOfNumeric", "Long"},
    "date": {"Date", "ArrayOfDate"},
    "bool": {"Bool", "ArrayOfBool"},
    "binary": {"Binary", "ArrayOfBinary"},
    "ip": {"IPAddress", "ArrayOfIPAddress"},
    "arn": {"ARN", "ArrayOfARN"},
}
_TYPE_WORDS = {
    "String": "a string", "ARN": "an ARN", "Numeric": "a number", "Long": "a number",
    "Date": "a date and time", "Bool": "true or false", "IPAddress": "an IP address",
    "Binary": "binary data (base-64)",
}
_TYPE_OPERATORS = {
    "String": "StringEquals, StringLike and their variants",
    "ARN": "ArnEquals or ArnLike (or the String operators)",
    "Numeric": "NumericEquals, NumericLessThan and their variants",
    "Date": "DateEquals, DateLessThan, DateGreaterThan and their variants",
    "Bool": "Bool",
    "IPAddress": "IpAddress or NotIpAddress",
    "Binary": "BinaryEquals",
}


def _operator_family(kind: str) -> str:
    return kind.split("-")[0] if kind.startswith(("numeric", "date")) else kind


def check(ctx: LintContext, st: Stmt) -> None:
    """Every condition entry of the statement."""
    if not st.conditions:
        return
    actions = tuple(st.actions) if st.has_actions else None
    keys = st.condition_keys()
    for cond in st.conditions:
        spec = parse_operator(cond.operator)
        if spec is None:
            continue  # an unknown operator is a grammar finding
        for issue in key_issues(cond.key, spec.name, actions, st.effect):
            ctx.add(issue.code, cond.path, issue.message, fix=issue.fix,
                    severity=issue.severity, at_key=True)
        for issue in _absent_key_issues(cond, spec, st, keys):
            ctx.add(issue.code, cond.path, issue.message, fix=issue.fix,
                    severity=issue.severity, at_key=True)
        for i, message in _account_id_issues(cond, spec):
            ctx.add("condition-account-id", cond.path if i is None else (*cond.path, i),
                    message)


ACCOUNT_KEYS = frozenset(k.lower() for k in (
    "aws:SourceAccount", "aws:PrincipalAccount", "aws:ResourceAccount", "aws:VpceAccount",
    "aws:SourceOwner"))
"""Global keys whose value is a 12-digit account ID (IAM User Guide, "AWS global condition
context keys")."""


def _account_id_issues(cond: Cond, spec: OperatorSpec) -> list[tuple[int | None, str]]:
    """Values of an account key that can never equal an account ID: the condition then
    never matches (a learner's 11-digit account is refused nowhere; it just fails)."""
    if cond.key.lower() not in ACCOUNT_KEYS or not spec.kind.startswith("string"):
        return []
    out = []
    for i, value in enumerate(cond.values):
        if ACCOUNT_ID.match(value) or "${" in value or (spec.kind == "string-like" and ("*" in value
                                                                      or "?" in value)):
            continue
        digits = f" ({len(value)} digits)" if value.isdigit() else ""
        out.append((i if len(cond.values) > 1 else None,
                    f'"{value}"{digits} is not an account ID: {cond.key} is always the '
                    "12-digit ID of an account, so this value matches no request"
                    + ("." if len(cond.values) > 1 else
                       " and the condition is never true." if not spec.negated else
                       " and the negated condition is always true.")))
    return out


@lru_cache(maxsize=65536)
def key_issues(key: str, operator: str, actions: tuple[str, ...] | None,
               effect: str | None) -> tuple[Issue, ...]:
    """Unknown keys, keys the actions do not have, operator types, set operators."""
    spec = parse_operator(operator)
    if spec is None:
        return ()
    c = cat()
    info = c.condition_key(key)
    if info is None:
        if key.lower() in {k.lower() for k in EXTRA_GLOBAL_KEYS}:
            return tuple(_set_operator_issues(key, spec,
                                              multivalued=key.lower().endswith("paths")))
        issue = _unknown_key(key)
        return (issue,) if issue else ()
    issues: list[Issue] = []
    if actions is not None and not info.is_global and "*" not in actions:
        issues.extend(_applicability(info.name, key, spec, actions, effect))
    issues.extend(_type_issues(key, spec, info.types))
    issues.extend(_set_operator_issues(key, spec, info.multivalued))
    return tuple(issues)


def _unknown_key(key: str) -> Issue | None:
    prefix, _, _ = key.partition(":")
    low = prefix.lower()
    if "." in low or "/" in low or low in WEB_IDENTITY_PROVIDERS:
        return None  # a web identity provider's keys (token.actions.githubusercontent.com:sub)
    c = cat()
    if low == "aws":
        known = [*c.global_condition_keys(), *EXTRA_GLOBAL_KEYS]
        close = difflib.get_close_matches(key, known, n=2, cutoff=0.75) or [
            k for k in known if k.lower() == key.lower()]
        return Issue(
            "condition-unknown-key",
            f'"{key}" is not an AWS global condition key. A request never carries a key AWS '
            "does not define, so this condition can never hold (or, with a negated operator "
            "or ...IfExists, always holds)." + did_you_mean(close),
            close[0] if close else None)
    if not c.has_service(prefix):
        return Issue(
            "condition-unknown-key",
            f'"{key}" is not a condition key: its prefix "{prefix}" is neither "aws" (global '
            "keys) nor a service prefix. A request never carries such a key.", None)
    known = sorted(_service_keys(prefix.lower()))
    close = difflib.get_close_matches(key.lower(), [k.lower() for k in known], n=2,
                                      cutoff=0.7)
    lookup = {k.lower(): k for k in known}
    names = [lookup[k] for k in close]
    return Issue(
        "condition-unknown-key",
        f'"{key}" is not a condition key of {c.service_name(prefix) or prefix}. A request '
        "never carries a key the service does not define, so this condition can never hold "
        "(or, negated, always holds)." + did_you_mean(names),
        names[0] if names else None)


@lru_cache(maxsize=1024)
def _service_keys(prefix: str) -> frozenset[str]:
    """The condition keys of a service's actions and resource types (canonical names)."""
    c = cat()
    out: set[str] = set()
    for action in c.actions(prefix):
        info = c.action(action)
        if info is None:
            continue
        out.update(info.condition_keys)
        for ref in info.resource_types:
            out.update(ref.condition_keys)
    for res in c.resource_types(prefix):
        out.update(res.condition_keys)
    return frozenset(k for k in out if k.lower().startswith(prefix + ":"))


@lru_cache(maxsize=65536)
def _action_keys(action: str) -> frozenset[str]:
    """Lower-cased condition keys an action supports (its own and its resource types')."""
    return frozenset(k.lower() for k in cat().condition_keys_for_action(action))


def _applicability(canonical: str, key: str, spec: OperatorSpec, actions: tuple[str, ...],
                   effect: str | None) -> list[Issue]:
    matched: list[str] = []
    for action in actions:
        matched.extend(a for a in expand(action) if a not in matched)
    if not matched:
        return []
    low = canonical.lower()
    having = [a for a in matched if low in _action_keys(a)]
    if not having:
        outcome = ("always holds and restricts nothing" if spec.negated or spec.if_exists
                   else "never holds and the statement never applies")
        return [Issue(
            "condition-key-not-for-actions",
            f"none of the statement's actions ({quoted_list(matched)}) supports {key}: a "
            f"request for them never carries the key, so this condition {outcome}. The "
            "Service Authorization Reference lists the keys each action supports.", None)]
    if len(having) == len(matched) or effect != "Allow":
        return []
    if spec.negated or spec.if_exists or spec.kind == "null" or spec.set_op == "ForAllValues":
        return []
    lacking = [a for a in matched if a not in having]
    fixed = _with_if_exists(spec)
    return [Issue(
        "condition-missing-ifexists",
        f"{key} exists only for some of the statement's actions ({quoted_list(having)}). For "
        f"the others ({quoted_list(lacking)}) the request has no {key}, so {spec.name} is "
        "false and this Allow does not apply to them. If you mean \"check the key when it is "
        f'there", write {fixed}; otherwise move those actions to their own statement.',
        fixed)]


def _with_if_exists(spec: OperatorSpec) -> str:
    prefix = f"{spec.set_op}:" if spec.set_op else ""
    return f"{prefix}{spec.base}IfExists"


def _type_issues(key: str, spec: OperatorSpec, types: tuple[str, ...]) -> list[Issue]:
    if spec.kind == "null":
        return []
    accepted = _ACCEPTS[_operator_family(spec.kind)]
    if any(t in accepted for t in types):
        return []
    main = types[0].removeprefix("ArrayOf")
    what = _TYPE_WORDS.get(main, main)
    fixed = _operator_for(spec, main)
    return [Issue(
        "condition-type-mismatch",
        f"{key} is {what}, but {spec.base} compares {_family_words(spec.kind)}: the values "
        "are compared the wrong way and the condition will not do what it says. Use "
        f"{_TYPE_OPERATORS.get(main, 'an operator of its type')} with this key.",
        fixed)]


def _family_words(kind: str) -> str:
    family = _operator_family(kind)
    return {"string": "text", "string-ci": "text", "string-like": "text patterns",
            "numeric": "numbers", "date": "dates", "bool": "true/false",
            "binary": "binary data", "ip": "IP addresses", "arn": "ARNs"}[family]


_COMPARATORS = ("NotEquals", "Equals", "LessThanEquals", "LessThan", "GreaterThanEquals",
                "GreaterThan", "NotLike", "Like")


def _operator_for(spec: OperatorSpec, key_type: str) -> str | None:
    """The operator of the key's type that compares the same way, if there is one."""
    comparator = next((c for c in _COMPARATORS if spec.base.endswith(c)), "Equals")
    if spec.base in ("IpAddress", "Bool", "BinaryEquals"):
        comparator = "Equals"
    if spec.base == "NotIpAddress":
        comparator = "NotEquals"
    negated = comparator.startswith("Not")
    base: str | None
    if key_type == "IPAddress":
        base = "NotIpAddress" if negated else "IpAddress"
    elif key_type == "Bool":
        base = None if negated else "Bool"
    elif key_type == "Binary":
        base = None if negated else "BinaryEquals"
    elif key_type == "ARN":
        base = "ArnNotLike" if negated else "ArnLike"
    elif key_type == "String":
        base = {"Equals": "StringEquals", "NotEquals": "StringNotEquals", "Like": "StringLike",
                "NotLike": "StringNotLike"}.get(comparator)
    elif key_type in ("Numeric", "Long", "Date"):
        family = "Date" if key_type == "Date" else "Numeric"
        base = None if "Like" in comparator else family + comparator
    else:
        base = None
    if base is None:
        return None
    name = (f"{spec.set_op}:" if spec.set_op else "") + base + ("IfExists" if spec.if_exists
                                                                else "")
    return name if parse_operator(name) is not None else None


def _set_operator_issues(key: str, spec: OperatorSpec, multivalued: bool) -> list[Issue]:
    out: list[Issue] = []
    if spec.set_op == "ForAnyValue" and spec.negated:
        out.append(Issue(
            "condition-foranyvalue-negated",
            f"ForAnyValue with {spec.base} holds as soon as one value of {key} in the request "
            "differs from the policy's values, so a request that includes a forbidden value "
            "together with any other value still matches. This allows (or denies) more than "
            "it seems to. To reject every request containing a value, use ForAllValues with "
            "the negated operator, or ForAnyValue with the positive operator in a Deny.",
            f"ForAllValues:{spec.base}" + ("IfExists" if spec.if_exists else "")))
    if multivalued and spec.set_op is None and spec.kind != "null":
        out.append(Issue(
            "condition-multivalued-without-set",
            f"{key} is multivalued: a request can carry a list of values for it. AWS asks "
            "for a set operator with such keys: ForAnyValue: (at least one value matches) or "
            f"ForAllValues: (every value matches). Say which you mean, e.g. "
            f"ForAnyValue:{spec.name}.",
            f"ForAnyValue:{spec.name}"))
    if not multivalued and spec.set_op == "ForAllValues":
        out.append(Issue(
            "condition-forallvalues-single",
            f"{key} is single-valued, and ForAllValues is true when the request has no "
            f"{key} at all (every one of zero values matches). So this condition also holds "
            "for requests without the key, which makes an Allow too permissive. Write "
            f"{spec.name.split(':', 1)[1]} without the set operator.",
            spec.name.split(":", 1)[1]))
    if not multivalued and spec.set_op == "ForAnyValue" and not spec.negated:
        out.append(Issue(
            "condition-foranyvalue-single",
            f"{key} is single-valued: ForAnyValue is meant for keys with several values. "
            "Here it behaves like the plain operator, but AWS advises against set operators "
            "on single-valued keys; write the operator alone.",
            spec.name.split(":", 1)[1]))
    return out


def _absent_key_issues(cond: Cond, spec: OperatorSpec, st: Stmt,
                       keys: set[str]) -> list[Issue]:
    """A Deny whose condition behaves unexpectedly when the request lacks the key."""
    if not st.deny or spec.kind == "null" or spec.if_exists or spec.set_op:
        return []
    low = cond.key.lower()
    if low not in MAY_BE_ABSENT and not low.startswith(_TAG_PREFIXES):
        return []
    if not spec.negated:
        fixed = _with_if_exists(spec)
        return [Issue(
            "condition-deny-missing-ifexists",
            f"this Deny applies only when the request carries {cond.key}. Many requests do not "
            f"(for example {_absent_example(low)}); for them {spec.name} is false, so the "
            f"Deny does not apply and whatever another policy allows goes through. Write "
            f"{fixed} to deny also when the key is missing.",
            fixed, "warning")]
    if "aws:viaawsservice" in keys or "aws:principalisawsservice" in keys or \
            any(c.operator == "Null" and c.key.lower() == low for c in st.conditions):
        return []
    return [Issue(
        "condition-deny-negated-absent",
        f"with the negated operator {spec.name}, a request that has no {cond.key} (for example "
        f"{_absent_example(low)}) makes the condition true, so this Deny also blocks those "
        "requests, including calls AWS services make on your behalf. ...IfExists would not "
        "change that: a negated operator is already true when the key is missing. If such "
        'requests should pass, add "Bool": {"aws:ViaAWSService": "false"} to the '
        "condition, or test the key's presence with Null.",
        '"Bool": {"aws:ViaAWSService": "false"}')]


def _absent_example(low: str) -> str:
    if low.startswith("aws:multifactorauth") or low == "aws:tokenissuetime":
        return "requests signed with an IAM user's long-term access keys"
    if low == "aws:sourceip":
        return "requests that come through a VPC endpoint"
    if low in ("aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"):
        return "requests that do not come through a VPC endpoint"
    if low.startswith(("aws:source", "aws:calledvia")):
        return "requests that are not made by an AWS service on behalf of a resource"
    if low.startswith(_TAG_PREFIXES):
        return "when the tag is not set"
    if low.startswith("aws:principalorg"):
        return "requests from principals outside any AWS organization, such as AWS services"
    if low == "aws:federatedprovider":
        return "requests that do not come from a federated identity"
    return "requests in which AWS does not supply the key"
