"""``iamlab lint``: output forms, exit statuses, and the README example as written."""

from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from iamlab.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]}
TYPO = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::bucket/*"}]}
WARNING_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}]}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["lint", *args])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, policy: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(policy, indent=2))
    return str(path)


def test_clean_policy_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([write(tmp_path, "p.json", GOOD)], capsys)
    assert code == 0
    assert out.splitlines()[0].endswith("checked as an identity-based policy (guessed; choose "
                                        "with --kind)")
    assert out.splitlines()[-1] == "no findings"


def test_error_exits_1_with_location_fix_and_link(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "p.json", TYPO)
    code, out, _ = run([path, "--kind", "identity"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}: checked as an identity-based policy"
    assert lines[1].startswith(f"{path}:6:17: error [action-unknown] at Statement[0].Action: ")
    assert lines[2] == "    fix: s3:GetObject"
    assert lines[3].startswith("    see: https://docs.aws.amazon.com/")
    assert lines[-1] == "1 error, 0 warnings, 0 suggestions"


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([write(tmp_path, "p.json", WARNING_ONLY)], capsys)
    assert code == 0
    assert "warning [resource-mismatch]" in out


def test_json_is_one_object_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([write(tmp_path, "p.json", TYPO), "--json"], capsys)
    assert code == 1
    [line] = out.splitlines()
    data = json.loads(line)
    assert data == {"code": "action-unknown", "severity": "error", "path": "Statement[0].Action",
                    "line": 6, "column": 17, "message": data["message"],
                    "fix": "s3:GetObject", "doc": data["doc"]}
    code, out, _ = run([write(tmp_path, "q.json", GOOD), "--json"], capsys)
    assert (code, out) == (0, "")


def test_missing_file_exits_2_without_traceback(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(tmp_path / "absent.json")], capsys)
    assert code == 2 and out == ""
    absent = tmp_path / "absent.json"
    assert err == f"iamlab lint: cannot read {absent}: No such file or directory\n"


def test_directory_and_binary_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([str(tmp_path)], capsys)
    assert code == 2 and err.startswith("iamlab lint: cannot read")
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe{}")
    code, _, err = run([str(binary)], capsys)
    assert code == 2 and "not UTF-8 text" in err


def test_invalid_json_is_a_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"Version": "2012-10-17",\n "Statement": [}\n')
    code, out, _ = run([str(path)], capsys)
    assert code == 1
    assert f"{path}:2:16: error [grammar-invalid-json]" in out


def test_kind_and_container_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}
    path = write(tmp_path, "t.json", trust)
    code, out, _ = run([path], capsys)
    assert code == 0 and "checked as a role trust policy (guessed" in out
    code, out, _ = run([path, "--kind", "identity"], capsys)
    assert code == 1 and "grammar-prohibited-principal" in out
    code, out, _ = run([path, "--kind", "trust", "--container", "none"], capsys)
    assert code == 0
    with pytest.raises(SystemExit):
        main(["lint", path, "--kind", "bucket"])


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(TYPO)))
    code, out, _ = run(["-", "--json"], capsys)
    assert code == 1 and json.loads(out)["code"] == "action-unknown"


def test_readme_example_works_as_written() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pattern = r"<!-- readme-example: lint -->\n```console\n\$ (.*?)\n(.*?)```"
    match = re.search(pattern, readme, re.S)
    assert match, "README has a lint example"
    argv = shlex.split(match.group(1))
    assert argv[:2] == ["iamlab", "lint"]
    done = subprocess.run([sys.executable, "-m", "iamlab", *argv[1:]], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout == match.group(2)
    assert done.returncode == 1


def test_a_finding_about_the_whole_document_says_so(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """No ``(document)`` as if it were a JSON path: the line reads as words, while --json
    keeps its fields (path, line, column) as they were."""
    no_version = {"Statement": GOOD["Statement"]}
    path = write(tmp_path, "p.json", no_version)
    code, out, _ = run([path], capsys)
    assert code == 0
    [line] = [x for x in out.splitlines() if "grammar-no-version" in x]
    assert line.startswith(f"{path}:1:1: suggestion [grammar-no-version] about the whole "
                           "document: the policy has no Version")
    assert "(document)" not in out
    _, out, _ = run([path, "--json"], capsys)
    data = json.loads(out.splitlines()[0])
    assert (data["code"], data["path"], data["line"], data["column"]) == \
        ("grammar-no-version", "(document)", 1, 1)


def test_the_kind_is_guessed_from_the_one_parse_of_the_document(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``--kind auto`` guesses from the document the linter reads anyway: the text is not
    parsed a second time just to guess."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}]}
    path = write(tmp_path, "t.json", trust)
    text = Path(path).read_text()
    loads = json.loads

    def once(s: str | bytes, *args: object, **kwargs: object) -> object:
        assert s != text, "the whole document was parsed again"
        return loads(s, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json, "loads", once)
    code, out, _ = run([path], capsys)
    assert code == 0 and "checked as a role trust policy (guessed" in out
