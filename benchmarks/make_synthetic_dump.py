"""Synthetic authorization dumps 10× and 100× the largest shared one, for the graph benchmark.

Run: ``.venv/bin/python benchmarks/make_synthetic_dump.py [--factors 10 100] [--seed 7]``.
Writes ``benchmarks/out/authz-synthetic-<N>x.json`` (git-ignored).

Copy *i* of ``tests/data/authz-cloudsplaining-example.json`` gets its own account IDs (drawn
from a seeded generator: the same seed gives the same files), as an organisation's accounts
collected into one dump would. The account the original only names from outside
(``098765432109``) becomes copy *i+1*'s main account, so trust policies cross accounts inside
the dump. One policy document in ten (chosen by the seed) is written URL-encoded, as the raw
IAM API returns it. ``--single-account`` instead puts every copy in one account, renaming each
copy's users, groups, roles and policies with a ``-cN`` suffix: every admin of every copy then
sees every role, which makes the graph grow with the square of the factor.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests" / "data" / "authz-cloudsplaining-example.json"
OUT = ROOT / "benchmarks" / "out"
MAIN, TEACHING, OUTSIDE = "210987654321", "012345678901", "098765432109"
KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_NAMED = re.compile(r'"(UserName|GroupName|RoleName|PolicyName)": "([^"]+)"')


def _accounts(count: int, rng: random.Random) -> list[str]:
    seen: set[str] = {MAIN, TEACHING, OUTSIDE}
    out = []
    while len(out) < count:
        candidate = f"{rng.randrange(10**11, 10**12):012d}"
        if candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def _encode_some(entry: Any, rng: random.Random) -> Any:
    """URL-encode about one policy document in ten (as the raw API returns them)."""
    if isinstance(entry, dict):
        out = {}
        for key, value in entry.items():
            if key in ("PolicyDocument", "Document", "AssumeRolePolicyDocument") \
                    and isinstance(value, dict) and rng.random() < 0.1:
                out[key] = quote(json.dumps(value), safe="")
            else:
                out[key] = _encode_some(value, rng)
        return out
    if isinstance(entry, list):
        return [_encode_some(v, rng) for v in entry]
    return entry


def make(factor: int, seed: int = 7, single_account: bool = False,
         out_dir: Path = OUT) -> Path:
    """Write the ``factor``× dump and return its path."""
    rng = random.Random(seed * 1000 + factor)
    original = json.loads(SOURCE.read_text(encoding="utf-8"))
    texts = {key: json.dumps(original[key]) for key in KEYS}
    names = sorted({m.group(2) for text in texts.values() for m in _NAMED.finditer(text)},
                   key=len, reverse=True)
    mains = _accounts(factor, rng)
    teachings = _accounts(factor, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "-single" if single_account else ""
    path = out_dir / f"authz-synthetic-{factor}x{suffix}.json"
    parts: dict[str, list[str]] = {key: [] for key in KEYS}
    aws_managed_done = False
    for i in range(factor):
        for key in KEYS:
            text = texts[key]
            if single_account:
                if i:
                    for name in names:  # whole names only, inside ARNs and name fields
                        text = re.sub(rf"(?<=[/\"]){re.escape(name)}(?=[\"/])",
                                      f"{name}-c{i}", text)
                    # AWS managed policies are shared by all copies: keep their ARNs.
                    text = re.sub(r'(arn:aws:iam::aws:policy/[^"]*?)-c\d+(?=")', r"\1", text)
                text = text.replace(OUTSIDE, "#OUT#")
            else:
                text = (text.replace(MAIN, "#MAIN#").replace(TEACHING, "#TEACH#")
                        .replace(OUTSIDE, "#OUT#")
                        .replace("#MAIN#", mains[i]).replace("#TEACH#", teachings[i]))
                text = text.replace("#OUT#", mains[(i + 1) % factor])
            text = text.replace("#OUT#", OUTSIDE)
            entries = json.loads(text)
            if key == "Policies":  # AWS managed policies exist once per dump
                entries = [p for p in entries if ":iam::aws:policy/" not in p["Arn"]
                           or not aws_managed_done]
            entries = _encode_some(entries, rng)
            parts[key] += [json.dumps(e) for e in entries]
        aws_managed_done = True
    with path.open("w", encoding="utf-8") as f:
        f.write("{")
        for n, key in enumerate(KEYS):
            f.write(("," if n else "") + f'"{key}": [' + ",".join(parts[key]) + "]")
        f.write("}")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--single-account", action="store_true")
    args = parser.parse_args()
    for factor in args.factors:
        path = make(factor, args.seed, args.single_account)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
