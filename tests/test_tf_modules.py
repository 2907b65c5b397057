"""Terraform evaluation: count / for_each instances, roots, local module calls with their
inputs and outputs, registry and git modules, circular calls, sources outside the tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_support import instances, line_of, policy, project, write_tree

from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue

# ---- count / for_each -------------------------------------------------------------------


def test_count_makes_one_instance_per_index(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "ml/main.tf": """\
                resource "aws_iam_role" "shard" {
                  count = 2
                  name  = "shard-${count.index}"
                }
                """
        },
    )
    found = instances(tf)
    assert sorted(found) == ["ml:aws_iam_role.shard[0]", "ml:aws_iam_role.shard[1]"]
    assert found["ml:aws_iam_role.shard[1]"].get("name") == "shard-1"
    assert found["ml:aws_iam_role.shard[1]"].address == "aws_iam_role.shard[1]"
    assert found["ml:aws_iam_role.shard[1]"].key == 1


def test_count_zero_makes_no_instance(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "ml/main.tf": """\
                variable "enabled" { default = false }
                resource "aws_iam_role" "off" {
                  count = var.enabled ? 1 : 0
                  name  = "off"
                }
                resource "aws_iam_role" "zero" {
                  count = 0
                  name  = "zero"
                }
                resource "aws_iam_role" "on" {
                  name = "on"
                }
                """
        },
    )
    assert sorted(instances(tf)) == ["ml:aws_iam_role.on"]


def test_unknown_count_makes_one_instance_with_an_unknown_key(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "ml/main.tf": """\
                variable "replicas" {}
                resource "aws_iam_role" "replica" {
                  count = var.replicas
                  name  = "replica-${count.index}"
                  path  = "/ml/"
                }
                """
        },
    )
    found = instances(tf)
    assert list(found) == ["ml:aws_iam_role.replica[*]"]
    inst = found["ml:aws_iam_role.replica[*]"]
    assert isinstance(inst.key, UnknownValue)
    assert inst.get("path") == "/ml/"
    name = inst.get("name")
    assert isinstance(name, UnknownValue)
    assert "count.index" in name.expression


_ROLES = """\
locals {
  roles = {
    reader = { actions = ["s3:GetObject", "s3:ListBucket"], bucket = "models" }
    writer = { actions = ["s3:PutObject"], bucket = "outputs" }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles
  name     = "ml-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "this" {
  for_each = local.roles
  name     = "${each.key}-access"
  role     = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Bucket"
        Effect   = "Allow"
        Action   = each.value.actions
        Resource = "arn:aws:s3:::${each.value.bucket}/*"
      },
    ]
  })
}
"""


def test_for_each_over_a_map_of_roles(tmp_path: Path) -> None:
    found = instances(project(tmp_path, {"ml/main.tf": _ROLES}))
    assert sorted(found) == [
        'ml:aws_iam_role.this["reader"]',
        'ml:aws_iam_role.this["writer"]',
        'ml:aws_iam_role_policy.this["reader"]',
        'ml:aws_iam_role_policy.this["writer"]',
    ]
    reader = found['ml:aws_iam_role_policy.this["reader"]']
    assert reader.key == "reader"
    assert reader.get("name") == "reader-access"
    role = reader.get("role")
    assert isinstance(role, ResourceRef)
    assert (role.address, role.attribute) == ('aws_iam_role.this["reader"]', "id")
    assert policy(reader.get("policy"))["Statement"] == [
        {
            "Sid": "Bucket",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "arn:aws:s3:::models/*",
        }
    ]
    writer = policy(found['ml:aws_iam_role_policy.this["writer"]'].get("policy"))
    assert writer["Statement"][0]["Action"] == ["s3:PutObject"]
    assert writer["Statement"][0]["Resource"] == "arn:aws:s3:::outputs/*"


def test_for_each_over_a_map_of_roles_gives_each_role_its_grants(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ml/main.tf": _ROLES})
    model = build_model(DirectoryTree(tmp_path), ExtractOptions()).model
    statement_line = line_of(_ROLES, 'Sid      = "Bucket"') - 1
    expected = {
        "reader": {
            ("s3:GetObject", "arn:aws:s3:::models/*"),
            ("s3:ListBucket", "arn:aws:s3:::models/*"),
        },
        "writer": {("s3:PutObject", "arn:aws:s3:::outputs/*")},
    }
    for key, permissions in expected.items():
        identity = f'ml:aws_iam_role.this["{key}"]'
        assert model.identities[identity].name == f"ml-{key}"
        grants = model.grants_of(identity)
        assert len(grants) == 1
        grant = grants[0]
        assert {(p.action, p.resource) for p in grant.permissions} == permissions
        assert grant.unknown == ()
        assert grant.location is not None
        assert (grant.location.path, grant.location.line) == ("ml/main.tf", statement_line)


def test_for_each_over_a_set_of_strings(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "ml/main.tf": """\
                resource "aws_iam_role" "svc" {
                  for_each = toset(["embed", "rerank"])
                  name     = "svc-${each.key}-${each.value}"
                }
                """
        },
    )
    found = instances(tf)
    assert sorted(found) == ['ml:aws_iam_role.svc["embed"]', 'ml:aws_iam_role.svc["rerank"]']
    assert found['ml:aws_iam_role.svc["rerank"]'].get("name") == "svc-rerank-rerank"


def test_unknown_for_each_makes_one_instance_with_an_unknown_key(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "ml/main.tf": """\
                variable "roles" {}
                resource "aws_iam_role" "svc" {
                  for_each = var.roles
                  name     = each.key
                }
                """
        },
    )
    found = instances(tf)
    assert list(found) == ["ml:aws_iam_role.svc[*]"]
    name = found["ml:aws_iam_role.svc[*]"].get("name")
    assert isinstance(name, UnknownValue)
    assert "each" in name.expression


# ---- roots and local modules --------------------------------------------------------------

_MODULE = """\
variable "name" {
  type = string
}
variable "actions" {
  type    = list(string)
  default = ["s3:GetObject"]
}
variable "boundary" {
  type = string
}
resource "aws_iam_role" "this" {
  name                 = var.name
  permissions_boundary = var.boundary
}
resource "probe" "inputs" {
  actions = var.actions
  module  = path.module
}
output "name" {
  value = aws_iam_role.this.name
}
output "arn" {
  value = aws_iam_role.this.arn
}
output "actions" {
  value = [for a in var.actions : lower(a)]
}
"""

_CALLER = """\
terraform {
  backend "s3" {}
}
module "serving" {
  source   = "../../modules/role"
  name     = "serving-${var.env}"
  actions  = ["S3:PutObject"]
  boundary = "arn:aws:iam::123456789012:policy/boundary"
}
variable "env" {
  default = "prod"
}
resource "probe" "outputs" {
  name    = module.serving.name
  arn     = module.serving.arn
  actions = module.serving.actions
}
"""


def test_module_inputs_and_outputs(tmp_path: Path) -> None:
    tf = project(tmp_path, {"envs/prod/main.tf": _CALLER, "modules/role/main.tf": _MODULE})
    assert [r.label for r in tf.roots()] == ["envs/prod"]  # the called module is no root
    found = instances(tf)
    role = found["envs/prod:module.serving.aws_iam_role.this"]
    assert role.address == "module.serving.aws_iam_role.this"
    assert role.module_prefix == "module.serving."
    assert role.get("name") == "serving-prod"
    assert role.path == "modules/role/main.tf"
    inputs = found["envs/prod:module.serving.probe.inputs"]
    assert inputs.get("actions") == ["S3:PutObject"]
    assert inputs.get("module") == "../../modules/role"  # path.module, relative to the root
    outputs = found["envs/prod:probe.outputs"]
    assert outputs.get("name") == "serving-prod"
    assert outputs.get("actions") == ["s3:putobject"]
    arn = outputs.get("arn")
    assert isinstance(arn, ResourceRef)
    assert (arn.module, arn.address, arn.attribute) == (
        "module.serving.",
        "aws_iam_role.this",
        "arn",
    )


def test_module_variable_default_and_missing_input(tmp_path: Path) -> None:
    caller = """\
        provider "aws" {}
        module "serving" {
          source = "../modules/role"
          name   = "serving"
        }
        """
    tf = project(tmp_path, {"stack/main.tf": caller, "modules/role/main.tf": _MODULE})
    found = instances(tf)
    assert found["stack:module.serving.probe.inputs"].get("actions") == ["s3:GetObject"]
    boundary = found["stack:module.serving.aws_iam_role.this"].get("permissions_boundary")
    assert isinstance(boundary, UnknownValue)
    assert boundary.expression == "var.boundary"
    unresolved = [d for d in tf.diagnostics if d.kind == "unresolved"]
    assert [(d.path, d.line) for d in unresolved] == [
        ("modules/role/main.tf", line_of(_MODULE, 'variable "boundary"'))
    ]
    assert "var.boundary" in unresolved[0].message


def test_reference_passed_to_a_module_names_the_callers_resource(tmp_path: Path) -> None:
    caller = """\
        provider "aws" {}
        resource "aws_iam_policy" "boundary" {
          name   = "boundary"
          policy = "{}"
        }
        module "serving" {
          source   = "./modules/role"
          name     = "serving"
          boundary = aws_iam_policy.boundary.arn
        }
        """
    tf = project(tmp_path, {"main.tf": caller, "modules/role/main.tf": _MODULE})
    found = instances(tf)
    role = next(i for a, i in found.items() if a.endswith("module.serving.aws_iam_role.this"))
    boundary = role.get("permissions_boundary")
    assert isinstance(boundary, ResourceRef)
    assert (boundary.module, boundary.address, boundary.attribute) == (
        "",
        "aws_iam_policy.boundary",
        "arn",
    )
    assert role.address_of(boundary) == f"{role.root.label}:aws_iam_policy.boundary"


def test_nested_modules_and_module_for_each(tmp_path: Path) -> None:
    files = {
        "live/main.tf": """\
            provider "aws" {}
            module "team" {
              for_each = { search = ["s3:GetObject"], chat = ["bedrock:InvokeModel"] }
              source   = "../modules/team"
              team     = each.key
              actions  = each.value
            }
            resource "probe" "chat" {
              role = module.team["chat"].role_name
            }
            """,
        "modules/team/main.tf": """\
            variable "team" {}
            variable "actions" {}
            module "role" {
              source   = "../role"
              name     = "team-${var.team}"
              actions  = var.actions
              boundary = "b"
            }
            output "role_name" {
              value = module.role.name
            }
            """,
        "modules/role/main.tf": _MODULE,
    }
    found = instances(project(tmp_path, files))
    chat = 'live:module.team["chat"].module.role.aws_iam_role.this'
    search = 'live:module.team["search"].module.role.aws_iam_role.this'
    assert found[chat].get("name") == "team-chat"
    assert found[search].get("name") == "team-search"
    assert found['live:module.team["search"].module.role.probe.inputs'].get("actions") == [
        "s3:GetObject"
    ]
    assert found["live:probe.chat"].get("role") == "team-chat"


def test_module_with_count_zero_has_no_instances(tmp_path: Path) -> None:
    caller = """\
        provider "aws" {}
        module "off" {
          count    = 0
          source   = "../modules/role"
          name     = "off"
          boundary = "b"
        }
        """
    found = instances(project(tmp_path, {"stack/main.tf": caller, "modules/role/main.tf": _MODULE}))
    assert found == {}


# ---- modules that are not read --------------------------------------------------------

_REMOTE = """\
provider "aws" {}
module "iam" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role"
  version = "5.39.0"
  role_name = "serving"
}
module "git" {
  source = "git::https://example.com/acme/iam-modules.git//role?ref=v1.2.0"
}
resource "probe" "outputs" {
  registry = module.iam.iam_role_arn
  git      = module.git.role_arn
  policy   = jsonencode({ Resource = module.iam.iam_role_arn })
}
"""


@pytest.mark.parametrize(
    ("attribute", "source"),
    [
        ("registry", "terraform-aws-modules/iam/aws//modules/iam-assumable-role"),
        ("git", "git::https://example.com/acme/iam-modules.git//role?ref=v1.2.0"),
    ],
)
def test_output_of_a_module_not_read_is_unknown_naming_the_source(
    tmp_path: Path, attribute: str, source: str
) -> None:
    found = instances(project(tmp_path, {"main.tf": _REMOTE}))
    value = next(i for i in found.values() if i.type == "probe").get(attribute)
    assert isinstance(value, UnknownValue)
    assert not isinstance(value, ResourceRef)
    assert source in value.expression + " " + value.reason
    # A policy using it keeps its structure, with the unknown part inside.
    document = next(i for i in found.values() if i.type == "probe").get("policy")
    assert isinstance(policy(document)["Resource"], UnknownValue)


def test_output_of_a_module_not_read_shows_the_expression(tmp_path: Path) -> None:
    found = instances(project(tmp_path, {"main.tf": _REMOTE}))
    value = next(i for i in found.values() if i.type == "probe").get("registry")
    assert isinstance(value, UnknownValue)
    assert value.expression == "module.iam.iam_role_arn"


def test_circular_module_calls_terminate_with_a_diagnostic(tmp_path: Path) -> None:
    module_a = """\
        module "b" {
          source = "../b"
        }
        resource "aws_iam_role" "a" {
          name = "a"
        }
        output "out" {
          value = module.b.out
        }
        """
    module_b = """\
        module "a" {
          source = "../a"
        }
        resource "aws_iam_role" "b" {
          name = "b"
        }
        output "out" {
          value = module.a.out
        }
        """
    root = """\
        provider "aws" {}
        module "a" {
          source = "../modules/a"
        }
        resource "probe" "this" {
          value = module.a.out
        }
        """
    tf = project(
        tmp_path,
        {"live/main.tf": root, "modules/a/main.tf": module_a, "modules/b/main.tf": module_b},
    )
    found = instances(tf)
    assert "live:module.a.aws_iam_role.a" in found
    assert "live:module.a.module.b.aws_iam_role.b" in found
    value = found["live:probe.this"].get("value")
    assert isinstance(value, UnknownValue)
    assert "module." in value.expression
    problems = [d for d in tf.diagnostics if d.kind == "evaluation"]
    assert len(problems) == 1
    assert "circular" in problems[0].message
    assert (problems[0].path, problems[0].line) == ("modules/b/main.tf", 1)


def test_module_source_outside_the_root_is_not_read(tmp_path: Path) -> None:
    outside = """\
        resource "aws_iam_role" "leak" {
          name = "leak"
        }
        output "name" {
          value = "outside"
        }
        """
    write_tree(tmp_path, {"elsewhere/modules/role/main.tf": outside})
    repo = tmp_path / "repo"
    root = """\
        provider "aws" {}
        module "escape" {
          source = "../../../../elsewhere/modules/role"
        }
        module "escape_shallow" {
          source = "../../elsewhere/modules/role"
        }
        resource "probe" "this" {
          value = module.escape.name
          other = module.escape_shallow.name
        }
        """
    tf = project(repo, {"envs/prod/main.tf": root})
    found = instances(tf)
    assert list(found) == ["envs/prod:probe.this"]
    for attribute in ("value", "other"):
        value = found["envs/prod:probe.this"].get(attribute)
        assert isinstance(value, UnknownValue)
        assert "elsewhere/modules/role" in value.expression + " " + value.reason
    model = build_model(DirectoryTree(repo), ExtractOptions()).model
    assert model.identities == {}


# ---- one module, several environments ------------------------------------------------------


def test_module_called_from_two_env_roots_with_their_tfvars(tmp_path: Path) -> None:
    root = """\
        terraform {
          backend "s3" {}
        }
        variable "name" {}
        variable "actions" {}
        module "serving" {
          source   = "../../modules/role"
          name     = var.name
          actions  = var.actions
        }
        """
    module = """\
        variable "name" {}
        variable "actions" {}
        resource "aws_iam_role" "this" {
          name = var.name
        }
        resource "aws_iam_role_policy" "this" {
          name = "access"
          role = aws_iam_role.this.id
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }]
          })
        }
        """
    files = {
        "envs/staging/main.tf": root,
        "envs/staging/terraform.tfvars": 'name = "serving"\nactions = ["s3:GetObject"]\n',
        "envs/prod/main.tf": root,
        "envs/prod/terraform.tfvars": (
            'name = "serving"\nactions = ["s3:GetObject", "s3:PutObject"]\n'
        ),
        "modules/role/main.tf": module,
    }
    found = instances(project(tmp_path, files))
    staging = "envs/staging:module.serving.aws_iam_role_policy.this"
    prod = "envs/prod:module.serving.aws_iam_role_policy.this"
    assert policy(found[staging].get("policy"))["Statement"][0]["Action"] == ["s3:GetObject"]
    assert policy(found[prod].get("policy"))["Statement"][0]["Action"] == [
        "s3:GetObject",
        "s3:PutObject",
    ]

    model = build_model(DirectoryTree(tmp_path), ExtractOptions()).model
    by_env = {i.environment: (address, i.name) for address, i in model.identities.items()}
    assert by_env == {
        "staging": ("envs/staging:module.serving.aws_iam_role.this", "serving"),
        "prod": ("envs/prod:module.serving.aws_iam_role.this", "serving"),
    }
    statement_line = line_of(module, "Statement = [")
    for env, actions in (("staging", {"s3:GetObject"}), ("prod", {"s3:GetObject", "s3:PutObject"})):
        (grant,) = model.grants_of(f"envs/{env}:module.serving.aws_iam_role.this")
        assert {p.action for p in grant.permissions} == actions
        assert grant.location is not None
        assert (grant.location.path, grant.location.line) == (
            "modules/role/main.tf",
            statement_line,
        )
