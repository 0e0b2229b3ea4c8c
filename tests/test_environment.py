"""pyproject.toml (pip) and environment.yml (conda / Binder) must list the same packages."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
# optional-dependency groups mirrored in environment.yml: "classroom" too, since an image
# built from environment.yml for a hub (repo2docker, Zero to JupyterHub) needs jupyterhub
PYPROJECT_GROUPS = ("lab", "test", "classroom")

# conda name -> pip name; None: not a Python package of ours (interpreter, tool, system binary).
CONDA_TO_PIP: dict[str, str | None] = {
    "python-graphviz": "graphviz",
    "graphviz": None,  # the `dot` binary: scripts/setup-system.sh installs it outside conda
    "python": None,
    "pip": None,
}


def read_environment_yml(path: Path) -> tuple[list[str], list[str]]:
    """Return (conda specs, pip lines) of environment.yml's `dependencies`.

    A deliberately small reader for this file's simple layout, so that the test
    needs no YAML library; test_reader_agrees_with_pyyaml checks it when one is there.
    """
    conda: list[str] = []
    pip: list[str] = []
    section = ""
    pip_indent = -1
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0 and not line.startswith("-"):
            section = line.split(":", 1)[0].strip()
            continue
        if section != "dependencies":
            continue
        item = line.strip()
        assert item.startswith("- "), f"environment.yml: unexpected line {raw!r}"
        value = item[2:].strip().strip("'\"")
        if value == "pip:":
            pip_indent = indent
        elif pip_indent >= 0 and indent > pip_indent:
            pip.append(value)
        else:
            pip_indent = -1
            conda.append(value)
    return conda, pip


def split_conda_spec(spec: str) -> tuple[str, str]:
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", spec)
    assert match, f"environment.yml: cannot read conda spec {spec!r}"
    return canonicalize_name(match[1]), match[2].replace(" ", "")


def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def pyproject_requirements() -> dict[str, Requirement]:
    project = pyproject()["project"]
    lines = list(project["dependencies"])
    for group in PYPROJECT_GROUPS:
        lines += project["optional-dependencies"][group]
    reqs = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r for r in reqs}


def environment_requirements() -> tuple[dict[str, str], list[str]]:
    """Return ({pip name: version spec}, local pip lines such as `-e .`)."""
    conda, pip = read_environment_yml(ROOT / "environment.yml")
    found: dict[str, str] = {}
    for spec in conda:
        name, version = split_conda_spec(spec)
        pip_name = CONDA_TO_PIP.get(name, name)
        if pip_name is not None:
            found[canonicalize_name(pip_name)] = version
    local = [line for line in pip if line.startswith(("-e", "."))]
    for line in pip:
        if line not in local:
            req = Requirement(line)
            found[canonicalize_name(req.name)] = str(req.specifier)
    return found, local


def test_every_pyproject_dependency_is_in_environment_yml() -> None:
    env, _ = environment_requirements()
    missing = sorted(set(pyproject_requirements()) - set(env))
    assert not missing, f"in pyproject.toml but missing from environment.yml: {missing}"


def test_environment_yml_has_nothing_pyproject_lacks() -> None:
    env, _ = environment_requirements()
    extra = sorted(set(env) - set(pyproject_requirements()))
    assert not extra, (
        f"in environment.yml but not in pyproject.toml: {extra} "
        "(add them to pyproject, or to CONDA_TO_PIP if they are not pip packages)"
    )


def test_policy_sentry_pinned_identically() -> None:
    pin = str(pyproject_requirements()["policy-sentry"].specifier)
    assert pin.startswith("=="), f"pyproject.toml must pin policy-sentry exactly, has {pin!r}"
    env_pin = environment_requirements()[0].get("policy-sentry")
    assert env_pin == pin, f"policy-sentry: pyproject.toml {pin!r}, environment.yml {env_pin!r}"


def test_python_version_and_local_install() -> None:
    conda, _ = read_environment_yml(ROOT / "environment.yml")
    pythons = [split_conda_spec(s)[1] for s in conda if split_conda_spec(s)[0] == "python"]
    assert pythons == [pyproject()["project"]["requires-python"]], (
        f"environment.yml python {pythons} != pyproject requires-python"
    )
    _, local = environment_requirements()
    assert local == ["-e ."], f"environment.yml pip section must install the project: {local}"


def test_reader_agrees_with_pyyaml() -> None:
    yaml = pytest.importorskip("yaml")
    data = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = data["dependencies"]
    conda = [str(d) for d in deps if not isinstance(d, dict)]
    pip = [str(x) for d in deps if isinstance(d, dict) for x in d["pip"]]
    assert read_environment_yml(ROOT / "environment.yml") == (conda, pip)


def test_every_optional_group_is_mirrored() -> None:
    """A new extra in pyproject.toml must be decided on: mirrored here, or left out on purpose."""
    groups = set(pyproject()["project"]["optional-dependencies"])
    assert groups == set(PYPROJECT_GROUPS), (
        f"pyproject.toml extras {sorted(groups)} != mirrored groups {sorted(PYPROJECT_GROUPS)}"
        " (add the new group to PYPROJECT_GROUPS and environment.yml)")
