"""Terraform evaluation: variables, tfvars, locals, templates, conditionals, for
expressions, splats, references between resources, and what stays Unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_support import evaluate, instances, line_of, project, write_tree

from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue

# ---- variables and tfvars -----------------------------------------------------------

_VARS = """\
variable "a" { default = "default-a" }
variable "b" { default = "default-b" }
variable "c" { default = "default-c" }
resource "probe" "vars" {
  a = var.a
  b = var.b
  c = var.c
}
"""


def _vars(
    tmp_path: Path, files: dict[str, str], var_files: dict[str, list[str]] | None = None
) -> dict[str, dict[str, object]]:
    tf = project(tmp_path, files, var_files)
    return {
        address: {k: inst.get(k) for k in ("a", "b", "c")}
        for address, inst in instances(tf).items()
    }


def test_variable_default(tmp_path: Path) -> None:
    assert _vars(tmp_path, {"app/main.tf": _VARS}) == {
        "app:probe.vars": {"a": "default-a", "b": "default-b", "c": "default-c"}
    }


def test_terraform_tfvars_overrides_defaults(tmp_path: Path) -> None:
    files = {"app/main.tf": _VARS, "app/terraform.tfvars": 'a = "tfvars-a"\n'}
    assert _vars(tmp_path, files) == {
        "app:probe.vars": {"a": "tfvars-a", "b": "default-b", "c": "default-c"}
    }


def test_auto_tfvars_are_applied_in_lexical_order(tmp_path: Path) -> None:
    files = {
        "app/main.tf": _VARS,
        "app/a.auto.tfvars": 'a = "first"\nb = "first"\n',
        "app/b.auto.tfvars": 'b = "second"\n',
    }
    assert _vars(tmp_path, files) == {
        "app:probe.vars": {"a": "first", "b": "second", "c": "default-c"}
    }


def test_auto_tfvars_override_terraform_tfvars(tmp_path: Path) -> None:
    files = {
        "app/main.tf": _VARS,
        "app/terraform.tfvars": 'a = "tfvars"\nb = "tfvars"\n',
        "app/override.auto.tfvars": 'b = "auto"\n',
    }
    assert _vars(tmp_path, files) == {
        "app:probe.vars": {"a": "tfvars", "b": "auto", "c": "default-c"}
    }


def test_env_named_tfvars_make_one_root_instance_each(tmp_path: Path) -> None:
    files = {
        "app/main.tf": _VARS,
        "app/terraform.tfvars": 'a = "shared"\nb = "shared"\n',  # loaded under every var file
        "app/prod.tfvars": 'b = "prod"\n',
        "app/staging.tfvars": 'b = "staging"\n',
    }
    tf = project(tmp_path, files)
    assert [(r.label, r.env_path) for r in tf.roots()] == [
        ("app[prod.tfvars]", "app/prod.tfvars"),
        ("app[staging.tfvars]", "app/staging.tfvars"),
    ]
    assert _vars(tmp_path, {}) == {
        "app[prod.tfvars]:probe.vars": {"a": "shared", "b": "prod", "c": "default-c"},
        "app[staging.tfvars]:probe.vars": {"a": "shared", "b": "staging", "c": "default-c"},
    }


def test_tfvars_in_an_envs_folder_beside_the_root(tmp_path: Path) -> None:
    files = {
        "stack/main.tf": _VARS,
        "envs/prod.tfvars": 'a = "prod"\n',
        "envs/dev.tfvars": 'a = "dev"\n',
    }
    tf = project(tmp_path, files)
    assert sorted((r.label, r.env_path) for r in tf.roots()) == [
        ("stack[dev.tfvars]", "envs/dev.tfvars"),
        ("stack[prod.tfvars]", "envs/prod.tfvars"),
    ]
    values = _vars(tmp_path, {})
    assert values["stack[prod.tfvars]:probe.vars"]["a"] == "prod"
    assert values["stack[dev.tfvars]:probe.vars"]["a"] == "dev"


def test_var_files_mapping_from_the_configuration(tmp_path: Path) -> None:
    files = {
        "app/main.tf": _VARS,
        "config/one.tfvars": 'c = "one"\n',
        "config/two.tfvars": 'c = "two"\n',
    }
    tf = project(tmp_path, files, var_files={"app": ["config/two.tfvars"]})
    assert [(r.label, r.env_path) for r in tf.roots()] == [("app[two.tfvars]", "config/two.tfvars")]
    assert _vars(tmp_path, {}, var_files={"app": ["config/two.tfvars"]}) == {
        "app[two.tfvars]:probe.vars": {"a": "default-a", "b": "default-b", "c": "two"}
    }


def test_variable_without_a_value_is_unknown_and_reported(tmp_path: Path) -> None:
    prelude = """\
        variable "region" {
          type = string
        }
        """
    value, tf = evaluate(tmp_path, "var.region", prelude)
    assert isinstance(value, UnknownValue)
    assert value.expression == "var.region"
    unresolved = [d for d in tf.diagnostics if d.kind == "unresolved"]
    assert len(unresolved) == 1
    diagnostic = unresolved[0]
    assert (diagnostic.path, diagnostic.line) == ("main.tf", line_of(prelude, 'variable "region"'))
    assert "var.region" in diagnostic.message
    assert diagnostic.level == "warning"


def test_variable_set_by_tfvars_is_not_reported(tmp_path: Path) -> None:
    value, tf = evaluate(
        tmp_path, "var.region", 'variable "region" {}\n', {"terraform.tfvars": 'region = "x"\n'}
    )
    assert value == "x"
    assert [d for d in tf.diagnostics if d.kind == "unresolved"] == []


# ---- locals ---------------------------------------------------------------------------


def test_locals_refer_to_each_other_in_any_order(tmp_path: Path) -> None:
    prelude = """\
        locals {
          arn = "arn:aws:s3:::${local.bucket}/*"
        }
        locals {
          bucket = "${local.prefix}-models"
          prefix = "acme"
        }
        """
    value, tf = evaluate(tmp_path, "local.arn", prelude)
    assert value == "arn:aws:s3:::acme-models/*"
    assert tf.diagnostics == []


def test_local_cycle_is_reported_and_unknown(tmp_path: Path) -> None:
    prelude = """\
        locals {
          a = "${local.b}-suffix"
          b = local.c
        }
        locals {
          c = upper(local.a)
          fine = "ok"
        }
        """
    value, tf = evaluate(tmp_path, "local.a", prelude)
    assert isinstance(value, UnknownValue)
    assert "local.b" in value.expression
    cycles = [d for d in tf.diagnostics if d.kind == "evaluation"]
    assert len(cycles) == 1
    cycle = cycles[0]
    assert cycle.level == "warning"
    assert cycle.path == "main.tf"
    assert cycle.line in {line_of(prelude, n) for n in ("a = ", "b = ", "c = ")}
    for name in ("local.a", "local.b", "local.c"):
        assert name in cycle.message
    # A local outside the cycle is unaffected.
    fine, _ = evaluate(tmp_path, "local.fine", prelude)
    assert fine == "ok"


# ---- templates, conditionals, for expressions, splats, access ---------------------------

_DATA = """\
variable "env" { default = "prod" }
variable "unset" {}
locals {
  bucket = "models"
  count  = 3
  names  = ["a", "b"]
  roles = [
    { name = "reader", team = "ml" },
    { name = "writer", team = "data" },
    { name = "admin",  team = "ml" },
  ]
  nested = { serving = { actions = ["s3:GetObject"] } }
}
"""


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param(
            '"arn:aws:s3:::${local.bucket}/${var.env}/*"',
            "arn:aws:s3:::models/prod/*",
            id="interpolation",
        ),
        pytest.param('"n=${local.count}"', "n=3", id="number-in-template"),
        pytest.param('"${local.names}"', ["a", "b"], id="lone-interpolation-keeps-type"),
        pytest.param('var.env == "prod" ? "large" : "small"', "large", id="conditional-true"),
        pytest.param('var.env != "prod" ? "large" : "small"', "small", id="conditional-false"),
        pytest.param('var.env == "prod" && local.count > 2', True, id="logic"),
        pytest.param(
            '[for r in local.roles : upper(r.name) if r.team == "ml"]',
            ["READER", "ADMIN"],
            id="for-list-with-condition",
        ),
        pytest.param(
            "{ for r in local.roles : r.name => r.team }",
            {"reader": "ml", "writer": "data", "admin": "ml"},
            id="for-map",
        ),
        pytest.param(
            "{ for r in local.roles : r.team => r.name... }",
            {"ml": ["reader", "admin"], "data": ["writer"]},
            id="for-map-grouping",
        ),
        pytest.param(
            '[for i, n in local.names : "${i}:${n}"]', ["0:a", "1:b"], id="for-index-value"
        ),
        pytest.param(
            "{ for k, v in local.nested : k => length(v.actions) }",
            {"serving": 1},
            id="for-over-map",
        ),
        pytest.param("local.roles[*].name", ["reader", "writer", "admin"], id="splat"),
        pytest.param("local.roles.*.team", ["ml", "data", "ml"], id="legacy-splat"),
        pytest.param("local.roles[1].name", "writer", id="index-then-attribute"),
        pytest.param('local.nested["serving"].actions[0]', "s3:GetObject", id="key-index"),
    ],
)
def test_expression(tmp_path: Path, expression: str, expected: object) -> None:
    value, _ = evaluate(tmp_path, expression, _DATA)
    assert value == expected


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        pytest.param('"arn:aws:iam::${var.unset}:role/x"', "var.unset", id="template"),
        pytest.param('var.unset ? "a" : "b"', "var.unset", id="condition"),
        pytest.param("[for x in var.unset : x]", "var.unset", id="for-collection"),
        pytest.param("var.unset[*].name", "var.unset", id="splat"),
        pytest.param('var.unset["key"]', "var.unset", id="index"),
        pytest.param("terraform.workspace", "terraform.workspace", id="workspace"),
        pytest.param('"ml-${terraform.workspace}"', "terraform.workspace", id="workspace-template"),
        pytest.param(
            'terraform.workspace == "prod" ? "a" : "b"',
            "terraform.workspace",
            id="workspace-condition",
        ),
    ],
)
def test_unknown_expression_names_what_is_unknown(
    tmp_path: Path, expression: str, names: str
) -> None:
    value, _ = evaluate(tmp_path, expression, _DATA)
    assert isinstance(value, UnknownValue), value
    assert names in value.expression


def test_terraform_workspace_is_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "terraform.workspace")
    assert isinstance(value, UnknownValue)
    assert value.expression == "terraform.workspace"
    assert "workspace" in value.reason


def test_known_parts_of_a_jsonencoded_policy_survive_an_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, '{ a = var.unset, b = "known" }', _DATA)
    assert value["b"] == "known"
    assert isinstance(value["a"], UnknownValue)
    assert value["a"].expression == "var.unset"


# ---- try ----------------------------------------------------------------------------------


def test_try_falls_back_when_the_first_argument_fails(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'try(local.roles[7].name, "none")', _DATA)
    assert value == "none"


def test_try_falls_back_on_a_missing_object_attribute(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'try(local.nested.serving.role, "default")', _DATA)
    assert value == "default"


def test_try_does_not_guess_past_an_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'try(var.unset, "fallback")', _DATA)
    assert isinstance(value, UnknownValue)
    assert "var.unset" in value.expression


# ---- references between resources --------------------------------------------------------

_RESOURCES = """\
variable "unset" {}
resource "aws_iam_role" "serving" {
  name = "ml-serving"
  path = "/inference/"
}
resource "aws_iam_role" "prefixed" {
  name_prefix = "ml-"
}
resource "aws_iam_role" "each" {
  for_each = { reader = "ro", writer = "rw" }
  name     = "ml-${each.key}-${each.value}"
}
resource "aws_iam_role" "counted" {
  count = 2
  name  = "ml-${count.index}"
}
resource "aws_iam_role" "unknown_count" {
  count = var.unset
  name  = "ml-${count.index}"
}
"""


def test_reference_to_a_configured_attribute_is_its_value(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "aws_iam_role.serving.name", _RESOURCES)
    assert value == "ml-serving"


def test_reference_to_a_computed_attribute_names_the_resource(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "aws_iam_role.serving.arn", _RESOURCES)
    assert isinstance(value, ResourceRef)
    assert (value.address, value.attribute, value.module) == ("aws_iam_role.serving", "arn", "")
    assert value.expression == "aws_iam_role.serving.arn"


def test_reference_to_a_name_left_to_the_provider_is_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "aws_iam_role.prefixed.name", _RESOURCES)
    assert isinstance(value, ResourceRef)
    assert (value.address, value.attribute) == ("aws_iam_role.prefixed", "name")


def test_reference_into_a_template(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, '"role/${aws_iam_role.serving.name}"', _RESOURCES)
    assert value == "role/ml-serving"


def test_reference_to_a_for_each_instance(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'aws_iam_role.each["writer"].name', _RESOURCES)
    assert value == "ml-writer-rw"
    arn, _ = evaluate(tmp_path, 'aws_iam_role.each["writer"].arn', _RESOURCES)
    assert isinstance(arn, ResourceRef)
    assert (arn.address, arn.attribute) == ('aws_iam_role.each["writer"]', "arn")


def test_reference_to_a_count_instance_and_splat(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "aws_iam_role.counted[1].name", _RESOURCES)
    assert value == "ml-1"
    names, _ = evaluate(tmp_path, "aws_iam_role.counted[*].name", _RESOURCES)
    assert names == ["ml-0", "ml-1"]
    arns, _ = evaluate(tmp_path, "aws_iam_role.counted[*].arn", _RESOURCES)
    assert [(a.address, a.attribute) for a in arns] == [
        ("aws_iam_role.counted[0]", "arn"),
        ("aws_iam_role.counted[1]", "arn"),
    ]


def test_splat_over_a_resource_with_unknown_count_is_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "aws_iam_role.unknown_count[*].name", _RESOURCES)
    assert isinstance(value, UnknownValue)
    assert "aws_iam_role.unknown_count" in value.expression


def test_for_expression_over_resource_instances(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "[for r in aws_iam_role.each : r.name]", _RESOURCES)
    assert value == ["ml-reader-ro", "ml-writer-rw"]


def test_the_partition_is_aws_and_the_account_a_placeholder_inside_an_arn(
    tmp_path: Path,
) -> None:
    """The partition data source is the AWS partition (a refactor from a literal `aws` to
    it is no change); the account is unknown, without making the whole ARN unknown."""
    write_tree(
        tmp_path,
        {
            "main.tf": """
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
locals {
  partition = try(data.aws_partition.current.partition, "")
  account   = data.aws_caller_identity.current.account_id
}
resource "aws_iam_role" "r" {
  name = "r"
}
resource "aws_iam_role_policy" "p" {
  role = aws_iam_role.r.id
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "ec2:CreateSnapshot"
      Resource = "arn:${local.partition}:ec2:*:${local.account}:volume/*"
    }]
  })
}
""",
        },
    )
    model = build_model(DirectoryTree(tmp_path), ExtractOptions()).model
    (grant,) = model.grants
    (permission,) = grant.permissions
    assert permission.resource == "arn:aws:ec2:*:${local.account}:volume/*"
    assert grant.unknown == ()


def test_optional_attribute_defaults_come_from_the_type_constraint(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "main.tf": """
variable "ctx" {
  type = object({
    roles   = optional(map(string), {})
    readers = optional(list(object({
      name = string
      prefix = optional(string, "models/")
    })), [])
  })
  default = { readers = [{ name = "llm" }] }
}
resource "null_resource" "r" {
  triggers = {
    role   = lookup(var.ctx.roles, "reader", "roles/viewer")
    prefix = var.ctx.readers[0].prefix
  }
}
""",
        },
    )
    (inst,) = instances(tf).values()
    assert inst.get("triggers") == {"role": "roles/viewer", "prefix": "models/"}
