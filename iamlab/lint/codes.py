"""Every finding code the linter can report, with its usual severity and documentation page.

Codes are grouped by family (the prefix before the first dash): ``grammar`` (what AWS would
reject, from :mod:`iamlab.parse`), ``action``, ``resource``, ``condition``, ``trust``
(and ``principal``), ``escalation`` and ``quota``. A finding may be reported at another
severity than the usual one when the situation says so (a wildcard principal is an error
without conditions and a warning with them); the table gives the usual one.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamlab.lint import docs


@dataclass(frozen=True, slots=True)
class Code:
    """What a code means: usual severity, one-line summary, documentation page."""

    severity: str
    summary: str
    doc_url: str


CODES: dict[str, Code] = {
    # grammar: the parser's problem code follows "grammar-" (grammar-bad-effect, ...)
    "grammar": Code("error", "AWS would reject the document as written", docs.GRAMMAR),
    "grammar-no-version": Code("suggestion", "no Version: the old policy language is used",
                               docs.VERSION),
    # actions
    "action-unknown-service": Code("error", "the service prefix is not an AWS service",
                                   docs.SERVICE_AUTHORIZATION),
    "action-unknown": Code("error", "the action does not exist in the service",
                           docs.SERVICE_AUTHORIZATION),
    "action-no-match": Code("error", "the action pattern matches no action", docs.ACTION),
    "action-case": Code("suggestion", "the action is spelt with other capitals than AWS uses",
                        docs.ACTION),
    "action-wildcard-all": Code("warning", 'Action "*" allows every action of every service',
                                docs.LEAST_PRIVILEGE),
    "action-wildcard-service": Code("warning", "service:* allows every action of a service",
                                    docs.LEAST_PRIVILEGE),
    "action-wildcard-sensitive": Code("warning", "the wildcard includes permissions-management "
                                      "actions", docs.LEAST_PRIVILEGE),
    "action-wildcard-large": Code("suggestion", "the wildcard matches many actions",
                                  docs.LEAST_PRIVILEGE),
    "action-wildcard-in-service": Code("warning", "a wildcard in the service prefix matches "
                                       "actions of many services", docs.ACTION),
    # resources
    "resource-malformed-arn": Code("error", 'the resource is not an ARN or "*"', docs.ARNS),
    "resource-arn-field": Code("warning", "a field of the ARN looks wrong", docs.ARNS),
    "resource-mismatch": Code("warning", "no resource of the statement fits the action",
                              docs.RESOURCE),
    "resource-not-supported": Code("warning", 'the action takes only Resource "*"',
                                   docs.SERVICE_AUTHORIZATION),
    "resource-star": Code("suggestion", 'Resource "*" for actions that can be limited to '
                          "resources", docs.LEAST_PRIVILEGE),
    # conditions
    "condition-unknown-key": Code("warning", "the condition key does not exist",
                                  docs.GLOBAL_KEYS),
    "condition-key-not-for-actions": Code("warning", "no action of the statement has this "
                                          "condition key", docs.SERVICE_AUTHORIZATION),
    "condition-missing-ifexists": Code("warning", "the key exists for only some actions: "
                                       "...IfExists is probably meant", docs.IF_EXISTS),
    "condition-type-mismatch": Code("warning", "the operator does not fit the key's type",
                                    docs.OPERATORS),
    "condition-multivalued-without-set": Code("warning", "a multivalued key without "
                                              "ForAnyValue/ForAllValues", docs.MULTIVALUED),
    "condition-forallvalues-single": Code("warning", "ForAllValues on a single-valued key",
                                          docs.MULTIVALUED),
    "condition-foranyvalue-single": Code("suggestion", "ForAnyValue on a single-valued key",
                                         docs.MULTIVALUED),
    "condition-foranyvalue-negated": Code("warning", "ForAnyValue with a negated operator "
                                          "allows more than meant", docs.MULTIVALUED),
    "condition-account-id": Code("warning", "an account key compared with a value that is "
                                 "not a 12-digit account ID", docs.GLOBAL_KEYS),
    "condition-deny-missing-ifexists": Code("warning", "a Deny that does not apply when the "
                                            "key is absent", docs.IF_EXISTS),
    "condition-deny-negated-absent": Code("warning", "a Deny with a negated operator also "
                                          "applies when the key is absent", docs.OPERATORS),
    # trust and principals
    "trust-principal-star": Code("error", "anyone can assume the role", docs.PRINCIPAL_ANONYMOUS),
    "principal-public": Code("warning", "the resource policy allows anyone",
                             docs.PRINCIPAL_ANONYMOUS),
    "trust-account-root": Code("suggestion", "the role trusts a whole account",
                               docs.PRINCIPAL_ACCOUNTS),
    "trust-no-external-id": Code("warning", "another account may assume the role without "
                                 "sts:ExternalId", docs.THIRD_PARTY),
    "principal-unknown-service": Code("error", "not a known AWS service principal",
                                      docs.PRINCIPAL_SERVICES),
    "trust-confused-deputy": Code("warning", "a service principal without aws:SourceArn or "
                                  "aws:SourceAccount", docs.CONFUSED_DEPUTY),
    "trust-oidc-no-subject": Code("warning", "any GitHub Actions workflow may assume the role",
                                  docs.OIDC),
    "trust-no-assume-action": Code("error", "the statement allows no sts:AssumeRole* action",
                                   docs.TRUST_TERMS),
    "trust-wrong-action": Code("error", "the principal assumes roles with another action",
                               docs.TRUST_TERMS),
    "trust-non-sts-action": Code("warning", "a trust policy action that is not an sts action",
                                 docs.TRUST_TERMS),
    # privilege escalation
    "escalation-passrole-star": Code("warning", "iam:PassRole on every role", docs.PASS_ROLE),
    "escalation-iam-policy-write": Code("warning", "write access to IAM permissions",
                                        docs.POLICY_CHECKS),
    "escalation-iam-credentials": Code("warning", "can create credentials for other users",
                                       docs.POLICY_CHECKS),
    "escalation-allow-notaction": Code("warning", "Allow with NotAction", docs.NOT_ACTION),
    "escalation-allow-notresource": Code("warning", "Allow with NotResource",
                                         docs.NOT_RESOURCE),
    "escalation-allow-notprincipal": Code("warning", "Allow with NotPrincipal",
                                          docs.NOT_PRINCIPAL),
    # quotas
    "quota-exceeded": Code("error", "the document is larger than AWS allows",
                           docs.QUOTAS_CHARACTERS),
    "quota-whitespace": Code("warning", "the document fits only if white space is not counted",
                             docs.QUOTAS_CHARACTERS),
    "quota-near-limit": Code("suggestion", "the document is close to its size quota",
                             docs.QUOTAS_CHARACTERS),
    "quota-bad-character": Code("error", "a character AWS does not accept in a policy",
                                docs.QUOTAS_NAMES),
    # the safety net: never expected, reported instead of a traceback
    "lint-internal-error": Code("error", "the linter itself failed on this input", docs.GRAMMAR),
}

REFUSED: frozenset[str] = frozenset({
    "grammar-bad-sid", "principal-unknown-service", "quota-exceeded", "quota-bad-character"})
"""Codes of findings for which AWS refuses to store the policy although the parser reads
it (the parser's own errors, ``grammar-*`` at severity error, are refused too)."""


def refused(code: str, severity: str) -> bool:
    """Whether AWS refuses a policy with this finding (an editor then keeps the last
    version AWS would accept in force)."""
    return severity == "error" and (code in REFUSED or code.startswith("grammar-"))
