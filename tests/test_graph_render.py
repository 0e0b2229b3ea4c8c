"""Pictures, tables and the ``iamlab graph`` command: content, escaping, and no Graphviz."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from iamlab.authz_dump import load_inventory
from iamlab.cli import main
from iamlab.graph import GraphvizMissing, build_graph
from iamlab.graph.dot import HIGHLIGHT, node_id
from iamlab.graph.render import Diagram, svg
from iamlab.graph.tables import access_matrix, assume_matrix, edge_frame
from iamlab.inventory import Inventory, RoleInfo, UserInfo
from iamlab.parse import parse_policy
from iamlab.policy import PolicyKind
from iamlab.render import ALLOWED_COLOUR

DATA = Path(__file__).parent / "data"
DEMO = DATA / "authz-cloudmapper-demo.json"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")

EVIL_ROLE = '<script>alert("x")</script>&'
EVIL_VALUE = '"><b onmouseover=alert(1)>\\N'


def evil_inventory() -> Inventory:
    """A role named with markup and a trust condition value with HTML and a DOT escape."""
    account = "111122223333"
    trust = parse_policy({"Version": "2012-10-17", "Statement": [{
        "Sid": "<img src=x onerror=alert(1)>", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:user/dev"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": EVIL_VALUE}}}]},
        PolicyKind.TRUST, name="trust")
    role = RoleInfo(f"arn:aws:iam::{account}:role/{EVIL_ROLE}", EVIL_ROLE, account, trust)
    user = UserInfo(f"arn:aws:iam::{account}:user/dev", "dev", account)
    return Inventory(users=(user,), roles=(role,))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@needs_dot
def test_svg_has_every_node_label_and_cluster() -> None:
    graph = build_graph(load_inventory(DEMO))
    root = ET.fromstring(svg(graph.to_dot()))
    shown = texts(root)
    for node in graph.nodes.values():
        assert node.name in shown, node.name
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert "cluster_services" in titles and "cluster_legend" in titles
    assert any(t and t.startswith("cluster_123456789012") for t in titles)
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert node_id("arn:aws:iam::123456789012:role/bad_role") in ids
    # edge labels say the kind
    assert "pass-role via ec2" in shown and "service-assume" in shown


@needs_dot
def test_markup_from_policies_is_escaped_in_dot_and_svg() -> None:
    graph = build_graph(evil_inventory())
    source = graph.to_dot()
    labels = re.findall(r"label=<(.*?)>[,\]]", source)
    assert labels and not any("<script" in label or "<img" in label for label in labels)
    assert "<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/b&gt;" not in source
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in source
    # tooltips are DOT strings: quotes and backslashes escaped, the rest literal
    assert 'alert(\\"x\\")</script>&"' in source  # the role's tooltip
    assert 'b onmouseover=alert(1)>\\\\N' in source  # a backslash stays a backslash
    root = ET.fromstring(svg(source))  # well-formed XML: nothing leaked unescaped
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    shown = "".join(texts(root))
    assert EVIL_ROLE.split("(")[0] in shown  # the name appears as text
    tooltips = [a.get(f"{XLINK}title") or "" for a in root.iter(f"{SVG}a")]
    assert any(EVIL_VALUE in t for t in tooltips)  # the condition value, literally
    assert any("<img src=x onerror=alert(1)>" in t for t in tooltips)  # the Sid
    assert not list(root.iter(f"{SVG}img")) and not list(root.iter(f"{SVG}b"))


def test_dot_is_stable_when_an_unrelated_policy_changes() -> None:
    inv = load_inventory(DEMO)
    before = build_graph(inv).to_dot()
    assert build_graph(inv).to_dot() == before
    raw = json.loads(DEMO.read_text())
    raw["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"})
    after = build_graph(load_inventory(raw)).to_dot()
    assert after == before  # no edge changed, so not one byte of the picture


def test_focus_hops_collapse_and_highlight() -> None:
    graph = build_graph(load_inventory(DEMO))
    bad = "arn:aws:iam::123456789012:role/bad_role"
    level1 = "arn:aws:iam::123456789012:role/service-role/level1"
    near = graph.to_dot(focus="level1", hops=1, legend=False)
    ids = set(re.findall(r"^\s+(n[0-9a-f]{12}) \[", near, re.M))
    assert ids == {node_id(level1), node_id(bad), node_id("lambda.amazonaws.com")}
    folded = graph.to_dot(collapse_services=True, legend=False)
    assert node_id("ec2.amazonaws.com") + " [" not in folded
    assert "service-assume by ec2, ecs-tasks, lambda" in folded  # the "*" role
    path = graph.who_can_assume(level1)
    user_path = next(p for p in path if p.start.endswith("user/USER"))
    lit = graph.to_dot(highlight=user_path, legend=False)
    green = [line for line in lit.splitlines() if f'color="{HIGHLIGHT}"' in line
             and ("penwidth=3" in line or "penwidth=2.5" in line)]
    assert HIGHLIGHT == ALLOWED_COLOUR  # a path that works is drawn as allowed: green
    assert len(green) == 3 + 2  # three nodes, two edges
    with pytest.raises(Exception, match="no node"):
        graph.to_dot(focus="nobody")


def test_hops_stop_when_nothing_is_left_to_visit() -> None:
    """Issue 13: ``--hops 99999999999999999999`` looped that many times. Past the last node
    that can be reached more hops change nothing, and the walk stops there."""
    graph = build_graph(load_inventory(DEMO))
    whole = graph.to_dot(focus="level1", hops=50, legend=False)
    assert graph.to_dot(focus="level1", hops=10**20, legend=False) == whole
    assert whole != graph.to_dot(focus="level1", hops=1, legend=False)


def test_dot_missing_raises_clear_error_and_notebook_falls_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    graph = build_graph(evil_inventory())
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        svg(graph.to_dot())
    bundle = Diagram(graph)._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    html = bundle["text/html"]
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "apt-get install graphviz" in html
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the WebAssembly widget
    assert "<script>" not in Diagram(graph)._repr_html_()


def test_cli_svg_without_dot_exits_with_message(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot on this PATH
    code = main(["graph", str(DEMO), "--svg", str(tmp_path / "g.svg")])
    err = capsys.readouterr().err
    assert code == 3
    assert "apt-get install graphviz" in err and "conda install graphviz" in err
    assert "Traceback" not in err
    assert not (tmp_path / "g.svg").exists()


def test_cli_edges_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(DEMO), "--edges", "--dot", str(tmp_path / "g.dot"),
                 "--focus", "bad_role", "--hops", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    edges = [json.loads(line) for line in lines]
    assert len(edges) == 17
    assert {"source": "*", "target": "arn:aws:iam::123456789012:role/bad_role",
            "kind": "assume", "conditions": []} in edges
    assert all(set(e) >= {"source", "target", "kind", "conditions"} for e in edges)
    assert {e["kind"] for e in edges} == {"assume", "service-assume", "pass-role", "member-of"}
    assert (tmp_path / "g.dot").read_text().startswith("digraph iamlab {")
    if shutil.which("dot"):
        assert main(["graph", str(DEMO), "--svg", str(tmp_path / "g.svg")]) == 0
        ET.parse(tmp_path / "g.svg")


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["graph", str(DEMO), "--dot", str(tmp_path / "x.dot"), "--focus", "nope"]) == 2
    assert "no node 'nope'" in capsys.readouterr().err


def test_cli_summary_lists_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<AccessGraph: 11 nodes, 17 edges")
    assert out.count("note: ") == 3


def test_cli_summary_caps_a_long_list_of_notes(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A dump with many oddities gets ten notes and a count, not a screenful."""
    dump = json.loads(DEMO.read_text(encoding="utf-8"))
    user = dump["UserDetailList"][0]
    user["AttachedManagedPolicies"] = [
        {"PolicyName": f"Missing{n}", "PolicyArn": f"arn:aws:iam::123456789012:policy/Missing{n}"}
        for n in range(25)]
    path = tmp_path / "many-notes.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    assert main(["graph", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("note: ") == 10
    assert "more notes: graph.notes in Python" in out


def test_tables() -> None:
    graph = build_graph(load_inventory(DEMO))
    frame = edge_frame(graph)
    assert len(frame) == len(graph.edges)
    assert list(frame.columns[:4]) == ["source", "source kind", "kind", "target"]
    matrix = assume_matrix(graph)
    assert matrix.loc["user/USER", "role/bad_role"] == "yes"
    assert matrix.loc["role/bad_role", "role/exfiller"] == "yes"  # by pass-role
    chains = assume_matrix(graph, transitive=True)
    assert chains.loc["user/USER", "role/exfiller"] == "via role/bad_role"
    access = access_matrix(graph, ["s3:GetObject", "iam:CreateUser"], "arn:aws:s3:::b/k",
                           resource_account="123456789012")
    assert access.loc["role/exfiller", "s3:GetObject"] == "allowed"  # s3:* inline
    assert access.loc["role/exfiller", "iam:CreateUser"] == "implicitDeny"
    assert access.loc["role/bad_role", "iam:CreateUser"] == "allowed"
    assert access.loc["*", "s3:GetObject"] == "implicitDeny"


def test_progress_bar_appears_only_after_its_delay() -> None:
    import io

    from iamlab.graph.command import ProgressBar

    quiet = io.StringIO()
    bar = ProgressBar(quiet, delay=3600)
    bar(5, 10, "assume")
    bar.close()
    assert quiet.getvalue() == ""
    shown = io.StringIO()
    bar = ProgressBar(shown, delay=0)
    bar(5, 10, "assume")
    bar(10, 10, "assume")
    bar.close()
    assert "[###############...............] 5/10" in shown.getvalue()
    assert shown.getvalue().endswith("10/10\n")


def test_package_docstring_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest

    import iamlab.graph

    monkeypatch.chdir(DATA.parent.parent)
    assert doctest.testmod(iamlab.graph).failed == 0
