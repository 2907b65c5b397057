"""Plan JSON edge cases found in review: provenance of values, marker shapes, hostile
nesting, root choice. Each plan is built here, in the documented format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from test_plan import scan

from driftgate.analyzer.cli import cli

ROLE_ARN = "arn:aws:iam::111122223333:role/fn"
TOKEN = "hf_" + "PlanResolvedToken0123456789abcdefgh"
ROLE_TF = """\
resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = "{}"
}
"""


def _lambda_tf(value: str) -> str:
    return f"""\
variable "hf_token" {{
  type = string
}}

resource "aws_lambda_function" "fn" {{
  function_name = "fn"
  role          = aws_iam_role.fn.arn
  environment {{
    variables = {{
      HF_TOKEN = {value}
    }}
  }}
}}
"""


def _plan(environment: Any, sensitive: Any, expression: dict[str, Any]) -> dict[str, Any]:
    role = {"name": "fn", "arn": ROLE_ARN, "assume_role_policy": "{}"}
    function = {"function_name": "fn", "role": ROLE_ARN, "environment": environment}
    changes = [
        ("aws_iam_role", role, {}, {"name": {"constant_value": "fn"}}),
        (
            "aws_lambda_function",
            function,
            {"environment": sensitive},
            {
                "function_name": {"constant_value": "fn"},
                "role": {"references": ["aws_iam_role.fn.arn", "aws_iam_role.fn"]},
                "environment": [{"variables": expression}],
            },
        ),
    ]
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "resource_changes": [
            {
                "address": f"{type_}.fn",
                "mode": "managed",
                "type": type_,
                "name": "fn",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": after,
                    "after_unknown": {},
                    "before_sensitive": False,
                    "after_sensitive": marks,
                },
            }
            for type_, after, marks, _ in changes
        ],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": f"{type_}.fn",
                        "mode": "managed",
                        "type": type_,
                        "name": "fn",
                        "expressions": expressions,
                    }
                    for type_, _, _, expressions in changes
                ]
            }
        },
    }


def _write(root: Path, files: dict[str, str | dict[str, Any]]) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content if isinstance(content, str) else json.dumps(content))
    return root


def _plaintext(report: dict[str, Any]) -> list[str]:
    return [f["identity"] for f in report["findings"] if f["check"] == "DG303"]


def test_a_secret_the_plan_resolved_from_a_variable_is_not_written_in_the_repository(
    tmp_path: Path,
) -> None:
    plan = _plan(
        [{"variables": {"HF_TOKEN": TOKEN}}], [{"variables": {}}], {"references": ["var.hf_token"]}
    )
    repo = _write(
        tmp_path, {"infra/main.tf": ROLE_TF + _lambda_tf("var.hf_token"), "infra/plan.json": plan}
    )
    code, report, _ = scan(repo, "--plan", repo / "infra/plan.json")
    assert (code, _plaintext(report)) == (0, [])
    assert TOKEN not in json.dumps(report)


def test_a_secret_written_in_the_code_is_still_plaintext_with_a_plan(tmp_path: Path) -> None:
    plan = _plan(
        [{"variables": {"HF_TOKEN": TOKEN}}],
        [{"variables": {}}],
        {"constant_value": {"HF_TOKEN": TOKEN}},
    )
    repo = _write(
        tmp_path, {"infra/main.tf": ROLE_TF + _lambda_tf(f'"{TOKEN}"'), "infra/plan.json": plan}
    )
    _, report, _ = scan(repo, "--all", "--plan", repo / "infra/plan.json")
    assert _plaintext(report) == ["infra:aws_lambda_function.fn/env/HF_TOKEN#plaintext"]


def test_a_block_given_as_one_object_keeps_its_sensitive_marks(tmp_path: Path) -> None:
    # Plugin-framework providers give single nested blocks as an object, and their
    # after_sensitive marks as an object of the same shape.
    plan = _plan(
        {"variables": {"HF_TOKEN": TOKEN}}, {"variables": True}, {"references": ["var.hf_token"]}
    )
    repo = _write(tmp_path, {"infra/plan.json": plan})
    code, report, _ = scan(repo, "--all", "--plan", repo / "infra/plan.json")
    assert (code, _plaintext(report)) == (0, [])
    assert TOKEN not in json.dumps(report)


def test_hostile_plan_values_end_in_a_result_not_a_traceback(tmp_path: Path) -> None:
    deep: Any = "fn"
    for _ in range(800):
        deep = [deep]
    plan = _plan([{"variables": {}}], [{"variables": {}}], {"references": ["var.hf_token"]})
    plan["resource_changes"][1]["change"]["after"]["function_name"] = deep
    expressions = plan["configuration"]["root_module"]["resources"][1]["expressions"]
    expressions["role"] = {"references": ["aws_iam_role.fn.tags_list[\u00b2]"]}
    repo = _write(
        tmp_path, {"infra/main.tf": ROLE_TF + _lambda_tf("var.hf_token"), "infra/plan.json": plan}
    )
    code, report, _ = scan(repo, "--plan", repo / "infra/plan.json")
    assert code in (0, 1)
    assert isinstance(report["findings"], list)
    alone = _write(tmp_path / "alone", {"plan.json": plan})
    code, report, _ = scan(alone, "--plan", alone / "plan.json")
    assert code in (0, 1)


def test_a_plans_folder_is_not_taken_for_the_root_above_it(tmp_path: Path) -> None:
    plan = _plan([{"variables": {}}], [{"variables": {}}], {"references": ["var.hf_token"]})
    repo = _write(
        tmp_path,
        {
            "bootstrap.tf": 'resource "aws_s3_bucket" "state" {\n  bucket = "acme-tfstate"\n}\n',
            "infra/main.tf": ROLE_TF + _lambda_tf("var.hf_token"),
            "plans/prod.json": plan,
        },
    )
    result = CliRunner().invoke(
        cli, ["model", "--no-cache", "--plan", str(repo / "plans/prod.json"), str(repo)]
    )
    document = json.loads(result.stdout)
    # The plan describes infra/: its function stays there, and the top-level root keeps
    # its own bucket (it would be replaced by the plan's resources, as ".:...").
    assert "infra:aws_lambda_function.fn" in document["workloads"]
    assert not [a for a in document["workloads"] if a.startswith(".:")]
