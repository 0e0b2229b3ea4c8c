"""Tests for iamlab.jsonloc: values identical to json.loads, plus positions and friendly errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from iamlab.jsonloc import (
    MAX_DEPTH,
    JsonSyntaxError,
    Locations,
    Path,
    Position,
    format_path,
    parse_with_locations,
)

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadBucket",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::example/*"
    },
    {
      "Effect":  "Deny",
      "Action": "s3:DeleteObject",
      "Condition": {"Bool": {"aws:SecureTransport": false}}
    }
  ]
}
"""


def _offset(text: str, position: Position) -> int:
    """The character offset of a 1-based line/column in ``text``."""
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line - 1]) + position.column - 1


def _paths(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, sub-value) of a JSON value, the root first (iteratively: no depth limit)."""
    todo = [(path, value)]
    while todo:
        path, value = todo.pop()
        yield path, value
        if isinstance(value, dict):
            todo.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(((*path, i), v) for i, v in enumerate(value))


def _strict_loads(text: str) -> Any:
    """json.loads without its NaN/Infinity extension, which jsonloc does not accept."""

    def reject(name: str) -> Any:
        raise ValueError(name)

    return json.loads(text, parse_constant=reject)


def _same(a: Any, b: Any) -> bool:
    """Equal, including int vs float, -0.0 vs 0.0 and key order (repr shows all three)."""
    return bool(a == b) and repr(a) == repr(b)


# --- locations ----------------------------------------------------------------------------


def test_values_and_locations_of_a_policy() -> None:
    value, loc = parse_with_locations(POLICY)
    assert _same(value, json.loads(POLICY))
    assert loc.value(()) == Position(1, 1)
    assert loc.value(("Version",)) == Position(2, 14)
    assert loc.key(("Version",)) == Position(2, 3)
    assert loc.value(("Statement",)) == Position(3, 16)
    assert loc.value(("Statement", 0)) == Position(4, 5)
    assert loc.value(("Statement", 0, "Action", 1)) == Position(7, 34)
    assert loc.key(("Statement", 1, "Effect")) == Position(11, 7)
    assert loc.value(("Statement", 1, "Effect")) == Position(11, 18)
    cond = ("Statement", 1, "Condition", "Bool", "aws:SecureTransport")
    assert loc.key(cond) == Position(13, 30)
    assert loc.value(cond) == Position(13, 53)
    assert loc.duplicates == []
    assert len(loc) == sum(1 for _ in _paths(value))
    assert ("Statement", 1, "Effect") in loc
    assert ("Statement", 2) not in loc


def test_lookups_fall_back_to_the_nearest_known_ancestor() -> None:
    _, loc = parse_with_locations(POLICY)
    statement = Position(10, 5)
    assert loc.value(("Statement", 1, "Principal")) == statement  # a missing key
    assert loc.key(("Statement", 1, "Principal")) == statement
    assert loc.value(("Statement", 1, "Effect", 3, "x")) == Position(11, 18)  # below a scalar
    assert loc.value(("Nope", 7)) == Position(1, 1)
    assert loc.key(("Statement", 1)) == statement  # an array element has no key: its value
    assert loc.key(()) == Position(1, 1)
    assert loc.value(["Statement", 1]) == statement  # type: ignore[arg-type]  # lists work too


def test_empty_locations_know_nothing() -> None:
    loc = Locations.empty()
    assert loc.value(()) is None
    assert loc.value(("Statement", 0, "Effect")) is None
    assert loc.key(("Statement", 0, "Effect")) is None
    assert loc.duplicates == []
    assert len(loc) == 0


def test_positions_count_characters_and_crlf_lines() -> None:
    _, loc = parse_with_locations('{\r\n\t"é🙂": ["x",\r\n  true]}')
    assert loc.key(("é🙂",)) == Position(2, 2)
    assert loc.value(("é🙂",)) == Position(2, 8)
    assert loc.value(("é🙂", 1)) == Position(3, 3)


def test_scalar_and_empty_documents() -> None:
    for text, expected in [(" 42 ", 42), ('"x"', "x"), ("[]", []), ("{ }", {}), ("null", None)]:
        value, loc = parse_with_locations(text)
        assert _same(value, expected)
        assert loc.value(()) == Position(1, 1 + len(text) - len(text.lstrip()))
    value, loc = parse_with_locations('{"a": [], "b": {}, "c": [{}]}')
    assert value == {"a": [], "b": {}, "c": [{}]}
    assert loc.value(("b",)) == Position(1, 16)
    assert loc.value(("c", 0)) == Position(1, 26)
    assert ("a", 0) not in loc


def test_format_path() -> None:
    assert format_path(()) == "(document)"
    assert format_path(("Statement", 1, "Effect")) == "Statement[1].Effect"
    assert format_path(("Condition", "Bool", "aws:SecureTransport")) == (
        "Condition.Bool.aws:SecureTransport"
    )
    assert format_path((0, "a b", 'q"')) == '[0]["a b"]["q\\""]'


# --- errors ---------------------------------------------------------------------------------

ERRORS = [
    # (text, message, line, column)
    (
        '{\n  "Effect": "Allow"\n  "Action": "s3:*"\n}',
        "expected ',' or '}' after an object member (missing comma?)",
        3,
        3,
    ),
    (
        '{"a": [1, 2}',
        "expected ',' or ']' after an array element;"
        " found '}' but the '[' at line 1, column 7 is still open",
        1,
        12,
    ),
    (
        '{\n  "Statement": [\n    {"Effect": "Allow"}\n',
        "unexpected end of text: the document stops before the closing ']'",
        4,
        1,
    ),
    ('{"a": 1', "unexpected end of text: the document stops before the closing '}'", 1, 8),
    ('{"a":', "unexpected end of text: the document stops before the closing '}'", 1, 6),
    ('{"a"', "unexpected end of text: the document stops before the closing '}'", 1, 5),
    ('{"a": 1,\n}', "trailing comma before '}' (JSON does not allow it)", 1, 8),
    (
        '["s3:GetObject",\n "s3:PutObject",\n]',
        "trailing comma before ']' (JSON does not allow it)",
        2,
        16,
    ),
    ("{'Effect': 'Allow'}", "single quotes are not JSON; use double quotes", 1, 2),
    ("{\"Effect\": 'Allow'}", "single quotes are not JSON; use double quotes", 1, 12),
    ('{"Effect": "Allow}', "unterminated string", 1, 12),
    (
        '{"Effect": "Allow,\n "Action": "*"}',
        "unterminated string: it runs into a line break (write \\n instead)",
        1,
        12,
    ),
    ('"a\\', "unterminated string", 1, 1),
    (
        '["C:\\Temp"]',
        "invalid \\escape '\\T': JSON allows only \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
        1,
        5,
    ),
    ('"\\u12G4"', "invalid \\u escape: it needs 4 hex digits, as in \\u00e9", 1, 2),
    ('"tab\there"', "control character U+0009 in a string; escape it (e.g. \\t)", 1, 5),
    ('{"a": 1}\n{"b": 2}', "extra text after the JSON document", 2, 1),
    ('"a": 1', "extra text after the JSON document", 1, 4),
    ("", "empty document: expected a JSON value", 1, 1),
    ("  \n ", "empty document: expected a JSON value", 2, 2),
    ('{"a" 1}', "expected ':' after the key \"a\"", 1, 6),
    ('{Effect: "Allow"}', "expected a key in double quotes, found 'Effect'", 1, 2),
    ('{"a": 1, 2: 3}', "expected a key in double quotes, found '2'", 1, 10),
    ('{"Effect": Allow}', "unexpected word 'Allow': text must be in double quotes", 1, 12),
    ('{"a": True}', "'True' is not JSON; use lowercase true, false or null", 1, 7),
    ("[None]", "'None' is not JSON; use lowercase true, false or null", 1, 2),
    ("[NaN]", "NaN and Infinity are not JSON numbers", 1, 2),
    ("-Infinity", "NaN and Infinity are not JSON numbers", 1, 1),
    ("[01]", "invalid number '01'", 1, 2),
    ("[1.]", "invalid number '1.'", 1, 2),
    ("[.5]", "invalid number '.5'", 1, 2),
    ("[+1]", "invalid number '+1'", 1, 2),
    ("[1e]", "invalid number '1e'", 1, 2),
    ("[-]", "invalid number '-'", 1, 2),
    ("[0x1F]", "invalid number '0x1F'", 1, 2),
    ('{"a": 1} // note', "extra text after the JSON document", 1, 10),
    ('{\n  // note\n  "a": 1}', "comments are not allowed in JSON", 2, 3),
    ("[1, /* two */ 2]", "comments are not allowed in JSON", 1, 5),
    ('{"a":}', "expected a value (a string, number, object, array, true, false, null)", 1, 6),
    ("[,1]", "expected a value (a string, number, object, array, true, false, null)", 1, 2),
    ("[1,,2]", "expected a value (a string, number, object, array, true, false, null)", 1, 4),
    ('["a" "b"]', "expected ',' or ']' after an array element (missing comma?)", 1, 6),
    ('["a": 1]', "expected ',' or ']' after an array element", 1, 5),
    ("\ufeff{}", "the text starts with an invisible byte-order mark (U+FEFF); remove it", 1, 1),
    ("[" * 600, f"nesting too deep (more than {MAX_DEPTH} levels of [ and {{)", 1, MAX_DEPTH + 1),
    ("1" * 5000, "number too long", 1, 1),
]


@pytest.mark.parametrize(("text", "message", "line", "column"), ERRORS)
def test_error_messages_and_positions(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        parse_with_locations(text)
    error = info.value
    assert (error.message, error.line, error.column) == (message, line, column)
    assert error.position == Position(line, column)
    assert str(error) == f"{message} (line {line}, column {column})"
    assert isinstance(error, ValueError)
    with pytest.raises(ValueError):
        _strict_loads(text)  # the standard library agrees that it is not JSON


def test_a_windows_path_is_an_escape_error_or_valid() -> None:
    """\\t is a valid escape (a tab), \\T is not: learners hit both with Windows paths."""
    assert parse_with_locations('["C:\\temp"]')[0] == ["C:\temp"]
    with pytest.raises(JsonSyntaxError, match=r"invalid \\escape '\\T'"):
        parse_with_locations('["C:\\Temp"]')


def test_max_depth_is_adjustable() -> None:
    assert parse_with_locations("[[[1]]]", max_depth=3)[0] == [[[1]]]
    with pytest.raises(JsonSyntaxError, match="nesting too deep") as info:
        parse_with_locations('{"a": [[1]]}', max_depth=2)
    assert (info.value.line, info.value.column) == (1, 8)


def test_deep_nesting_never_recurses() -> None:
    depth = 50_000
    with pytest.raises(JsonSyntaxError, match="nesting too deep"):
        parse_with_locations("[" * depth + "]" * depth)
    with pytest.raises(JsonSyntaxError, match="nesting too deep"):
        parse_with_locations('{"a":' * depth + "1" + "}" * depth)
    # Allowed deeper than Python's recursion limit: an explicit stack, no RecursionError.
    deep, loc = parse_with_locations("[" * 5000 + "7" + "]" * 5000, max_depth=5000)
    path: Path = (0,) * 4999
    for _ in range(4999):
        deep = deep[0]
    assert deep == [7]
    assert loc.value(path) == Position(1, 5000)
    assert loc.value((*path, 0)) == Position(1, 5001)
    # Within the default limit, identical to json.loads.
    text = '{"a": [' * 250 + "null" + "]}" * 250
    assert parse_with_locations(text)[0] == json.loads(text)


# --- duplicate keys -------------------------------------------------------------------------


def test_duplicate_keys_keep_the_last_value_and_are_reported() -> None:
    text = (
        '{\n  "Effect": "Allow",\n  "Effect": {"x": [1, 2]},\n  "Sid": "a",\n  "Effect": "Deny"\n}'
    )
    value, loc = parse_with_locations(text)
    assert value == json.loads(text) == {"Effect": "Deny", "Sid": "a"}
    assert list(value) == list(json.loads(text))
    assert loc.duplicates == [
        ((), "Effect", Position(3, 3)),
        ((), "Effect", Position(5, 3)),
    ]
    assert loc.key(("Effect",)) == Position(5, 3)
    assert loc.value(("Effect",)) == Position(5, 13)
    # The replaced object's insides are forgotten, so they fall back to the new value.
    assert ("Effect", "x") not in loc
    assert ("Effect", "x", 1) not in loc
    assert loc.value(("Effect", "x", 1)) == Position(5, 13)
    assert len(loc) == 3


def test_duplicates_in_nested_objects() -> None:
    text = '{"Statement": [{"Effect": "Allow", "Action": "a", "Action": "b"}], "Statement": []}'
    value, loc = parse_with_locations(text)
    assert value == json.loads(text) == {"Statement": []}
    assert loc.duplicates == [
        (("Statement", 0), "Action", Position(1, 51)),
        ((), "Statement", Position(1, 68)),
    ]
    assert ("Statement", 0) not in loc


def test_duplicate_keys_with_escapes() -> None:
    value, loc = parse_with_locations('{"a": 1, "\\u0061": 2}')
    assert value == {"a": 2}
    assert loc.duplicates == [((), "a", Position(1, 10))]


# --- agreement with json.loads --------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(
        ["s3:GetObject", "arn:aws:s3:::b/*", "", "\\", '"', "\x00\x1f\x7f", "\ud83d\ude00"]
    )
)
json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
_dump_options = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 1, 2, 4, "\t", " \r\n"]),
        "ensure_ascii": st.booleans(),
        "sort_keys": st.booleans(),
        "separators": st.sampled_from([None, (",", ":"), (" , ", " : "), (",\n", ":\t")]),
    }
)


@given(json_values, _dump_options)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_agrees_with_json_loads(value: Any, options: dict[str, Any]) -> None:
    text = json.dumps(value, **options)
    parsed, loc = parse_with_locations(text)
    assert _same(parsed, json.loads(text))
    # Every value's position is where json would start reading that value, every key's where
    # its string starts -- and nothing else is recorded.
    decoder = json.JSONDecoder()
    count = 0
    for path, sub in _paths(parsed):
        count += 1
        start = loc.value(path)
        assert start is not None
        assert _same(decoder.raw_decode(text, _offset(text, start))[0], sub)
        if path and isinstance(path[-1], str):
            key_at = loc.key(path)
            assert key_at is not None
            assert decoder.raw_decode(text, _offset(text, key_at))[0] == path[-1]
    assert count == len(loc)


_escapes = st.sampled_from(
    [
        *['\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\uFFFF"],
        *["\\ud83d\\ude00", "\\uD83D\\uDE00", "\\ud800", "\\udc00", "\\ud800\\ud800", "\\udbff"],
        *["\\udc00\\ud800", "\\ud800x", "\\ud800\\u0041", "\\ud800\\", "é", "a", " ", "🙂", "\\u"],
    ]
)


@given(st.lists(_escapes, max_size=8))
def test_string_escapes_agree_with_json_loads(parts: list[str]) -> None:
    text = '"' + "".join(parts) + '"'
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(JsonSyntaxError):
            parse_with_locations(text)
        return
    assert parse_with_locations(text)[0] == expected
    assert parse_with_locations("{" + text + ": " + text + "}")[0] == {expected: expected}


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "-0",
        "-0.0",
        "1E5",
        "1e-5",
        "2.5E+3",
        "123456789012345678901234567890",
        "1e400",
        "-1e400",
        "1.0",
        "0.1",
        "5e-324",
        "1" * 4000 + "e0",
        "[1, 2.0, -3e0, 4.50]",
    ],
)
def test_numbers_agree_with_json_loads(text: str) -> None:
    assert _same(parse_with_locations(text)[0], json.loads(text))


def _check_agreement(text: str) -> None:
    """Valid JSON (by json.loads) parses identically; anything else is a JsonSyntaxError."""
    try:
        expected = _strict_loads(text)
    except (ValueError, RecursionError):
        try:
            parse_with_locations(text)
        except JsonSyntaxError as error:
            assert error.line >= 1 and error.column >= 1
            assert error.message
        else:
            pytest.fail(f"accepted invalid JSON {text!r}")
        return
    assert _same(parse_with_locations(text)[0], expected)


_json_chars = st.sampled_from(
    [*"{}[]:,\"\\ \n\t\r0123456789.-+eEtrufalsn'/xIN", "\\u", "\x00", "é"]
)


@given(st.text())
def test_random_text_only_raises_json_syntax_error(text: str) -> None:
    _check_agreement(text)


@given(st.lists(_json_chars, max_size=30).map("".join))
def test_random_json_like_text_only_raises_json_syntax_error(text: str) -> None:
    _check_agreement(text)


@given(
    json_values,
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 3), _json_chars), max_size=4),
)
@settings(max_examples=400)
def test_mutated_json_only_raises_json_syntax_error(
    value: Any, edits: list[tuple[int, int, str]]
) -> None:
    text = json.dumps(value, indent=1)
    for where, kind, char in edits:
        i = where % (len(text) + 1)
        if kind == 0:
            text = text[:i] + text[i + 1 :]  # delete
        elif kind == 1:
            text = text[:i] + char + text[i:]  # insert
        elif kind == 2:
            text = text[:i] + char + text[i + 1 :]  # replace
        else:
            text = text[:i]  # truncate
    assume(text)
    _check_agreement(text)


# --- speed ----------------------------------------------------------------------------------


def _policy(statements: int) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": f"Stmt{i}",
                    "Effect": "Deny" if i % 3 == 0 else "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": f"arn:aws:s3:::bucket-{i}/*",
                    **(
                        {"Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{i}"}}}
                        if i % 2
                        else {}
                    ),
                }
                for i in range(statements)
            ],
        },
        indent=2,
    )


def test_a_ten_thousand_statement_policy_is_fast() -> None:
    text = _policy(10_000)
    start = time.perf_counter()
    value, loc = parse_with_locations(text)
    position = loc.key(("Statement", 9_999, "Effect"))
    elapsed = time.perf_counter() - start
    assert value == json.loads(text)
    last_effect = text.rindex('"Effect"')
    assert position == Position(text.count("\n", 0, last_effect) + 1, 7)
    assert elapsed < 2.0, f"{elapsed:.2f}s for {len(text) / 1e6:.1f} MB"  # typically ~0.25 s
