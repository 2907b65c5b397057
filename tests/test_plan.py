"""`driftgate scan --plan`: a Terraform plan's resolved values as the source of a root.

Fixtures under testdata/plan/ are plans written by hand in the documented JSON format
(`terraform show -json`), beside the configuration they were made from.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_escalation_paths import ADMIN_ROLE

from driftgate.analyzer.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "testdata" / "plan"
SECRET = "hf_PLANSECRET_0123456789abcdef"


def scan(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    """Exit code, JSON report and stderr of an in-process `driftgate scan`."""
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "-f", "json", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def found(report: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    return sorted(
        (f["check"], f["identity"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
    )


def prints(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["check"], f["identity"], f["fingerprint"]) for f in report["findings"]}


def with_plan(tmp_path: Path, tree: Path, plan: Path, where: str) -> tuple[Path, Path]:
    """A copy of ``tree`` with ``plan`` placed at ``where`` inside it."""
    repo = tmp_path / "repo"
    shutil.copytree(tree, repo)
    target = repo / where
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plan, target)
    return repo, target


# ---- AWS: growth static analysis cannot see ---------------------------------------------

AWS = PLANS / "aws"
AWS_ROOT = "terraform/envs/prod"


def test_aws_growth_behind_a_registry_module_is_found_only_with_the_plan(
    tmp_path: Path,
) -> None:
    code, static, _ = scan("--base", AWS / "base", AWS / "head")
    assert code == 0
    assert static["findings"] == []

    repo, plan = with_plan(tmp_path, AWS / "head", AWS / "plan.json", f"{AWS_ROOT}/plan.json")
    code, report, _ = scan(repo, "--plan", plan)
    assert code == 1
    assert report["mode"] == "diff"
    serving = f"{AWS_ROOT}:aws_iam_role.llm_serving"
    batch = f"{AWS_ROOT}:module.batch_irsa.aws_iam_role.this[0]"
    main = f"{AWS_ROOT}/main.tf"
    assert found(report) == [
        # The policy argument whose value came from the module: its line in the root.
        ("DG101", serving, main, 45),
        # Resources inside the registry module: the module call's line.
        ("DG101", batch, main, 61),
        ("DG104", serving, main, 45),
        # AdministratorAccess, expanded from the catalog: * on *, an escalation.
        ("DG104", batch, main, 61),
        ("DG402", batch, main, 61),
    ]
    messages = " | ".join(f["message"] for f in report["findings"])
    assert "iam:PassRole on *" in messages
    assert "s3:PutObject on *" in messages
    assert "AdministratorAccess" in messages
    # The invoke policy is created in this change: its ARN is unknown until apply, and
    # the plan's configuration still says which policy the attachment names.
    assert "sagemaker:InvokeEndpoint on arn:aws:sagemaker:eu-west-1:111122223333" in messages
    # The tools policy is unknown until apply: no growth is claimed for it.
    assert "llm_tools" not in messages


def test_unknown_after_apply_stays_unknown_and_named(tmp_path: Path) -> None:
    repo, plan = with_plan(tmp_path, AWS / "head", AWS / "plan.json", f"{AWS_ROOT}/plan.json")
    result = CliRunner().invoke(cli, ["model", "--no-cache", str(repo), "--plan", str(plan)])
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)
    tools = [g for g in model["grants"] if g["via"] == "aws_iam_role_policy.llm_tools"]
    assert len(tools) == 1
    assert tools[0]["permissions"] == []
    assert tools[0]["unknown"] == [
        "policy ${module.tool_gateway.policy_json} is not known statically"
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_sensitive_values_never_appear_in_a_report(tmp_path: Path, fmt: str) -> None:
    assert SECRET in (AWS / "plan.json").read_text()  # the fixture does hold it
    repo, plan = with_plan(tmp_path, AWS / "head", AWS / "plan.json", f"{AWS_ROOT}/plan.json")
    result = CliRunner().invoke(
        cli, ["scan", "--no-cache", "--all", "-f", fmt, str(repo), "--plan", str(plan)]
    )
    assert result.exit_code == 1
    assert "DG104" in result.output
    assert SECRET not in result.output
    model = CliRunner().invoke(cli, ["model", "--no-cache", str(repo), "--plan", str(plan)])
    assert SECRET not in model.output


# ---- malformed plans ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format_version": "1.2",\n  "resource_changes": [\n    {"address": }', ":3: "),
        ('{"format_version": "2.0", "resource_changes": []}', "format_version 2.0"),
        ('{"format_version": "0.1", "resource_changes": []}', "does not mark sensitive values"),
        ('{"format_version": "1.0", "values": {"root_module": {}}}', "looks like a state"),
        ('[{"address": "aws_iam_role.x"}]', "not a Terraform plan"),
        ('{"resource_changes": []}', "no format_version"),
        ('{"format_version": "1.2", "resource_changes": {"a": 1}}', "not a list"),
        ("\xff\xfe{", "not UTF-8"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_malformed_plan_is_exit_2_and_the_rest_is_still_analysed(
    tmp_path: Path, content: str, expected: str
) -> None:
    repo, _ = with_plan(tmp_path, AWS / "head", AWS / "plan.json", "plans/prod.json")
    broken = repo / "plans" / "broken.json"
    broken.write_bytes(content.encode("latin-1"))
    code, report, _ = scan(repo, "--plan", broken, "--plan", f"prod={repo / 'plans' / 'prod.json'}")
    assert code == 2
    # Beside the unresolved-variable warnings of the tree, one error: the plan.
    (diagnostic,) = [d for d in report["diagnostics"] if d["level"] == "error"]
    text = f"{diagnostic['path']}:{diagnostic['line']}: {diagnostic['message']}"
    assert text.startswith("plans/broken.json:")
    assert expected in text
    assert "Traceback" not in text
    # The good plan (mapped by its configuration from outside the root) still counts.
    assert ("DG104", f"{AWS_ROOT}:aws_iam_role.llm_serving") in {
        (f["check"], f["identity"]) for f in report["findings"]
    }


def test_a_missing_plan_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["scan", "--no-cache", str(tmp_path), "--plan", str(tmp_path / "nope.json")]
    )
    assert result.exit_code == 2
    assert "nope.json is not a file" in result.stderr


def test_an_oversized_plan_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import driftgate.analyzer.parse.plan_json as plan_json

    monkeypatch.setattr(plan_json, "MAX_PLAN_SIZE", 1024)
    repo, plan = with_plan(tmp_path, AWS / "head", AWS / "plan.json", f"{AWS_ROOT}/plan.json")
    code, report, _ = scan(repo, "--plan", plan)
    assert code == 2
    # Beside the tree's warnings (unresolved variables, registry module calls not read
    # without the plan), one error: the plan.
    (diagnostic,) = [d for d in report["diagnostics"] if d["level"] == "error"]
    assert diagnostic["path"] == f"{AWS_ROOT}/plan.json"
    assert "over the 1.0 KiB limit for plans" in diagnostic["message"]


def test_cli_subprocess_plan_path() -> None:
    """The installed entry point, as a pipeline runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "driftgate", "scan", "--no-cache", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "--plan [ENV=]FILE" in proc.stdout


# ---- the same change, statically and via the plan ------------------------------------

SCENARIOS = ROOT / "testdata" / "scenarios"
EQUIVALENT = [
    # (static base, static head, plan, the root the plan was made in)
    (
        SCENARIOS / "dg101-aws-write-added" / "base",
        SCENARIOS / "dg101-aws-write-added" / "head",
        PLANS / "equivalence" / "dg101-aws-write-added.json",
        "terraform/envs/prod",
    ),
    (
        SCENARIOS / "dg104-gcp-token-creator" / "base",
        SCENARIOS / "dg104-gcp-token-creator" / "head",
        PLANS / "equivalence" / "dg104-gcp-token-creator.json",
        "terraform/envs/prod",
    ),
    (
        SCENARIOS / "dg101-azure-role-assignment" / "base",
        SCENARIOS / "dg101-azure-role-assignment" / "head",
        PLANS / "equivalence" / "dg101-azure-role-assignment.json",
        "terraform/envs/prod",
    ),
    (
        PLANS / "kubernetes" / "base",
        PLANS / "kubernetes" / "head",
        PLANS / "kubernetes" / "plan.json",
        "terraform/clusters/prod",
    ),
]
IDS = ["aws", "gcp", "azure", "kubernetes"]


def full(report: dict[str, Any]) -> set[tuple[str, str, str, str, int]]:
    return {
        (f["check"], f["identity"], f["fingerprint"], f["location"]["path"], f["location"]["line"])
        for f in report["findings"]
    }


@pytest.mark.parametrize(("base", "head", "plan", "root"), EQUIVALENT, ids=IDS)
def test_static_and_plan_give_the_same_findings(
    tmp_path: Path, base: Path, head: Path, plan: Path, root: str
) -> None:
    _, static, _ = scan("--base", base, head)
    assert static["findings"], "the scenario must find something to compare"
    repo, placed = with_plan(tmp_path, head, plan, f"{root}/plan.json")
    _, planned, _ = scan(repo, "--plan", placed)
    assert planned["diagnostics"] == []
    # Same check, identity, fingerprint, file and line: the code is there, so the
    # findings point at it, not at the JSON.
    assert full(planned) == full(static)


@pytest.mark.parametrize(("base", "head", "plan", "root"), EQUIVALENT, ids=IDS)
def test_a_plan_alone_keeps_identities_and_fingerprints(
    tmp_path: Path, base: Path, head: Path, plan: Path, root: str
) -> None:
    """Without the configuration in PATH (a pipeline that only ships the plan), the
    plan's values alone give the same findings; they point at the plan file."""
    _, static, _ = scan("--base", base, head)
    bare = tmp_path / "bare"
    (bare / root).mkdir(parents=True)
    shutil.copyfile(plan, bare / root / "plan.json")
    _, planned, _ = scan(bare, "--plan", bare / root / "plan.json")
    assert prints(planned) == prints(static)
    assert {f["location"]["path"] for f in planned["findings"]} == {f"{root}/plan.json"}


def test_a_plan_outside_the_tree_is_mapped_by_its_configuration(tmp_path: Path) -> None:
    base, head, plan, _ = EQUIVALENT[1]
    repo = tmp_path / "repo"
    shutil.copytree(head, repo)
    _, static, _ = scan("--base", base, head)
    _, planned, _ = scan(repo, "--plan", plan)
    assert full(planned) == full(static)


def test_mixed_mode_plans_one_root_and_reads_the_rest_statically(tmp_path: Path) -> None:
    """A plan for the prod AWS root; Kubernetes YAML and the staging root, which has no
    plan, stay static. With no --base the static parts are their own base (only the
    plan's change is new); with --base they are compared with it, as without a plan."""
    escalation = SCENARIOS / "dg104-aws-escalation"
    repo, plan = with_plan(tmp_path, AWS / "head", AWS / "plan.json", f"{AWS_ROOT}/plan.json")
    shutil.copytree(escalation / "base", repo, dirs_exist_ok=True)
    _git(repo, "base")
    shutil.copytree(escalation / "head", repo, dirs_exist_ok=True)
    _git(repo, "head")

    code, report, _ = scan(repo, "--plan", plan)
    assert code == 1
    planned = f"{AWS_ROOT}:aws_iam_role.llm_serving"
    staging = "terraform/envs/staging:aws_iam_role.llm_serving"
    identities = {f["identity"] for f in report["findings"]}
    assert planned in identities
    assert staging not in identities

    code, report, _ = scan(repo, "--base", "HEAD~1", "--plan", plan)
    assert code == 1
    by_identity = {(f["check"], f["identity"]) for f in report["findings"]}
    assert ("DG104", planned) in by_identity  # from the plan
    assert ("DG104", staging) in by_identity  # static, against the git base
    # The staging role is used by a Deployment in the (static) Kubernetes YAML.
    (finding,) = [f for f in report["findings"] if f["identity"] == staging]
    assert "k8s:ml-staging/Deployment/llm-serving" in finding["message"]


def _git(repo: Path, message: str) -> None:
    if not (repo / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    for args in (["add", "-A"], ["commit", "-qm", message]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
        )


# ---- roots and environments ----------------------------------------------------------

_PER_ENV = """
variable "env" {
  type = string
}

resource "aws_iam_role" "serve" {
  name               = "serve-${var.env}"
  assume_role_policy = "{}"
}
"""
_EMPTY_PLAN = '{"format_version": "1.2", "terraform_version": "1.6.2", "resource_changes": []}'


def _per_env_tree(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    (repo / "app" / "env").mkdir(parents=True)
    (repo / "app" / "main.tf").write_text(_PER_ENV)
    for env in ("prod", "staging"):
        (repo / "app" / "env" / f"{env}.tfvars").write_text(f'env = "{env}"\n')
    plan = repo / "app" / "plan.json"
    plan.write_text(_EMPTY_PLAN)
    return repo, plan


def _model(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["model", "--no-cache", *map(str, args)])
    return result.exit_code, json.loads(result.stdout)


def test_env_selects_the_root_instance_a_plan_was_made_for(tmp_path: Path) -> None:
    repo, plan = _per_env_tree(tmp_path)
    code, model = _model(repo)
    assert sorted(model["identities"]) == [
        "app[prod.tfvars]:aws_iam_role.serve",
        "app[staging.tfvars]:aws_iam_role.serve",
    ]
    # The plan (of a prod workspace that no longer has the role) replaces prod only.
    code, model = _model(repo, "--plan", f"prod={plan}")
    assert code == 0
    assert sorted(model["identities"]) == ["app[staging.tfvars]:aws_iam_role.serve"]


def test_a_root_with_several_environments_needs_env(tmp_path: Path) -> None:
    repo, plan = _per_env_tree(tmp_path)
    code, model = _model(repo, "--plan", plan)
    assert code == 2
    (problem,) = [d for d in model["diagnostics"] if d["level"] == "error"]
    assert problem["path"] == "app/plan.json"
    assert "prod.tfvars, staging.tfvars" in problem["message"]
    assert "--plan ENV=FILE" in problem["message"]


def test_env_names_the_environment_of_a_plan(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    (bare / "plans").mkdir(parents=True)
    shutil.copyfile(
        PLANS / "equivalence" / "dg104-gcp-token-creator.json", bare / "plans" / "a.json"
    )
    code, model = _model(bare, "--plan", f"staging={bare / 'plans' / 'a.json'}")
    assert code == 0
    environments = {i["environment"] for i in model["identities"].values()}
    assert environments == {"staging"}


@pytest.mark.parametrize(
    ("version", "tool"), [("0.2", "1.0.11"), ("1.0", "1.3.9"), ("1.2", "1.9.5"), ("1.2", "1.8.3")]
)
def test_terraform_and_opentofu_format_versions_are_read(
    tmp_path: Path, version: str, tool: str
) -> None:
    document = json.loads((PLANS / "kubernetes" / "plan.json").read_text())
    document["format_version"], document["terraform_version"] = version, tool
    repo = tmp_path / "repo"
    (repo / "terraform/clusters/prod").mkdir(parents=True)
    (repo / "terraform/clusters/prod/plan.json").write_text(json.dumps(document))
    _, report, _ = scan(repo, "--plan", repo / "terraform/clusters/prod/plan.json")
    assert report["diagnostics"] == []
    assert [f["check"] for f in report["findings"]] == ["DG104"]


# ---- values: unknown and sensitive parts ------------------------------------------------


def test_unknown_and_sensitive_parts_become_unknowns_that_name_their_path() -> None:
    from driftgate.analyzer.terraform.plan import SensitiveValue, convert
    from driftgate.analyzer.terraform.values import UnknownValue, display

    value = convert(
        {"tags": {"a": "1"}, "env": [{"name": "TOKEN", "value": "s3cr3t-value"}]},
        {"tags": {"b": True}, "arn": True},
        {"env": [{"value": True}]},
        "aws_lambda_function.f",
    )
    assert value["tags"]["a"] == "1"
    assert value["tags"]["b"] == UnknownValue(
        "aws_lambda_function.f.tags.b", "known only after apply"
    )
    assert value["arn"] == UnknownValue("aws_lambda_function.f.arn", "known only after apply")
    secret = value["env"][0]["value"]
    assert isinstance(secret, SensitiveValue)
    assert "s3cr3t" not in display(value)
    assert display(secret) == "${aws_lambda_function.f.env[0].value}"


# ---- --plan with --base: both sides on the same footing ------------------------------

CI_TF = """
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_user_policy" "ci" {
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = [%s], Resource = "*" }]
  })
}
"""


def _created(resource_type: str, name: str, after: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": f"{resource_type}.{name}",
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {
            "actions": ["create"],
            "before": None,
            "after": after,
            "after_unknown": {"arn": True, "id": True},
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }


def test_a_create_only_plan_with_a_base_tree_compares_like_for_like(tmp_path: Path) -> None:
    """A plan of a root nobody applied yet creates everything: its prior state is
    empty, yet the base tree holds the admin role unchanged. That role is not new, and
    what the user gains is still growth and an escalation path."""
    base, head = tmp_path / "base", tmp_path / "head"
    for tree, actions in (
        (base, '"s3:GetObject"'),
        (head, '"iam:PassRole", "cloudformation:CreateStack"'),
    ):
        tree.mkdir()
        (tree / "admin.tf").write_text(ADMIN_ROLE % "cloudformation.amazonaws.com")
        (tree / "ci.tf").write_text(CI_TF % actions)
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "cloudformation.amazonaws.com"},
            }
        ]
    }
    policy = {
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": ["iam:PassRole", "cloudformation:CreateStack"],
            }
        ]
    }
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "resource_changes": [
            _created("aws_iam_role", "cfn_exec",
                     {"name": "cfn-exec", "assume_role_policy": json.dumps(trust)}),
            _created("aws_iam_role_policy_attachment", "admin",
                     {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            _created("aws_iam_user", "ci", {"name": "ci"}),
            _created("aws_iam_user_policy", "ci", {"policy": json.dumps(policy)}),
        ],
        "configuration": {"root_module": {"resources": []}},
    }  # fmt: skip
    (head / "plan.json").write_text(json.dumps(plan))
    static = scan("--base", base, head)[1]
    code, planned, _ = scan("--base", base, head, "--plan", head / "plan.json")
    checks = sorted(f["check"] for f in planned["findings"])
    assert checks == sorted(f["check"] for f in static["findings"]) == ["DG101", "DG104"]
    [path] = [f for f in planned["findings"] if f["check"] == "DG104"]
    assert "ci can reach full admin (cfn-exec, AdministratorAccess)" in path["message"]
    assert code == 1
