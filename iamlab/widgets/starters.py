"""Ready-made starting points for the policy editors: trust policies and permissions.

Plain data (no widgets): each starter is a policy document with ``$account`` and
``$bucket`` placeholders, filled in for the learner's world. The trust policies follow the
IAM User Guide, "Creating a role to delegate permissions to an AWS service" and "Creating a
role for a third-party identity provider"; the permissions are the usual least-privilege
shapes (one bucket, one log group, one table).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from string import Template
from typing import Any

from iamlab.playground import DEFAULT_ACCOUNT as DEFAULT_ACCOUNT
from iamlab.policy import PolicyKind

DEFAULT_BUCKET = "reports"


@dataclass(frozen=True)
class Starter:
    """One ready-made policy: a short key, what the learner reads, and the document."""

    key: str
    title: str
    kind: PolicyKind
    template: dict[str, Any]

    def text(self, account: str = DEFAULT_ACCOUNT, bucket: str = DEFAULT_BUCKET) -> str:
        """The document as indented JSON, placeholders filled in."""
        raw = json.dumps(self.template, indent=2)
        return Template(raw).safe_substitute(account=account, bucket=bucket)


def _trust(principal: dict[str, Any], action: str = "sts:AssumeRole",
           condition: dict[str, Any] | None = None, sid: str = "TrustedWearers"
           ) -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Principal": principal,
                          "Action": action}
    if condition:
        st["Condition"] = condition
    return _doc(st)


def _allow(sid: str, actions: list[str] | str, resources: list[str] | str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


STARTERS: tuple[Starter, ...] = (
    Starter("trust-ec2", "trust EC2 (a role for instances)", PolicyKind.TRUST,
            _trust({"Service": "ec2.amazonaws.com"})),
    Starter("trust-lambda", "trust Lambda (for an execution role)", PolicyKind.TRUST,
            _trust({"Service": "lambda.amazonaws.com"})),
    Starter("trust-ecs-tasks", "trust ECS tasks (task or execution role)", PolicyKind.TRUST,
            _trust({"Service": "ecs-tasks.amazonaws.com"})),
    Starter("trust-user", "trust one IAM user in this account", PolicyKind.TRUST,
            _trust({"AWS": "arn:aws:iam::$account:user/alice"})),
    Starter("trust-account", "trust another account (444455556666)", PolicyKind.TRUST,
            _trust({"AWS": "arn:aws:iam::444455556666:root"})),
    Starter("trust-saml", "trust users of a SAML sign-in (CorpSSO)", PolicyKind.TRUST,
            _trust({"Federated": "arn:aws:iam::$account:saml-provider/CorpSSO"},
                   "sts:AssumeRoleWithSAML",
                   {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})),
    Starter("read-bucket", "read one bucket's objects", PolicyKind.IDENTITY,
            _doc(_allow("ReadObjects", "s3:GetObject", "arn:aws:s3:::$bucket/*"))),
    Starter("list-read-bucket", "list and read one bucket", PolicyKind.IDENTITY,
            _doc(_allow("ListTheBucket", "s3:ListBucket", "arn:aws:s3:::$bucket"),
                 _allow("ReadObjects", "s3:GetObject", "arn:aws:s3:::$bucket/*"))),
    Starter("write-logs", "write logs to CloudWatch Logs", PolicyKind.IDENTITY,
            _doc(_allow("WriteLogs", ["logs:CreateLogGroup", "logs:CreateLogStream",
                                      "logs:PutLogEvents"],
                        "arn:aws:logs:*:$account:log-group:*"))),
    Starter("read-table", "read one DynamoDB table", PolicyKind.IDENTITY,
            _doc(_allow("ReadTable", ["dynamodb:GetItem", "dynamodb:Query"],
                        "arn:aws:dynamodb:us-east-1:$account:table/orders"))),
    Starter("send-queue", "send messages to one SQS queue", PolicyKind.IDENTITY,
            _doc(_allow("SendMessages", "sqs:SendMessage",
                        "arn:aws:sqs:us-east-1:$account:orders"))),
)


def starters_for(kind: PolicyKind) -> tuple[Starter, ...]:
    """The starters an editor of this kind offers (trust policies or permissions)."""
    if kind in (PolicyKind.RESOURCE, PolicyKind.RCP):  # they name principals: none here
        return ()
    want_trust = kind is PolicyKind.TRUST
    return tuple(s for s in STARTERS if (s.kind is PolicyKind.TRUST) == want_trust)


def starter(key: str) -> Starter:
    """The starter with this key; a clear error naming the keys when there is none."""
    for s in STARTERS:
        if s.key == key:
            return s
    from iamlab.errors import IamlabError

    raise IamlabError(f"there is no starter {key!r}; choose one of: "
                      + ", ".join(s.key for s in STARTERS))
