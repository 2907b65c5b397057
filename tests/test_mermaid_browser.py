"""The markdown report's picture as GitHub shows it: its Mermaid block rendered by the
`mermaid` package in headless Chromium (tests/browser/render_mermaid.mjs, Playwright).

A reviewer must see the workload, the identity it runs as and what that identity gains,
each in its environment's box; a role, namespace or environment named to attack the
page must come out as text. `.ci/run` installs Chromium and the npm packages; elsewhere
the browser tests say why they cannot run (DRIFTGATE_REQUIRE_BROWSER=1 makes that a
failure). The checks of the Mermaid source itself run everywhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_github_action import commit_all, git

from driftgate.analyzer.checkapi import Severity
from driftgate.analyzer.cli import main as cli_main
from driftgate.analyzer.engine.findings import ChainNode, Finding, ScanResult
from driftgate.analyzer.model import Location, Permission
from driftgate.analyzer.report import markdown, mermaid
from driftgate.checks import BY_ID

ROOT = Path(__file__).resolve().parent.parent
BROWSER = ROOT / "tests" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

HOSTILE = [
    'evil"] --> x["injected',
    '<img src=x onerror="window.__pwned=true">',
    '%%{init: {"securityLevel": "loose"}}%%',
    "role\nclick n1 call alert(1)",
    "```\n# fenced out",
    "<script>window.__pwned=true</script>",
    "#quot;]; style n1 fill:#f00",
    "@octocat **bold** [link](https://evil.example)",
]


def _browser_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not at {CHROMIUM} (Debian: apt-get install chromium)"
    if not (BROWSER / "node_modules" / "mermaid").is_dir():
        return "the npm packages are not installed (npm ci --prefix tests/browser)"
    return None


def render(*sources: str, security: str = "strict") -> list[dict[str, Any]]:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("DRIFTGATE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the browser test cannot run: {missing}")
        pytest.skip(f"the browser test cannot run: {missing}")
    charts = [{"source": s, "securityLevel": security} for s in sources]
    proc = subprocess.run(
        ["node", str(BROWSER / "render_mermaid.mjs")],
        input=json.dumps({"charts": charts}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert proc.returncode == 0, proc.stderr
    results: list[dict[str, Any]] = json.loads(proc.stdout)
    for result in results:
        assert "error" not in result, result
    return results


def block(report: str) -> str:
    found = re.search(r"^```mermaid\n(.*?)\n```$", report, re.S | re.M)
    assert found is not None, report
    return found.group(1)


def edges(seen: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    text = {n["id"]: n["text"] for n in seen["nodes"]}
    return {(text[e["from"]], text[e["to"]], e["label"]) for e in seen["edges"]}


def boxes(seen: dict[str, Any]) -> dict[str, str | None]:
    return {n["text"]: n["box"] for n in seen["nodes"]}


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    repo = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "testdata" / "demo" / "base", repo, dirs_exist_ok=True)
    git(repo, "init", "-q")
    commit_all(repo, "base")
    shutil.copytree(ROOT / "testdata" / "demo" / "head", repo, dirs_exist_ok=True)
    out = repo.parent / "report.md"
    code = cli_main(["scan", str(repo), "--base", "HEAD", "-f", "markdown", "-o", str(out)])
    assert code == 1
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("security", ["strict", "loose"])
def test_the_demo_picture_shows_who_gains_what_in_which_environment(
    demo_report: str, security: str
) -> None:
    (seen,) = render(block(demo_report), security=security)
    assert set(seen["boxes"]) == {"prod", "staging"}
    where = boxes(seen)
    # The prod deployment federates into the staging role: an arrow across the boxes.
    assert where["Deployment ml-prod/llm"] == "prod"
    assert where["role llm-inference-staging"] == "staging"
    drawn = edges(seen)
    assert ("Deployment ml-prod/llm", "ServiceAccount llm", "runs as") in drawn
    assert ("InferenceService ml-staging/llm", "ServiceAccount llm", "runs as") in drawn
    into_role = {(a, label) for a, b, label in drawn if b == "role llm-inference-staging"}
    assert into_role == {("ServiceAccount llm", "federates to")}
    gains = {b: label for a, b, label in drawn if a == "role llm-inference-staging"}
    assert gains["gains s3:PutObject on arn:aws:s3:::acme-models-staging/*"] == "DG101 high"
    assert gains["gains iam:PassRole on *"] == "DG104 critical"
    assert (seen["active"], seen["pwned"]) == ([], False)


def _hostile_result() -> ScanResult:
    meta = BY_ID["DG101"].meta
    findings = []
    for i, name in enumerate(HOSTILE):
        workload = ChainNode(f"k8s:w{i}", f"Deployment {name}", name, "workload")
        role = ChainNode(f"aws_iam_role.r{i}", f"role {name}", "prod", "identity")
        findings.append(
            Finding(
                check=meta,
                severity=Severity.HIGH,
                message=f"{name} gains s3:GetObject",
                identity=role.address,
                principal=None,
                environment="prod",
                workloads=(workload.address,),
                location=Location(path=f"{name}.tf", line=1),
                related=(),
                fingerprint=f"fp{i}",
                baseline_state="new",
                added=(Permission(f"s3:{name}", f"arn:aws:s3:::{name}"),),
                chains=((workload, role),),
            )
        )
    return ScanResult(
        findings=findings,
        diagnostics=[],
        checks=(meta,),
        diff_mode=True,
        fail_on=Severity.HIGH,
        head_label="head",
        base_label="main",
    )


def _shown(value: str) -> str:
    """What a label shows for ``value``: whitespace collapsed, cut with an ellipsis."""
    value = " ".join(value.split())
    cut = mermaid.LABEL_CHARS
    return value if len(value) <= cut else value[: cut - 1] + "…"


def test_hostile_names_stay_inside_their_quotes_in_the_source() -> None:
    source = block(markdown.render(_hostile_result()))
    # Every line is one of the shapes driftgate writes, with nothing after a label.
    shapes = re.compile(
        r'^(flowchart LR|  subgraph e\d+\["[^"\n]*"\]|  end|\s+n\d+\["[^"\n]*"\]'
        r'|  more\["[^"\n]*"\]|  \w+ -->\|"[^"\n]*"\| \w+'
        r"|  classDef (critical|high|medium|low) [#:,;a-z0-9]+|  class [n\d,]+ \w+)$"
    )
    for line in source.splitlines():
        assert shapes.match(line), line
    labels = re.findall(r'"([^"\n]*)"', source)
    assert len(labels) >= 4 * len(HOSTILE)
    for text in labels:
        assert re.fullmatch(r"[A-Za-z0-9 _\-.,/*()+=#;]*", text), text
    assert mermaid.label('<a href="x">') == "#60;a href=#34;x#34;#62;"


@pytest.mark.parametrize("security", ["strict", "loose"])
def test_hostile_names_come_out_as_text_in_the_browser(security: str) -> None:
    (seen,) = render(block(markdown.render(_hostile_result())), security=security)
    texts = [n["text"] for n in seen["nodes"]]
    for name in HOSTILE:
        assert _shown(f"role {name}") in texts
        assert _shown(f"Deployment {name}") in texts
    # Two nodes and a gain per finding, and nothing a name could have added.
    assert len(texts) == 3 * len(HOSTILE)
    assert len(seen["edges"]) == 2 * len(HOSTILE)
    assert sorted(seen["boxes"]) == sorted({_shown(n) for n in HOSTILE} | {"prod"})
    assert (seen["active"], seen["pwned"]) == ([], False)


def test_a_large_change_is_folded_into_a_count() -> None:
    result = _hostile_result()
    many = [
        Finding(
            **{
                **{k: getattr(result.findings[0], k) for k in Finding.__dataclass_fields__},
                "identity": f"aws_iam_role.r{i}",
                "fingerprint": f"many{i}",
                "chains": (),
            }
        )
        for i in range(mermaid.MAX_IDENTITIES + 5)
    ]
    source = mermaid.flowchart(many)
    assert source is not None
    assert "5 more identities with findings" in source
    assert len(re.findall(r"^\s+n\d+\[", source, re.M)) == 2 * mermaid.MAX_IDENTITIES


def test_many_findings_on_one_identity_are_counted_not_drawn() -> None:
    base = _hostile_result().findings[0]
    many = [
        Finding(
            **{
                **{k: getattr(base, k) for k in Finding.__dataclass_fields__},
                "fingerprint": f"same-identity-{i}",
            }
        )
        for i in range(mermaid.MAX_FINDINGS + 4)
    ]
    source = mermaid.flowchart(many)
    assert source is not None and "+4 more findings" in source
    assert source.count("gains") == mermaid.MAX_FINDINGS
