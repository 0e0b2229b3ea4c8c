"""The parameters each operation takes, checked before a call as botocore checks them.

botocore refuses a call whose parameters do not fit the operation's input shape before
anything is sent (``ParamValidationError``): an unknown or missing parameter, a value of the
wrong type (``Tags="team"``), a structure without one of its required members (a tag without
``Key``). The world does the same, in one place: a parameter's shape comes from the
operation's type hints (``RoleName: str``, ``DurationSeconds: int``,
``TagKeys: list[str]``), and :data:`SHAPES` adds the structured ones a hint cannot say
(``Tags``: a list of ``{"Key", "Value"}``; ``logEvents``: ``{"timestamp", "message"}``...),
named after the AWS API references. Text must also be sendable: a lone surrogate
(``"\\ud800"``) cannot be encoded as UTF-8, so it is refused here rather than deep inside
the call.

Two conveniences iamlab adds to boto3 are kept: a policy document may be a dict as well as
JSON text, and tags may be given as a plain ``{"key": "value"}`` dict.
"""

from __future__ import annotations

import difflib
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from iamlab.printable import printable

__all__ = ["SHAPES", "Shape", "operation_shapes", "problems_in"]


@dataclass(frozen=True)
class Shape:
    """What one parameter (or member) may hold.

    ``kind`` is botocore's: ``string``, ``integer``, ``boolean``, ``blob`` (bytes, text or
    a file-like object), ``list``, ``map``, ``structure``, ``document`` (iamlab's: a policy
    as text or dict), ``any`` (not checked: Python values iamlab passes through, like a
    Lambda handler); ``either`` is any of ``options``.
    """

    kind: str
    item: Shape | None = None  # list items, map values
    members: Mapping[str, Shape] = field(default_factory=dict)  # structure members
    required: frozenset[str] = frozenset()
    options: tuple[Shape, ...] = ()


STRING, INTEGER, BOOLEAN = Shape("string"), Shape("integer"), Shape("boolean")
DOUBLE = Shape("double")
BLOB, DOCUMENT, ANY = Shape("blob"), Shape("document"), Shape("any")


def list_of(item: Shape) -> Shape:
    return Shape("list", item)


def map_of(item: Shape) -> Shape:
    return Shape("map", item)


def structure(*required: str, optional: tuple[str, ...] = (),
              types_: Mapping[str, Shape] | None = None) -> Shape:
    """A structure of string members (or the shapes in ``types_``)."""
    shapes = types_ or {}
    names = (*required, *optional)
    return Shape("structure", members={n: shapes.get(n, STRING) for n in names},
                 required=frozenset(required))


def either(*options: Shape) -> Shape:
    return Shape("either", options=options)


# IAM and STS "Tag" (Key and Value required), or iamlab's plain dict.
TAGS = either(list_of(structure("Key", "Value")), map_of(STRING))
LAUNCH_TEMPLATE = structure(optional=("LaunchTemplateId", "LaunchTemplateName", "Version"))

# ECS ContainerDefinition (ECS API reference): every member botocore knows, so a misspelt
# one is refused as botocore refuses it; the members the world uses are typed, the others
# are passed through.
_CONTAINER_INTEGERS = ("cpu", "memory", "memoryReservation", "startTimeout", "stopTimeout")
_CONTAINER_BOOLEANS = ("essential", "disableNetworking", "privileged",
                       "readonlyRootFilesystem", "interactive", "pseudoTerminal")
_CONTAINER_STRINGS = ("name", "image", "versionConsistency", "hostname", "user",
                      "workingDirectory")
_CONTAINER_OTHERS = ("repositoryCredentials", "links", "portMappings", "restartPolicy",
                     "entryPoint", "command", "environmentFiles", "mountPoints", "volumesFrom",
                     "linuxParameters", "dependsOn", "dnsServers", "dnsSearchDomains",
                     "extraHosts", "dockerSecurityOptions", "dockerLabels", "ulimits",
                     "healthCheck", "systemControls", "resourceRequirements",
                     "firelensConfiguration", "credentialSpecs")
CONTAINER_DEFINITION = structure(
    optional=(*_CONTAINER_STRINGS, *_CONTAINER_INTEGERS, *_CONTAINER_BOOLEANS,
              *_CONTAINER_OTHERS, "environment", "secrets", "logConfiguration"),
    types_={**{n: INTEGER for n in _CONTAINER_INTEGERS},
            **{n: BOOLEAN for n in _CONTAINER_BOOLEANS},
            **{n: ANY for n in _CONTAINER_OTHERS},
            "environment": list_of(structure(optional=("name", "value"))),
            "secrets": list_of(structure("name", "valueFrom")),
            "logConfiguration": structure("logDriver", optional=("options", "secretOptions"),
                                          types_={"options": map_of(STRING),
                                                  "secretOptions": ANY})})

# (service, parameter) -> shape, for the parameters whose type hint does not say it all.
SHAPES: dict[tuple[str, str], Shape] = {
    ("iam", "Tags"): TAGS,
    ("sts", "Tags"): TAGS,
    ("sts", "PolicyArns"): list_of(structure(optional=("arn",))),
    ("s3", "Body"): BLOB,
    ("dynamodb", "Tags"): TAGS,
    ("dynamodb", "KeySchema"): list_of(structure("AttributeName", "KeyType")),
    ("dynamodb", "AttributeDefinitions"): list_of(structure("AttributeName",
                                                            "AttributeType")),
    ("sqs", "tags"): map_of(STRING),
    ("sqs", "Attributes"): map_of(either(STRING, DOCUMENT)),
    ("logs", "logEvents"): list_of(structure("timestamp", "message",
                                             types_={"timestamp": INTEGER})),
    ("kms", "Tags"): either(list_of(structure("TagKey", "TagValue")), TAGS),
    ("kms", "CiphertextBlob"): BLOB,
    ("kms", "Plaintext"): BLOB,
    ("kms", "EncryptionContext"): map_of(STRING),
    ("secretsmanager", "Tags"): either(list_of(structure(optional=("Key", "Value"))),
                                       map_of(STRING)),
    ("lambda", "Tags"): map_of(STRING),
    ("lambda", "Environment"): structure(optional=("Variables",),
                                         types_={"Variables": map_of(STRING)}),
    ("lambda", "Payload"): either(BLOB, ANY),
    ("ec2", "IamInstanceProfile"): structure(optional=("Arn", "Name")),
    ("ec2", "LaunchTemplate"): LAUNCH_TEMPLATE,
    ("ec2", "TagSpecifications"): list_of(structure(
        optional=("ResourceType", "Tags"), types_={"Tags": TAGS})),
    ("autoscaling", "LaunchTemplate"): LAUNCH_TEMPLATE,
    ("ecr", "imageIds"): list_of(structure(optional=("imageDigest", "imageTag"))),
    ("ecs", "containerDefinitions"): list_of(CONTAINER_DEFINITION),
    ("cloudwatch", "MetricData"): list_of(structure(
        "MetricName", optional=("Value", "Unit", "Timestamp", "Dimensions", "Values", "Counts",
                                "StatisticValues", "StorageResolution"),
        types_={"Value": DOUBLE, "Timestamp": ANY, "StorageResolution": INTEGER,
                "Dimensions": list_of(structure("Name", "Value")), "Values": list_of(DOUBLE),
                "Counts": list_of(DOUBLE), "StatisticValues": ANY})),
}

_BOTO_TYPES = {"string": "<class 'str'>", "integer": "<class 'int'>",
               "double": "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
               "boolean": "<class 'bool'>", "list": "<class 'list'>, <class 'tuple'>",
               "map": "<class 'dict'>", "structure": "<class 'dict'>",
               "blob": "<class 'bytes'>, <class 'bytearray'>, file-like object",
               "document": "<class 'str'>, <class 'dict'>"}


def _from_hint(hint: Any) -> tuple[Shape, bool]:
    """The shape a type hint says, and whether it allows None."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        if set(args) == {str, dict} or (str in args and any(
                typing.get_origin(a) is dict for a in args)):
            return DOCUMENT, nullable
        if set(args) <= {bytes, str, bytearray}:
            return BLOB, nullable
        shapes = [_from_hint(a)[0] for a in args]
        return (shapes[0] if len(shapes) == 1 else either(*shapes)), nullable
    if hint is str:
        return STRING, False
    if hint is bool:
        return BOOLEAN, False
    if hint is int:
        return INTEGER, False
    if hint in (bytes, bytearray):
        return BLOB, False
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return list_of(_from_hint(item)[0]), False
    if origin is dict:
        values = typing.get_args(hint)[1:]
        return map_of(_from_hint(values[0])[0] if values else ANY), False
    return ANY, False


def operation_shapes(service: str, method: Callable[..., Any]
                     ) -> dict[str, tuple[Shape, bool]]:
    """Each keyword parameter of an operation: its shape and whether None is allowed (an
    optional parameter left out; iamlab's own callers pass None for that)."""
    try:
        hints = typing.get_type_hints(method)
    except Exception:  # a hint that cannot be resolved: nothing is checked for it
        hints = {}
    out = {}
    for p in inspect.signature(method).parameters.values():
        if p.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        shape, nullable = _from_hint(hints.get(p.name, Any))
        shape = SHAPES.get((service, p.name), shape)
        out[p.name] = (shape, nullable or p.default is None)
    return out


def _shown(value: Any) -> str:
    text = printable(str(value))
    return text if len(text) <= 80 else text[:77] + "..."


def problems_in(value: Any, shape: Shape, name: str) -> list[str]:
    """What is wrong with ``value`` as parameter ``name`` of this shape, in botocore's
    words ([] when it fits)."""
    kind = shape.kind
    if kind == "any":
        return []
    if kind == "either":
        found = [problems_in(value, option, name) for option in shape.options]
        if any(not f for f in found):
            return []
        # the option whose container type fits says the most; else the first one
        fitting = [f for f in found if not f[0].startswith("Invalid type")]
        return (fitting or found)[0]
    fits = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int),
        "double": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "blob": isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read"),
        "document": isinstance(value, (str, Mapping)),
        "list": isinstance(value, (list, tuple)),
        "map": isinstance(value, Mapping),
        "structure": isinstance(value, Mapping),
    }[kind]
    if not fits:
        return [f"Invalid type for parameter {name}, value: {_shown(value)}, type: "
                f"{type(value)}, valid types: {_BOTO_TYPES[kind]}"]
    if isinstance(value, str):
        return _text_problems(value, name)
    out: list[str] = []
    if kind == "list" and shape.item is not None:
        for i, item in enumerate(value):
            out += problems_in(item, shape.item, f"{name}[{i}]")
    elif kind == "map" and shape.item is not None:
        for key, item in value.items():
            if not isinstance(key, str):
                out.append(f"Invalid type for parameter {name} key, value: {_shown(key)}, "
                           f"type: {type(key)}, valid types: <class 'str'>")
                continue
            out += _text_problems(key, f"{name} key")
            out += problems_in(item, shape.item, f"{name}.{key}")
    elif kind == "structure":
        out += [f'Missing required parameter in {name}: "{m}"'
                for m in sorted(shape.required) if m not in value]
        for key, item in value.items():
            member = shape.members.get(key) if isinstance(key, str) else None
            if member is None:
                close = difflib.get_close_matches(str(key), list(shape.members), n=1,
                                                  cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else ""
                out.append(f'Unknown parameter in {name}: "{_shown(key)}", must be one of: '
                           f"{', '.join(shape.members)}{hint}")
            else:
                out += problems_in(item, member, f"{name}.{key}")
    elif kind == "document" and isinstance(value, Mapping):
        try:
            _check_sendable(value)
        except UnicodeEncodeError:
            out.append(f"Invalid value for parameter {name}: it contains a lone surrogate, "
                       "which is not UTF-8 text")
    return out


def _text_problems(value: str, name: str) -> list[str]:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = value[exc.start]
        return [f"Invalid value for parameter {name}: character {exc.start + 1} is a lone "
                f"surrogate (\\u{ord(char):04x}), which cannot be sent as UTF-8 text"]
    return []


def _check_sendable(value: Any, depth: int = 0) -> None:
    """Raise UnicodeEncodeError when any text in a dict document is not UTF-8."""
    if depth > 64:
        return
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _check_sendable(k, depth + 1)
            _check_sendable(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _check_sendable(v, depth + 1)
