"""Findings point at the head line the change wrote (issue 20).

GitHub shows an annotation only on lines of the pull request's diff; a finding at the
policy resource in another file, or at the first line of a forty-line statement, is
not seen where the reviewer looks. The statement may be written in a data source in
another file, a local, or a module input of the calling root: the finding is there,
at the edited line, and the identity's declaration is a related location.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tf_support import write_tree

from driftgate.analyzer.cli import main
from driftgate.analyzer.engine.changed import ChangedLines

Capture = pytest.CaptureFixture[str]

ROLE = """\
resource "aws_iam_role" "r" {
  name               = "worker"
  assume_role_policy = "{}"
}
"""

# The role and its managed policy in main.tf, the document in policy.tf.
MAIN = (
    ROLE
    + """\
resource "aws_iam_policy" "p" {
  name   = "worker"
  policy = data.aws_iam_policy_document.p.json
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name
  policy_arn = aws_iam_policy.p.arn
}
"""
)

DOCUMENT = """\
data "aws_iam_policy_document" "p" {
  statement {
    sid = "Read"
    actions = [
      "s3:GetObject",
%s    ]
    resources = [
      "arn:aws:s3:::bucket/*",
    ]
  }
}
"""


def scan(capsys: Capture, base: Path, head: Path) -> list[dict[str, Any]]:
    main(["scan", "--no-cache", "-f", "json", "--base", str(base), str(head)])
    findings: list[dict[str, Any]] = json.loads(capsys.readouterr().out)["findings"]
    return [f for f in findings if f["check"].startswith("DG1")]


def line_of(root: Path, path: str, text: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_statement_in_another_file_is_reported_at_the_added_action(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": MAIN, "policy.tf": DOCUMENT % ""})
    write_tree(head, {"main.tf": MAIN, "policy.tf": DOCUMENT % '      "s3:PutObject",\n'})
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["path"] == "policy.tf"
    assert finding["location"]["line"] == line_of(head, "policy.tf", "s3:PutObject")
    related = {(r["path"], r["line"]) for r in finding["related"]}
    # The role's declaration, and the statement the line belongs to.
    assert ("main.tf", 1) in related
    assert ("policy.tf", 2) in related


def test_a_widened_resource_is_reported_at_the_resource_line(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": MAIN, "policy.tf": DOCUMENT % ""})
    widened = (DOCUMENT % "").replace("bucket/*", "*")
    write_tree(head, {"main.tf": MAIN, "policy.tf": widened})
    (finding,) = scan(capsys, base, head)
    assert (finding["location"]["path"], finding["location"]["line"]) == (
        "policy.tf",
        line_of(head, "policy.tf", '"arn:aws:s3:::*"'),
    )


def test_statement_in_a_local_of_another_file(tmp_path: Path, capsys: Capture) -> None:
    locals_tf = """\
    locals {
      statements = [
        {
          Effect = "Allow"
          Action = [%s]
          Resource = "*"
        },
      ]
    }
    """
    inline = (
        ROLE
        + """\
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}
"""
    )
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": inline, "locals.tf": locals_tf % '"ec2:DescribeInstances"'})
    write_tree(
        head,
        {"main.tf": inline, "locals.tf": locals_tf % '"ec2:DescribeInstances", "ec2:RunInstances"'},
    )
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["path"] == "locals.tf"
    assert finding["location"]["line"] == line_of(head, "locals.tf", "ec2:RunInstances")


MODULE = """\
variable "statements" {}
resource "aws_iam_role" "this" {
  name               = "svc"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = var.statements })
}
"""

CALLER = """\
module "svc" {
  source = "../../modules/svc"
  statements = [
    {
      Effect   = "Allow"
      Action   = [%s]
      Resource = "*"
    },
  ]
}
"""


def test_statement_given_as_a_module_input_is_reported_in_the_caller(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    for root, actions in (
        (base, '"sqs:ReceiveMessage"'),
        (head, '"sqs:ReceiveMessage",\n "sqs:DeleteQueue"'),
    ):
        write_tree(root, {"modules/svc/main.tf": MODULE, "envs/prod/main.tf": CALLER % actions})
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["path"] == "envs/prod/main.tf"
    assert finding["location"]["line"] == line_of(head, "envs/prod/main.tf", "sqs:DeleteQueue")
    assert "modules/svc/main.tf" in {r["path"] for r in finding["related"]}


def test_counted_document_with_an_unknown_count_still_renders(
    tmp_path: Path, capsys: Capture
) -> None:
    """``count = var.create ? 1 : 0`` with ``create`` unknown: the document, and the
    partition data source, are the same whichever instances exist."""
    module = """\
    variable "create" {}
    data "aws_partition" "current" {
      count = var.create ? 1 : 0
    }
    locals {
      partition = try(data.aws_partition.current[0].partition, "")
    }
    data "aws_iam_policy_document" "p" {
      count = var.create ? 1 : 0
      statement {
        actions   = [%s]
        resources = ["arn:${local.partition}:s3:::logs/*"]
      }
    }
    resource "aws_iam_role" "this" {
      name               = "svc"
      assume_role_policy = "{}"
    }
    resource "aws_iam_role_policy" "this" {
      role   = aws_iam_role.this.id
      policy = data.aws_iam_policy_document.p[0].json
    }
    """
    caller = 'module "svc" {\n  source = "../../modules/svc"\n  create = var.enabled\n}\n'
    caller += 'variable "enabled" {}\n'
    base, head = tmp_path / "base", tmp_path / "head"
    for root, actions in ((base, '"s3:GetObject"'), (head, '"s3:GetObject", "s3:DeleteObject"')):
        write_tree(root, {"modules/svc/main.tf": module % actions, "envs/a/main.tf": caller})
    (finding,) = scan(capsys, base, head)
    assert "s3:DeleteObject on arn:aws:s3:::logs/*" in finding["message"]
    assert finding["confidence"] == "high"


GCP = """\
resource "google_service_account" "sa" {
  account_id = "embedder"
  project    = "acme-ml"
}
resource "google_project_iam_member" "m" {
  project = "acme-ml"
  member  = "serviceAccount:${google_service_account.sa.email}"
  role    = "%s"
}
"""


def test_a_gcp_binding_whose_role_changed_is_reported_at_the_role_line(
    tmp_path: Path, capsys: Capture
) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": GCP % "roles/storage.objectViewer"})
    write_tree(head, {"main.tf": GCP % "roles/storage.objectAdmin"})
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["line"] == line_of(head, "main.tf", "roles/storage.objectAdmin")


DYNAMIC_MODULE = """\
variable "permissions" {}
resource "aws_iam_role" "this" {
  name               = "svc"
  assume_role_policy = "{}"
}
data "aws_iam_policy_document" "inline" {
  dynamic "statement" {
    for_each = var.permissions
    content {
      sid       = statement.key
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.inline.json
}
"""

DYNAMIC_CALLER = """\
module "svc" {
  source = "../../modules/svc"
  permissions = {
    Logs = {
      actions   = [%s]
      resources = ["*"]
    }
  }
}
"""


def test_a_dynamic_statement_is_reported_at_the_callers_entry_the_change_edited(
    tmp_path: Path, capsys: Capture
) -> None:
    """terraform-aws-iam: widening a statement in examples/iam-role/main.tf was reported
    at the module's content block (modules/iam-role/main.tf:321), a line the pull request
    never touched."""
    base, head = tmp_path / "base", tmp_path / "head"
    for root, actions in (
        (base, '"logs:PutLogEvents"'),
        (head, '"logs:PutLogEvents",\n        "logs:DeleteLogGroup"'),
    ):
        write_tree(
            root,
            {"modules/svc/main.tf": DYNAMIC_MODULE, "envs/prod/main.tf": DYNAMIC_CALLER % actions},
        )
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["path"] == "envs/prod/main.tf"
    assert finding["location"]["line"] == line_of(head, "envs/prod/main.tf", "logs:DeleteLogGroup")
    assert ("modules/svc/main.tf", 9) in {(r["path"], r["line"]) for r in finding["related"]}


def test_a_new_attachment_of_an_old_policy_is_reported_at_the_attachment(
    tmp_path: Path, capsys: Capture
) -> None:
    roles = ROLE + ROLE.replace('"r"', '"other"').replace('"worker"', '"other"')
    attach_other = MAIN.replace(ROLE, roles)
    attach_both = attach_other + (
        'resource "aws_iam_role_policy_attachment" "b" {\n'
        "  role       = aws_iam_role.other.name\n"
        "  policy_arn = aws_iam_policy.p.arn\n}\n"
    )
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": attach_other, "policy.tf": DOCUMENT % ""})
    write_tree(head, {"main.tf": attach_both, "policy.tf": DOCUMENT % ""})
    (finding,) = scan(capsys, base, head)
    assert finding["identity"] == ".:aws_iam_role.other"
    assert finding["location"]["path"] == "main.tf"
    lines = (head / "main.tf").read_text().splitlines()
    assert finding["location"]["line"] > lines.index(
        'resource "aws_iam_role_policy_attachment" "b" {'
    )


QUEUE_MODULE = """\
variable "queue_arns" {
  default = []
}
resource "aws_iam_role" "this" {
  name               = "nth"
  assume_role_policy = "{}"
}
data "aws_iam_policy_document" "this" {
  statement {
    actions   = ["sqs:ReceiveMessage"]
    resources = var.queue_arns
  }
}
resource "aws_iam_role_policy" "this" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
"""


def test_growth_from_a_list_a_caller_passes_is_reported_at_the_callers_line(
    tmp_path: Path, capsys: Capture
) -> None:
    """terraform-aws-iam e56f84df62: an example passes SQS queue ARNs to the module, so
    its role may now receive from that queue; the line is the caller's input."""
    caller = 'module "nth" {\n  source = "../../modules/nth"\n  name   = "nth"\n%s}\n'
    arn = "arn:aws:sqs:eu-west-1:012345678901:nth"
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"modules/nth/main.tf": QUEUE_MODULE, "envs/prod/main.tf": caller % ""})
    write_tree(
        head,
        {
            "modules/nth/main.tf": QUEUE_MODULE,
            "envs/prod/main.tf": caller % f'  queue_arns = ["{arn}"]\n',
        },
    )
    (finding,) = [f for f in scan(capsys, base, head) if "envs/prod" in f["identity"]]
    assert (finding["location"]["path"], finding["location"]["line"]) == ("envs/prod/main.tf", 4)


ATTACH_MAP = """\
resource "aws_iam_role" "node" {
  name               = "node"
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy_attachment" "node" {
  for_each = {
%s  }
  policy_arn = each.value
  role       = aws_iam_role.node.name
}
"""


def test_a_managed_policy_added_to_a_for_each_map_is_reported_at_its_entry(
    tmp_path: Path, capsys: Capture
) -> None:
    """terraform-aws-eks c07c26c185: a policy joins the map the attachment iterates; the
    finding was at `policy_arn = each.value`, a line the pull request did not touch."""
    entry = '    {0} = "arn:aws:iam::aws:policy/{0}"\n'
    pull = entry.format("AmazonEC2ContainerRegistryPullOnly")
    public = entry.format("AmazonElasticContainerRegistryPublicReadOnly")
    base, head = tmp_path / "base", tmp_path / "head"
    write_tree(base, {"main.tf": ATTACH_MAP % pull})
    write_tree(head, {"main.tf": ATTACH_MAP % (pull + public)})
    (finding,) = scan(capsys, base, head)
    assert finding["location"]["line"] == line_of(
        head, "main.tf", "AmazonElasticContainerRegistryPublicReadOnly ="
    )


def _changed(base: list[str], head: list[str]) -> set[int]:
    files = {"base": "\n".join(base).encode(), "head": "\n".join(head).encode()}
    return set(ChangedLines(lambda _: files["head"], lambda _: files["base"]).added("f") or ())


def test_a_line_added_among_thousands_of_alike_lines_is_the_one_changed() -> None:
    """Every RBAC rule repeats ``- get``: the added verb is found, and no other line."""
    rule = ["  - apiGroups:", '      - ""', "    verbs:", '      - "get"', '      - "list"']
    base = rule * 2_000
    head = [*rule[:4], '      - "delete"', *rule[4:], *rule * 1_999]
    assert _changed(base, head) == {5}


def test_changed_lines_are_those_git_shows() -> None:
    """Lines both sides share at the start and the end are never the change, as in git's
    diff; in between, an edited line and an inserted one."""
    assert _changed(["a", "x", "a"], ["a", "a", "x", "a"]) == {2}
    assert _changed(["a", "b", "c", "d"], ["a", "B", "c", "new", "d"]) == {2, 4}
    assert _changed(["a", "b"], ["a", "b"]) == set()
    assert _changed(["a"], ["z", "a"]) == {1}
