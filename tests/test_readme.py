"""The README's command examples work as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_examples() -> dict[str, tuple[list[str], str]]:
    """``<!-- readme-example: NAME -->`` blocks: the command and its expected output."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = {}
    pattern = r"<!-- readme-example: (\S+) -->\n```console\n\$ (.*?)\n(.*?)```"
    for name, command, output in re.findall(pattern, text, re.S):
        found[name] = (shlex.split(command), output)
    return found


def test_simulate_example_works_as_written() -> None:
    argv, expected = readme_examples()["simulate"]
    assert argv[:2] == ["iamlab", "simulate"]
    run = subprocess.run([sys.executable, "-m", "iamlab", *argv[1:]], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.stdout == expected
    assert run.returncode == 1  # the example's last line is broken on purpose


def test_graph_example_works_as_written() -> None:
    argv, expected = readme_examples()["graph"]
    assert argv[:2] == ["iamlab", "graph"]
    run = subprocess.run([sys.executable, "-m", "iamlab", *argv[1:]], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == expected


def test_quiz_example_works_as_written() -> None:
    """The README's quiz example: a deliberately wrong key is caught, with exit status 1."""
    argv, expected = readme_examples()["quiz"]
    assert argv[:2] == ["iamlab", "quiz"]
    run = subprocess.run([sys.executable, "-m", "iamlab", *argv[1:]], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.stdout == expected
    assert run.returncode == 1


def test_python_example_runs_and_prints_what_it_says(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- readme-example: python -->\n```python\n(.*?)```", text, re.S)
    assert match, "README has a Python example"
    code = match.group(1)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip()
    promised = re.search(r"print\(decision.summary\)\n# (.*)\n", code)
    assert promised and printed == promised.group(1)


def test_grade_example_works_as_written() -> None:
    argv, expected = readme_examples()["grade"]
    assert argv[:2] == ["iamlab", "grade"]
    run = subprocess.run([sys.executable, "-m", "iamlab", *argv[1:]], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1  # the example's answer grants too much on purpose
    assert run.stdout == expected
