"""Linter speed: parse + lint of a 10,000-statement policy (issue 6: under a second).

Run: ``.venv/bin/python benchmarks/bench_lint.py`` (or ``make bench``). The document mixes
what real policies hold: a Sid, one to three actions (some wildcards), object and bucket
ARNs, and a condition in one statement of four. The action catalog is loaded and indexed
before the clock starts (``iamlab.lint.prepare()``: once per session); the cold figure,
catalog load included, is printed too. CPU time, best of N: other processes only ever slow it down.
"""

from __future__ import annotations

import json
import platform
import random
import time

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:Get*", "dynamodb:GetItem",
           "dynamodb:Query", "sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction",
           "logs:PutLogEvents", "kms:Decrypt", "ec2:DescribeInstances", "iam:PassRole",
           "secretsmanager:GetSecretValue", "ssm:GetParameter", "cloudwatch:PutMetricData"]
RESOURCES = {
    "s3": ["arn:aws:s3:::bucket-{n}/*", "arn:aws:s3:::bucket-{n}"],
    "dynamodb": ["arn:aws:dynamodb:us-east-1:111122223333:table/Table{n}"],
    "sqs": ["arn:aws:sqs:us-east-1:111122223333:queue-{n}"],
    "sns": ["arn:aws:sns:us-east-1:111122223333:topic-{n}"],
    "lambda": ["arn:aws:lambda:us-east-1:111122223333:function:fn-{n}"],
    "logs": ["arn:aws:logs:us-east-1:111122223333:log-group:/app/{n}:*"],
    "kms": ["arn:aws:kms:us-east-1:111122223333:key/{n}"],
    "iam": ["arn:aws:iam::111122223333:role/app-{n}"],
    "secretsmanager": ["arn:aws:secretsmanager:us-east-1:111122223333:secret:app-{n}"],
    "ssm": ["arn:aws:ssm:us-east-1:111122223333:parameter/app/{n}"],
}
CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
]


def document(statements: int = 10_000, seed: int = 6) -> str:
    """A policy with ``statements`` statements, as indented JSON text."""
    rnd = random.Random(seed)
    out = []
    for n in range(statements):
        actions = rnd.sample(ACTIONS, rnd.randint(1, 3))
        services = {a.split(":")[0] for a in actions}
        resources = [r.format(n=n % 97) for s in sorted(services) for r in RESOURCES.get(s, ["*"])]
        st: dict[str, object] = {"Sid": f"S{n}", "Effect": "Allow",
                                 "Action": actions if len(actions) > 1 else actions[0],
                                 "Resource": resources if len(resources) > 1 else resources[0]}
        if n % 4 == 0:
            st["Condition"] = CONDITIONS[n % len(CONDITIONS)]
        out.append(st)
    return json.dumps({"Version": "2012-10-17", "Statement": out}, indent=2)


def seconds(text: str, rounds: int = 5) -> tuple[float, float, float, int]:
    """(best parse-only time, first parse + lint time, best parse + lint time, findings) in
    CPU seconds. The first lint of a document also fills the linter's caches (catalog
    answers per action, ARN and key); later runs find them filled."""
    from iamlab.lint import lint_policy
    from iamlab.parse import check_policy

    best_parse = best_lint = float("inf")
    first = 0.0
    found = 0
    for n in range(rounds):
        start = time.process_time()
        check_policy(text)
        best_parse = min(best_parse, time.process_time() - start)
        start = time.process_time()
        found = len(lint_policy(text))
        took = time.process_time() - start
        first = took if n == 0 else first
        best_lint = min(best_lint, took)
    return best_parse, first, best_lint, found


def cold_seconds(text: str) -> float:
    """Parse + lint in a fresh interpreter, catalog load included (wall clock)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(text)
    code = ("import time; t = time.perf_counter(); from pathlib import Path; "
            "from iamlab.lint import lint_policy; "
            f"lint_policy(Path({f.name!r})); print(time.perf_counter() - t)")
    return float(subprocess.check_output([sys.executable, "-c", code], text=True))


def main() -> None:
    from iamlab.lint import prepare

    print(f"machine: {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}")
    text = document()
    prepare()  # the catalog and its indexes, built once per session
    parse, first, again, found = seconds(text)
    print(f"document: 10,000 statements, {len(text):,} characters, {found:,} findings")
    print(f"parse only (check_policy):           {parse:.3f} s")
    print(f"parse + lint, first time:            {first:.3f} s  (target < 1 s)")
    print(f"parse + lint, again (caches filled): {again:.3f} s")
    print(f"parse + lint, cold interpreter:      {cold_seconds(text):.3f} s "
          "(wall clock, catalog load included)")


if __name__ == "__main__":
    main()
