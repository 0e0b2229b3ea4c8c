"""``iamlab quiz``: ``--export-json`` prints every item, ``--check`` runs every key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from iamlab.cli import main
from iamlab.exam import bank

ROOT = Path(__file__).resolve().parent.parent


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iamlab", "quiz", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_export_json_prints_every_item_as_a_line() -> None:
    done = run("--export-json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [x["id"] for x in lines] == list(bank())
    for line in lines:
        assert set(line) == {"id", "question", "options", "multiple", "tags", "difficulty",
                             "executable", "doc"}
        assert all(set(o) == {"text", "correct", "why"} for o in line["options"])
        assert line["doc"].startswith("https://docs.aws.amazon.com/")
    passrole = next(x for x in lines if x["id"] == "passrole-lambda-create")
    assert passrole["executable"] is True and passrole["multiple"] is False
    assert "lambda:CreateFunction" in passrole["question"]  # the exhibit is in the question


def test_check_passes_on_the_bank() -> None:
    done = run("--check")
    assert done.returncode == 0, done.stdout
    assert done.stdout.endswith("all agree\n")


def test_check_catches_a_deliberately_wrong_key(tmp_path: Path) -> None:
    """Flip the key of a real item: the engine disagrees, the command says where, exit 1."""
    source = bank()["predict-explicit-deny-wins"]
    raw = json.loads(Path(ROOT, source.file).read_text())
    item = next(i for i in raw["items"] if i["id"] == source.id)
    for option in item["options"]:
        option["correct"] = option["decision"] == "allowed"
    item["checks"][0]["expected"] = "allowed"
    wrong = tmp_path / "wrong-key.json"
    wrong.write_text(json.dumps({"schema_version": 1, "items": [item]}))
    done = run("--check", str(wrong))
    assert done.returncode == 1
    assert (f"DISAGREES {wrong}: item 'predict-explicit-deny-wins': checks[0]: the key says "
            "allowed, the engine says explicitDeny") in done.stdout


def test_a_broken_file_is_one_message_and_status_2(tmp_path: Path, capsys: object) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "items": [{"id": "x"}]}')
    assert main(["quiz", "--check", str(broken)]) == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.startswith(f"iamlab quiz: {broken}: item 'x': notebook must be")
