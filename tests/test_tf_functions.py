"""Terraform's built-in functions as IaC uses them for IAM, evaluated statically; JSON
(jsonencode, jsondecode, heredocs); file() and templatefile() reading only the tree."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_support import evaluate, instances, project, write_tree

from driftgate.analyzer.terraform.values import JsonDoc, UnknownValue, to_json_text

_PRELUDE = """\
variable "unset" {}
locals {
  tags = { team = "ml", env = "prod" }
}
"""


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param(
            'format("arn:aws:iam::%s:role/%s", "123456789012", "ml")',
            "arn:aws:iam::123456789012:role/ml",
            id="format",
        ),
        pytest.param('format("%s-%d", "shard", 3)', "shard-3", id="format-number"),
        pytest.param(
            'join(",", ["s3:GetObject", "s3:ListBucket"])', "s3:GetObject,s3:ListBucket", id="join"
        ),
        pytest.param('split(":", "arn:aws:s3")', ["arn", "aws", "s3"], id="split"),
        pytest.param('concat(["a"], ["b", "c"], [])', ["a", "b", "c"], id="concat"),
        pytest.param(
            'merge(local.tags, { env = "staging" }, { owner = "x" })',
            {"team": "ml", "env": "staging", "owner": "x"},
            id="merge",
        ),
        pytest.param('lookup(local.tags, "team")', "ml", id="lookup"),
        pytest.param('lookup(local.tags, "owner", "nobody")', "nobody", id="lookup-default"),
        pytest.param('coalesce("", null, "first", "second")', "first", id="coalesce"),
        pytest.param('distinct(["a", "b", "a", "c", "b"])', ["a", "b", "c"], id="distinct"),
        pytest.param('flatten([["a"], ["b", ["c"]], []])', ["a", "b", "c"], id="flatten"),
        pytest.param('tolist(["a", "b"])', ["a", "b"], id="tolist"),
        pytest.param('tomap({ a = "x" })', {"a": "x"}, id="tomap"),
        pytest.param("keys({ b = 1, a = 2 })", ["a", "b"], id="keys-sorted"),
        pytest.param("values({ b = 1, a = 2 })", [2, 1], id="values-in-key-order"),
        pytest.param('length(["a", "b"])', 2, id="length-list"),
        pytest.param("length(local.tags)", 2, id="length-map"),
        pytest.param('length("abc")', 3, id="length-string"),
        pytest.param(
            'contains(["s3:GetObject", "s3:PutObject"], "s3:PutObject")', True, id="contains"
        ),
        pytest.param('contains(["s3:GetObject"], "s3:PutObject")', False, id="contains-not"),
        pytest.param('replace("ml-serving-prod", "-", "_")', "ml_serving_prod", id="replace"),
        pytest.param('lower("ML-Serving")', "ml-serving", id="lower"),
        pytest.param('upper("ml")', "ML", id="upper"),
        pytest.param(
            'trimprefix("arn:aws:iam::1:role/ml", "arn:aws:iam::1:")', "role/ml", id="trimprefix"
        ),
        pytest.param('trimprefix("role/ml", "user/")', "role/ml", id="trimprefix-absent"),
        pytest.param('trimsuffix("policy.json", ".json")', "policy", id="trimsuffix"),
        pytest.param('element(["a", "b", "c"], 1)', "b", id="element"),
        pytest.param('element(["a", "b", "c"], 4)', "b", id="element-wraps"),
        pytest.param(
            'zipmap(["reader", "writer"], ["ro", "rw"])',
            {"reader": "ro", "writer": "rw"},
            id="zipmap",
        ),
        pytest.param(
            'jsondecode("{\\"Action\\": [\\"s3:GetObject\\"], \\"n\\": 1}")',
            {"Action": ["s3:GetObject"], "n": 1},
            id="jsondecode",
        ),
        pytest.param('jsondecode(jsonencode({ a = ["x"] })).a[0]', "x", id="json-round-trip"),
        pytest.param(
            'upper(join("-", split("_", lower("ML_SERVING"))))', "ML-SERVING", id="nested-calls"
        ),
    ],
)
def test_function(tmp_path: Path, expression: str, expected: object) -> None:
    value, _ = evaluate(tmp_path, expression, _PRELUDE)
    assert value == expected


def test_toset_removes_duplicates(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'toset(["b", "a", "b"])', _PRELUDE)
    assert sorted(value) == ["a", "b"]


def test_toset_of_strings_is_ordered_lexicographically(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'tolist(toset(["b", "a", "b"]))', _PRELUDE)
    assert value == ["a", "b"]


def test_replace_with_a_regular_expression(tmp_path: Path) -> None:
    value, _ = evaluate(
        tmp_path, 'replace("arn:aws:iam::123456789012:role/ml", "/[0-9]{12}/", "ACCOUNT")'
    )
    assert value == "arn:aws:iam::ACCOUNT:role/ml"


@pytest.mark.parametrize(
    "expression",
    [
        'format("arn:aws:iam::%s:role/x", var.unset)',
        'join(",", var.unset)',
        'split(",", var.unset)',
        "concat([], var.unset)",
        "merge(local.tags, var.unset)",
        'lookup(var.unset, "k", "d")',
        'coalesce(var.unset, "x")',
        "distinct(var.unset)",
        "flatten(var.unset)",
        "toset(var.unset)",
        "tolist(var.unset)",
        "tomap(var.unset)",
        "keys(var.unset)",
        "values(var.unset)",
        "length(var.unset)",
        'contains(var.unset, "x")',
        'replace(var.unset, "-", "_")',
        "lower(var.unset)",
        "upper(var.unset)",
        'trimprefix(var.unset, "arn:")',
        'trimsuffix(var.unset, ".json")',
        "element(var.unset, 0)",
        'zipmap(["a"], var.unset)',
        "jsondecode(var.unset)",
    ],
)
def test_unknown_argument_makes_the_result_unknown(tmp_path: Path, expression: str) -> None:
    value, _ = evaluate(tmp_path, expression, _PRELUDE)
    assert isinstance(value, UnknownValue), value
    assert "var.unset" in value.expression


def test_unknown_elements_keep_the_known_shape(tmp_path: Path) -> None:
    length, _ = evaluate(tmp_path, 'length(["a", var.unset])', _PRELUDE)
    assert length == 2
    items, _ = evaluate(tmp_path, 'concat(["a"], [var.unset])', _PRELUDE)
    assert items[0] == "a"
    assert isinstance(items[1], UnknownValue) and items[1].expression == "var.unset"


def test_function_not_evaluated_is_unknown_with_its_name(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'sha256("x")')
    assert isinstance(value, UnknownValue)
    assert value.expression.startswith("sha256(")


# ---- jsonencode / heredoc JSON -------------------------------------------------------


def test_jsonencode_keeps_its_structure(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'jsonencode({ Action = ["s3:GetObject"], Effect = "Allow" })')
    assert isinstance(value, JsonDoc)
    assert value.value == {"Action": ["s3:GetObject"], "Effect": "Allow"}


def test_jsonencode_text_is_terraforms(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, '"${jsonencode({ a = [true, null, 1, "x"] })}"')
    assert to_json_text(value) == '{"a":[true,null,1,"x"]}'
    text, _ = evaluate(tmp_path, '"p=${jsonencode({ a = "b" })}"')
    assert text == 'p={"a":"b"}'


def test_jsonencode_orders_object_keys(tmp_path: Path) -> None:
    text, _ = evaluate(tmp_path, '"p=${jsonencode({ Version = "2012-10-17", Statement = [] })}"')
    assert text == 'p={"Statement":[],"Version":"2012-10-17"}'


def test_jsonencode_with_an_unknown_part_keeps_the_rest(tmp_path: Path) -> None:
    value, _ = evaluate(
        tmp_path, 'jsonencode({ Resource = var.unset, Effect = "Allow" })', _PRELUDE
    )
    assert isinstance(value, JsonDoc)
    assert value.value["Effect"] == "Allow"
    assert isinstance(value.value["Resource"], UnknownValue)
    assert value.value["Resource"].expression == "var.unset"
    assert isinstance(to_json_text(value), UnknownValue)


_HEREDOC = """\
variable "bucket" { default = "models" }
locals {
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["s3:GetObject"],
          "Resource": "arn:aws:s3:::${var.bucket}/*"
        }
      ]
    }
  EOT
}
"""


def test_heredoc_json_is_interpolated_text(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, "jsondecode(local.policy)", _HEREDOC)
    assert value == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::models/*"}
        ],
    }
    text, _ = evaluate(tmp_path, "local.policy", _HEREDOC)
    assert isinstance(text, str)
    assert text.startswith('{\n  "Version"')  # the <<- heredoc is dedented


def test_heredoc_with_an_escaped_interpolation(tmp_path: Path) -> None:
    prelude = "locals {\n  t = <<EOT\n$${aws:username}\nEOT\n}\n"
    value, _ = evaluate(tmp_path, "local.t", prelude)
    assert value == "${aws:username}\n"


# ---- file / templatefile ---------------------------------------------------------------

_POLICY_JSON = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
_TEMPLATE = '{"Resource": "arn:aws:s3:::${bucket}/*", "Action": ${jsonencode(actions)}}'


def test_file_is_read_relative_to_the_root_module(tmp_path: Path) -> None:
    files = {"policies/read.json": _POLICY_JSON}
    value, _ = evaluate(tmp_path, 'file("policies/read.json")', files=files)
    assert value == _POLICY_JSON
    value, _ = evaluate(tmp_path, 'jsondecode(file("${path.module}/policies/read.json"))')
    assert value["Statement"][0]["Action"] == "s3:GetObject"


def test_file_in_a_child_module_through_path_module(tmp_path: Path) -> None:
    tf = project(
        tmp_path,
        {
            "envs/prod/main.tf": """\
                provider "aws" {}
                module "role" {
                  source = "../../modules/role"
                }
                """,
            "modules/role/main.tf": """\
                resource "probe" "this" {
                  value = file("${path.module}/read.json")
                }
                """,
            "modules/role/read.json": _POLICY_JSON,
        },
    )
    found = instances(tf)
    assert found["envs/prod:module.role.probe.this"].get("value") == _POLICY_JSON


def test_templatefile_with_a_variables_map(tmp_path: Path) -> None:
    files = {"templates/policy.json.tpl": _TEMPLATE}
    prelude = 'variable "bucket" { default = "models" }\n'
    value, _ = evaluate(
        tmp_path,
        'jsondecode(templatefile("templates/policy.json.tpl", '
        '{ bucket = var.bucket, actions = ["s3:GetObject", "s3:ListBucket"] }))',
        prelude,
        files,
    )
    assert value == {
        "Resource": "arn:aws:s3:::models/*",
        "Action": ["s3:GetObject", "s3:ListBucket"],
    }


def test_templatefile_sees_only_the_variables_passed(tmp_path: Path) -> None:
    files = {"templates/policy.json.tpl": _TEMPLATE}
    prelude = 'variable "bucket" { default = "models" }\n'
    value, _ = evaluate(
        tmp_path,
        'templatefile("templates/policy.json.tpl", { bucket = var.bucket })',
        prelude,
        files,
    )
    assert isinstance(value, UnknownValue)
    assert value.expression.startswith("templatefile(")


def test_missing_file_is_unknown(tmp_path: Path) -> None:
    value, _ = evaluate(tmp_path, 'file("policies/absent.json")')
    assert isinstance(value, UnknownValue)
    assert value.expression == 'file("policies/absent.json")'


@pytest.mark.parametrize(
    "argument",
    [
        "../outside/secret.txt",
        "../../etc/passwd",
        "app/../../outside/secret.txt",
        "{outside}/secret.txt",  # an absolute path to a file that exists
        "/etc/passwd",
    ],
)
@pytest.mark.parametrize("function", ["file", "templatefile"])
def test_file_outside_the_tree_is_never_read(tmp_path: Path, function: str, argument: str) -> None:
    outside = tmp_path / "outside"
    write_tree(outside, {"secret.txt": "TOP SECRET"})
    repo = tmp_path / "repo"
    path = argument.format(outside=outside.as_posix())
    call = f'{function}("{path}")' if function == "file" else f'{function}("{path}", {{}})'
    value, _ = evaluate(repo, call)
    assert isinstance(value, UnknownValue), value
    assert value.expression == call
