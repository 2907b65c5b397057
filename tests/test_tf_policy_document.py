"""``data "aws_iam_policy_document"`` rendered as the AWS provider renders it, with the
line of every statement; and the grants the pipeline builds from documents, jsonencode
policies and heredocs (permissions and statement lines)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tf_support import evaluate, line_of, policy, semantics, write_tree

from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Grant, Model
from driftgate.analyzer.pipeline import build_model
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.values import JsonDoc, LocatedDict, UnknownValue


def _render(tmp_path: Path, hcl: str, name: str = "this") -> tuple[dict[str, Any], list[Any]]:
    """The document ``name`` as policy data, and its statements."""
    value, _ = evaluate(tmp_path, f"data.aws_iam_policy_document.{name}.json", hcl)
    assert isinstance(value, JsonDoc), value
    document = policy(value)
    return document, document["Statement"]


def _lines(statements: list[Any]) -> list[int]:
    assert all(isinstance(s, LocatedDict) for s in statements)
    return [s.line for s in statements]


def test_statement(tmp_path: Path) -> None:
    hcl = """\
        variable "bucket" { default = "models" }
        data "aws_iam_policy_document" "this" {
          statement {
            sid       = "ReadModels"
            actions   = ["s3:GetObject", "s3:ListBucket"]
            resources = ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"]
          }
          statement {
            effect    = "Deny"
            actions   = ["s3:DeleteObject"]
            resources = ["*"]
          }
        }
        """
    document, statements = _render(tmp_path, hcl)
    assert document["Version"] == "2012-10-17"
    assert [semantics(s) for s in statements] == [
        {
            "Sid": "ReadModels",
            "Effect": "Allow",
            "Action": {"s3:GetObject", "s3:ListBucket"},
            "Resource": {"arn:aws:s3:::models", "arn:aws:s3:::models/*"},
        },
        {"Effect": "Deny", "Action": {"s3:DeleteObject"}, "Resource": {"*"}},
    ]
    assert _lines(statements) == [line_of(hcl, "statement {"), line_of(hcl, "statement {", 2)]


def test_version_and_policy_id(tmp_path: Path) -> None:
    hcl = """\
        data "aws_iam_policy_document" "this" {
          version   = "2008-10-17"
          policy_id = "serving"
          statement {
            actions   = ["s3:GetObject"]
            resources = ["*"]
          }
        }
        """
    document, _ = _render(tmp_path, hcl)
    assert (document["Version"], document["Id"]) == ("2008-10-17", "serving")


def test_not_actions_and_not_resources(tmp_path: Path) -> None:
    hcl = """\
        data "aws_iam_policy_document" "this" {
          statement {
            sid           = "AllButIam"
            not_actions   = ["iam:*", "organizations:*"]
            not_resources = ["arn:aws:s3:::audit/*"]
          }
        }
        """
    _, (statement,) = _render(tmp_path, hcl)
    assert semantics(statement) == {
        "Sid": "AllButIam",
        "Effect": "Allow",
        "NotAction": {"iam:*", "organizations:*"},
        "NotResource": {"arn:aws:s3:::audit/*"},
    }
    assert "Action" not in statement and "Resource" not in statement


def test_principals_and_conditions(tmp_path: Path) -> None:
    hcl = """\
        variable "oidc" { default = "oidc.eks.us-east-1.amazonaws.com/id/ABC" }
        data "aws_iam_policy_document" "this" {
          statement {
            actions = ["sts:AssumeRoleWithWebIdentity"]
            principals {
              type        = "Federated"
              identifiers = ["arn:aws:iam::111122223333:oidc-provider/${var.oidc}"]
            }
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:root"]
            }
            condition {
              test     = "StringEquals"
              variable = "${var.oidc}:sub"
              values   = ["system:serviceaccount:ml:llm"]
            }
            condition {
              test     = "StringEquals"
              variable = "${var.oidc}:aud"
              values   = ["sts.amazonaws.com"]
            }
            condition {
              test     = "StringLike"
              variable = "aws:PrincipalTag/team"
              values   = ["ml-*"]
            }
          }
          statement {
            effect  = "Deny"
            actions = ["sts:AssumeRole"]
            not_principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::111122223333:role/admin"]
            }
          }
        }
        """
    oidc = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
    _, statements = _render(tmp_path, hcl)
    assert [semantics(s) for s in statements] == [
        {
            "Effect": "Allow",
            "Action": {"sts:AssumeRoleWithWebIdentity"},
            "Principal": {
                "Federated": {f"arn:aws:iam::111122223333:oidc-provider/{oidc}"},
                "AWS": {"arn:aws:iam::111122223333:root"},
            },
            "Condition": {
                "StringEquals": {
                    f"{oidc}:sub": {"system:serviceaccount:ml:llm"},
                    f"{oidc}:aud": {"sts.amazonaws.com"},
                },
                "StringLike": {"aws:PrincipalTag/team": {"ml-*"}},
            },
        },
        {
            "Effect": "Deny",
            "Action": {"sts:AssumeRole"},
            "NotPrincipal": {"AWS": {"arn:aws:iam::111122223333:role/admin"}},
        },
    ]


_MERGE = """\
data "aws_iam_policy_document" "source" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = ["*"]
  }
  statement {
    actions   = ["logs:PutLogEvents"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObjectVersion"]
    resources = ["arn:aws:s3:::models/*"]
  }
  statement {
    sid         = "NoIam"
    effect      = "Deny"
    not_actions = ["s3:*"]
    resources   = ["*"]
  }
}

data "aws_iam_policy_document" "this" {
  source_policy_documents   = [data.aws_iam_policy_document.source.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]

  statement {
    sid       = "List"
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}
"""


def test_source_and_override_documents_merge_by_sid(tmp_path: Path) -> None:
    _, statements = _render(tmp_path, _MERGE)
    # Source statements first; this document's "List" replaces the source's in place;
    # statements without a sid are appended; the override's "Read" replaces in place
    # and its new "NoIam" is appended.
    assert [semantics(s) for s in statements] == [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": {"s3:GetObjectVersion"},
            "Resource": {"arn:aws:s3:::models/*"},
        },
        {"Sid": "List", "Effect": "Allow", "Action": {"s3:ListAllMyBuckets"}, "Resource": {"*"}},
        {"Effect": "Allow", "Action": {"logs:PutLogEvents"}, "Resource": {"*"}},
        {"Effect": "Allow", "Action": {"kms:Decrypt"}, "Resource": {"*"}},
        {"Sid": "NoIam", "Effect": "Deny", "NotAction": {"s3:*"}, "Resource": {"*"}},
    ]
    # Each statement keeps the line of the block that wrote it.
    assert _lines(statements) == [
        line_of(_MERGE, "statement {", 4),
        line_of(_MERGE, "statement {", 6),
        line_of(_MERGE, "statement {", 3),
        line_of(_MERGE, "statement {", 7),
        line_of(_MERGE, "statement {", 5),
    ]


def test_source_document_given_as_jsonencode_and_heredoc(tmp_path: Path) -> None:
    hcl = """\
        locals {
          heredoc = <<-EOT
            {"Version": "2012-10-17",
             "Statement": [{"Sid": "Heredoc", "Effect": "Allow",
                            "Action": "sqs:SendMessage", "Resource": "*"}]}
          EOT
        }
        data "aws_iam_policy_document" "this" {
          source_policy_documents = [
            local.heredoc,
            jsonencode({
              Version   = "2012-10-17"
              Statement = [
                { Sid = "Encoded", Effect = "Allow", Action = "sns:Publish", Resource = "*" },
              ]
            }),
          ]
        }
        """
    _, statements = _render(tmp_path, hcl)
    assert [(s["Sid"], s["Action"]) for s in statements] == [
        ("Heredoc", "sqs:SendMessage"),
        ("Encoded", "sns:Publish"),
    ]


_DYNAMIC = """\
variable "buckets" {
  default = {
    ReadModels  = { bucket = "models", actions = ["s3:GetObject"] }
    WriteOutput = { bucket = "outputs", actions = ["s3:PutObject", "s3:AbortMultipartUpload"] }
  }
}
variable "queues" {
  default = ["jobs", "results"]
}
data "aws_iam_policy_document" "this" {
  statement {
    sid       = "Static"
    actions   = ["sts:GetCallerIdentity"]
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = var.buckets
    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = ["arn:aws:s3:::${statement.value.bucket}/*"]
    }
  }
  dynamic "statement" {
    for_each = var.queues
    iterator = queue
    content {
      actions   = ["sqs:SendMessage"]
      resources = ["arn:aws:sqs:us-east-1:111122223333:${queue.value}"]
      dynamic "condition" {
        for_each = queue.value == "jobs" ? ["first"] : []
        content {
          test     = "StringEquals"
          variable = "aws:SourceVpce"
          values   = ["vpce-${condition.value}"]
        }
      }
    }
  }
}
"""


def test_dynamic_statement(tmp_path: Path) -> None:
    _, statements = _render(tmp_path, _DYNAMIC)
    assert [semantics(s) for s in statements] == [
        {
            "Sid": "Static",
            "Effect": "Allow",
            "Action": {"sts:GetCallerIdentity"},
            "Resource": {"*"},
        },
        {
            "Sid": "ReadModels",
            "Effect": "Allow",
            "Action": {"s3:GetObject"},
            "Resource": {"arn:aws:s3:::models/*"},
        },
        {
            "Sid": "WriteOutput",
            "Effect": "Allow",
            "Action": {"s3:PutObject", "s3:AbortMultipartUpload"},
            "Resource": {"arn:aws:s3:::outputs/*"},
        },
        {
            "Effect": "Allow",
            "Action": {"sqs:SendMessage"},
            "Resource": {"arn:aws:sqs:us-east-1:111122223333:jobs"},
            "Condition": {"StringEquals": {"aws:SourceVpce": {"vpce-first"}}},
        },
        {
            "Effect": "Allow",
            "Action": {"sqs:SendMessage"},
            "Resource": {"arn:aws:sqs:us-east-1:111122223333:results"},
        },
    ]
    # A dynamic statement is located at its content block.
    content = line_of(_DYNAMIC, "content {")
    queue_content = line_of(_DYNAMIC, "content {", 2)
    assert _lines(statements) == [
        line_of(_DYNAMIC, "statement {"),
        content,
        content,
        queue_content,
        queue_content,
    ]


def test_dynamic_iterator_key_over_a_list_is_the_index(tmp_path: Path) -> None:
    hcl = """\
        data "aws_iam_policy_document" "this" {
          dynamic "statement" {
            for_each = ["jobs", "results"]
            content {
              sid       = "Queue${statement.key}"
              actions   = ["sqs:SendMessage"]
              resources = [statement.value]
            }
          }
        }
        """
    _, statements = _render(tmp_path, hcl)
    assert [(s["Sid"], s["Resource"]) for s in statements] == [
        ("Queue0", ["jobs"]),
        ("Queue1", ["results"]),
    ]


def test_dynamic_statement_over_an_unknown_collection(tmp_path: Path) -> None:
    hcl = """\
        variable "extra" {}
        data "aws_iam_policy_document" "this" {
          statement {
            sid       = "Known"
            actions   = ["s3:GetObject"]
            resources = ["*"]
          }
          dynamic "statement" {
            for_each = var.extra
            content {
              actions   = statement.value
              resources = ["*"]
            }
          }
        }
        """
    _, statements = _render(tmp_path, hcl)
    # The known statement is kept; the unknown one is not dropped but shown as unknown.
    assert len(statements) == 2
    assert semantics(statements[0]) == {
        "Sid": "Known",
        "Effect": "Allow",
        "Action": {"s3:GetObject"},
        "Resource": {"*"},
    }
    unknown = statements[1]["Action"]
    assert isinstance(unknown, UnknownValue)
    assert "var.extra" in unknown.expression
    assert statements[1].line == line_of(hcl, "content {")


def test_unknown_values_inside_a_statement_keep_the_rest(tmp_path: Path) -> None:
    hcl = """\
        variable "account" {}
        data "aws_iam_policy_document" "this" {
          statement {
            actions   = ["iam:PassRole"]
            resources = ["arn:aws:iam::${var.account}:role/serving"]
          }
        }
        """
    _, (statement,) = _render(tmp_path, hcl)
    assert statement["Action"] == ["iam:PassRole"]
    (resource,) = statement["Resource"]
    assert isinstance(resource, UnknownValue)
    assert "var.account" in resource.expression


def test_document_under_for_each(tmp_path: Path) -> None:
    hcl = """\
        locals {
          access = { reader = ["s3:GetObject"], writer = ["s3:PutObject"] }
        }
        data "aws_iam_policy_document" "this" {
          for_each = local.access
          statement {
            sid       = each.key
            actions   = each.value
            resources = ["arn:aws:s3:::${each.key}/*"]
          }
        }
        """
    value, _ = evaluate(tmp_path, 'data.aws_iam_policy_document.this["writer"].json', hcl)
    (statement,) = policy(value)["Statement"]
    assert semantics(statement) == {
        "Sid": "writer",
        "Effect": "Allow",
        "Action": {"s3:PutObject"},
        "Resource": {"arn:aws:s3:::writer/*"},
    }
    assert statement.line == line_of(hcl, "statement {")


def test_document_under_count(tmp_path: Path) -> None:
    hcl = """\
        data "aws_iam_policy_document" "this" {
          count = 2
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::shard-${count.index}/*"]
          }
        }
        """
    value, _ = evaluate(tmp_path, "data.aws_iam_policy_document.this[1].json", hcl)
    assert policy(value)["Statement"][0]["Resource"] == ["arn:aws:s3:::shard-1/*"]


# ---- through the pipeline: grants with their statement lines ---------------------------------

_ROLE = """\
resource "aws_iam_role" "serving" {
  name = "serving"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "sagemaker.amazonaws.com" }
      },
    ]
  })
}
"""


def _model(tmp_path: Path, hcl: str) -> Model:
    write_tree(tmp_path, {"stack/main.tf": _ROLE + hcl})
    return build_model(DirectoryTree(tmp_path), ExtractOptions()).model


def _grants(model: Model) -> list[tuple[str, set[tuple[str, str]], int]]:
    def key(grant: Grant) -> tuple[str, set[tuple[str, str]], int]:
        assert grant.location is not None
        assert grant.location.path == "stack/main.tf"
        permissions = {(p.action, p.resource) for p in grant.permissions}
        return grant.effect, permissions, grant.location.line

    return [key(g) for g in model.grants_of("stack:aws_iam_role.serving")]


def test_document_attached_as_inline_policy_gives_grants_at_statement_lines(
    tmp_path: Path,
) -> None:
    hcl = """\
        data "aws_iam_policy_document" "access" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::models/*"]
          }
          dynamic "statement" {
            for_each = { Deny = "iam:*" }
            content {
              effect    = "Deny"
              actions   = [statement.value]
              resources = ["*"]
            }
          }
        }
        resource "aws_iam_role_policy" "access" {
          name   = "access"
          role   = aws_iam_role.serving.id
          policy = data.aws_iam_policy_document.access.json
        }
        """
    text = _ROLE + hcl
    model = _model(tmp_path, hcl)
    assert _grants(model) == [
        ("allow", {("s3:GetObject", "arn:aws:s3:::models/*")}, line_of(text, "statement {")),
        ("deny", {("iam:*", "*")}, line_of(text, "content {")),
    ]
    (trust,) = model.trusts
    assert trust.principals == ("Service:sagemaker.amazonaws.com",)
    assert trust.actions == ("sts:AssumeRole",)
    assert trust.location is not None
    assert trust.location.line == line_of(text, 'Effect    = "Allow"') - 1


def test_managed_policy_with_jsonencode_attached_to_the_role(tmp_path: Path) -> None:
    hcl = """\
        variable "bucket" { default = "models" }
        resource "aws_iam_policy" "read" {
          name = "read"
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              {
                Sid      = "Read"
                Effect   = "Allow"
                Action   = ["s3:GetObject", "s3:ListBucket"]
                Resource = ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"]
              },
            ]
          })
        }
        resource "aws_iam_role_policy_attachment" "read" {
          role       = aws_iam_role.serving.name
          policy_arn = aws_iam_policy.read.arn
        }
        """
    text = _ROLE + hcl
    model = _model(tmp_path, hcl)
    bucket = "arn:aws:s3:::models"
    assert _grants(model) == [
        (
            "allow",
            {(a, r) for a in ("s3:GetObject", "s3:ListBucket") for r in (bucket, f"{bucket}/*")},
            line_of(text, 'Sid      = "Read"') - 1,
        )
    ]


def test_heredoc_policy_gives_grants_at_statement_lines(tmp_path: Path) -> None:
    hcl = """\
        resource "aws_iam_role_policy" "access" {
          name   = "access"
          role   = aws_iam_role.serving.name
          policy = <<-EOF
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": "bedrock:InvokeModel",
                  "Resource": "*"
                },
                {
                  "Effect": "Allow",
                  "Action": ["iam:PassRole"],
                  "Resource": "arn:aws:iam::111122223333:role/serving"
                }
              ]
            }
          EOF
        }
        """
    text = _ROLE + hcl
    model = _model(tmp_path, hcl)
    assert _grants(model) == [
        ("allow", {("bedrock:InvokeModel", "*")}, line_of(text, '"Statement": [') + 1),
        (
            "allow",
            {("iam:PassRole", "arn:aws:iam::111122223333:role/serving")},
            line_of(text, '"Action": ["iam:PassRole"]') - 2,
        ),
    ]


@pytest.mark.parametrize("attribute", ["json", "minified_json"])
def test_unknown_document_gives_a_grant_naming_the_unknown(tmp_path: Path, attribute: str) -> None:
    hcl = f"""\
        data "aws_iam_policy_document" "access" {{
          dynamic "statement" {{
            for_each = var.statements
            content {{
              actions   = statement.value
              resources = ["*"]
            }}
          }}
        }}
        variable "statements" {{}}
        resource "aws_iam_role_policy" "access" {{
          name   = "access"
          role   = aws_iam_role.serving.id
          policy = data.aws_iam_policy_document.access.{attribute}
        }}
        """
    model = _model(tmp_path, hcl)
    (grant,) = model.grants_of("stack:aws_iam_role.serving")
    assert any("var.statements" in u for u in grant.unknown)
    assert all("var.statements" in p.action for p in grant.permissions)
    assert grant.location is not None
    assert grant.location.line == line_of(_ROLE + hcl, "content {")
