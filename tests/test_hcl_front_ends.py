"""The two HCL front ends build the same tree: tree-sitter (the default, fast) and
python-hcl2 (the reference). A differential test over every ``.tf``/``.tfvars`` under
testdata/ and over generated Terraform; the constructs where tree-sitter's grammar and
python-hcl2's differ in shape; and the fallback: a file tree-sitter does not read is
read by python-hcl2, gives the same findings, and ``-v`` says so.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fuzz import strategies as s
from hypothesis import HealthCheck, given, settings

from driftgate.analyzer.cli import cli
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse import hcl_lark, hcl_treesitter
from driftgate.analyzer.parse.files import parse_file
from driftgate.analyzer.parse.hcl import HclError, parse_hcl, parse_template

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
HCL_FILES = sorted(p for p in TESTDATA.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file())


def _reference(path: str, text: str) -> ast.HclFile | HclError:
    try:
        return hcl_lark.parse_hcl(path, text)
    except HclError as exc:
        return exc


def _attr(text: str, parser: str = "tree-sitter") -> ast.Expr:
    parsed = parse_hcl("main.tf", textwrap.dedent(text), parser)
    return parsed.blocks[0].attributes["a"].expr


def test_testdata_holds_enough_terraform_to_compare() -> None:
    assert len(HCL_FILES) > 300


@pytest.mark.parametrize("path", HCL_FILES, ids=lambda p: str(p.relative_to(TESTDATA)))
def test_every_testdata_file_parses_alike(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    rel = path.relative_to(ROOT).as_posix()
    expected = _reference(rel, text)
    if isinstance(expected, HclError):
        # Broken on purpose: the default front end reports python-hcl2's error.
        with pytest.raises(HclError) as raised:
            parse_hcl(rel, text)
        assert (str(raised.value), raised.value.line) == (str(expected), expected.line)
        return
    # Read by tree-sitter itself (no fallback), into the reference's very tree.
    assert hcl_treesitter.parse_hcl(rel, text) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=s.HCL_FILES)
def test_generated_terraform_parses_alike(text: str) -> None:
    expected = _reference("main.tf", text)
    try:
        got = hcl_treesitter.parse_hcl("main.tf", text)
    except hcl_treesitter.Unsupported:
        return
    if not isinstance(expected, HclError):
        assert got == expected
    # python-hcl2 rejects a unary operator applied to a unary operation (`!!x`, `!-1`),
    # which HCL allows: the only text tree-sitter reads and python-hcl2 does not.
    else:
        assert "!" in text or "-" in text


@pytest.mark.parametrize(
    "text",
    [
        # A nested conditional is right-associative: tree-sitter's grammar nests it left.
        'a = var.x == null ? "none" : var.y ? "y" : "z"\n',
        "a = var.a ? 1 : var.b ? 2 : var.c ? 3 : 4\n",
        "a = (var.a ? 1 : var.b) ? 2 : 3\n",
        # Literal text between interpolations keeps its spaces; escapes are decoded.
        'a = "hi ${var.who} \\"there\\" \\u00e9 $${aws:username} %%{x}"\n',
        'a = "${var.only}"\n',
        # Heredocs: plain, indented, empty, with interpolations and with a directive.
        'a = <<EOT\n{\n  "Action": "${var.action}"\n}\nEOT\n',
        "a = <<-EOT\n    indented ${local.x}\n      more\n    EOT\n",
        "a = <<EOT\nEOT\n",
        "a = <<EOT\n%{ if var.x }y%{ endif }\nEOT\n",
        # Postfix operations: attribute, index, legacy index, splats.
        "a = aws_iam_role.r[0].arn\n",
        "a = module.m.0.name\n",
        "a = var.list[*].arn\n",
        "a = var.list.*.name[0]\n",
        # Operators, precedence, a newline and a comment inside an operation.
        "a = !var.x && length(var.y) > 0 || var.z\n",
        "a = (1 + 2) * -var.n % 3\n",
        "a = var.first ||\n  var.second # why\n",
        # Collections, comments inside them, trailing commas, keyword keys.
        "a = [\n  1, # one\n  2,\n]\n",
        'a = { in = 1, if = 2, "quoted" = 3, (var.k) = 4, bare = var.v }\n',
        'a = [for k, v in var.m : upper(v) if k != "x"]\n',
        "a = { for k, v in var.m : v => k... if v != null }\n",
        "a = provider::aws::arn_parse(var.arn)\n",
        "a = concat(var.a, var.b...)\n",
        "a = f(1, 2,)\n",
        # Non-ASCII before an expression: text is cut by character, not byte.
        'a = { "名前" = "é${var.x}ü" }\n',
        "a = 1.5e3\n",
    ],
)
def test_constructs_parse_alike(text: str) -> None:
    expected = hcl_lark.parse_hcl("main.tf", text)
    assert hcl_treesitter.parse_hcl("main.tf", text) == expected


def test_nested_conditional_is_right_associative() -> None:
    expr = _attr("a = var.a ? 1 : var.b ? 2 : 3\n")
    assert isinstance(expr, ast.Conditional)
    assert expr.true == ast.Literal("1", 1)
    assert isinstance(expr.false, ast.Conditional)
    assert expr.false.text == "var.b ? 2 : 3"


def test_parenthesised_object_key_is_a_reference() -> None:
    for parser in ("tree-sitter", "hcl2"):
        expr = _attr('a = { (k) = 1, k = 2, "k" = 3 }\n', parser)
        assert isinstance(expr, ast.ObjectExpr)
        keys = [key for key, _ in expr.items]
        assert keys[0] == ast.Variable("k", "k"), parser
        assert keys[1] == ast.Literal("k", "k"), parser


def test_strip_markers_trim_the_literal_beside_them() -> None:
    # python-hcl2 does not parse `${~`; tree-sitter reads it as Terraform does.
    expr = _attr('a = "x  ${~ var.v ~}  y"\n')
    assert isinstance(expr, ast.Template)
    assert expr.parts[0] == "x" and expr.parts[2] == "y"


def test_lines_end_where_the_expression_ends() -> None:
    """An operation followed by a comment, or a heredoc, ends on its own last line."""
    text = "a = var.first ||\n  var.second # why\n\nb = <<EOT\nx\nEOT\nc = 1\n"
    for parser in ("tree-sitter", "hcl2"):
        attrs = parse_hcl("main.tf", text, parser).blocks[0].attributes
        assert (attrs["a"].line, attrs["a"].end_line) == (1, 2), parser
        assert (attrs["b"].line, attrs["b"].end_line) == (4, 6), parser
        assert attrs["a"].expr.text == "var.first ||\n  var.second", parser


def test_template_files_parse_alike() -> None:
    template = '{"Action": "${action}", "Resource": "${join(",", arns)}", "x": "$${y}"}\n'
    assert parse_template(template) == parse_template(template, "hcl2")


# ---- the fallback -------------------------------------------------------------------

# Text python-hcl2 reads and tree-sitter's grammar does not: a heredoc marker with a dot,
# a backslash before an interpolation.
FALLBACK_POLICY = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "app" {
  role   = aws_iam_role.app.id
  policy = <<POLICY.JSON
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "*"}]
}
POLICY.JSON
}
"""


def test_a_file_tree_sitter_does_not_read_is_read_by_python_hcl2() -> None:
    text = FALLBACK_POLICY % "s3:GetObject"
    with pytest.raises(hcl_treesitter.Unsupported):
        hcl_treesitter.parse_hcl("main.tf", text)
    parsed, problems = parse_file("main.tf", text.encode())
    assert problems == []
    assert isinstance(parsed, ast.HclFile)
    assert "syntax error near line" in parsed.fallback
    reference, _ = parse_file("main.tf", text.encode(), "hcl2")
    assert isinstance(reference, ast.HclFile)
    assert parsed.blocks == reference.blocks
    assert reference.fallback == ""


def _write(folder: Path, action: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(FALLBACK_POLICY % action)
    (folder / "ok.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n')


def _scan(tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    runner = CliRunner()
    args = ["scan", "--no-cache", "--base", str(tmp_path / "base"), str(tmp_path / "head")]
    result = runner.invoke(cli, [*args, "-f", "json", *extra])
    out = result.stdout
    return result.exit_code, json.loads(out), result.stderr


def test_fallback_gives_the_same_findings_and_says_so_with_v(tmp_path: Path) -> None:
    _write(tmp_path / "base", "s3:GetObject")
    _write(tmp_path / "head", "s3:*")
    code, report, err = _scan(tmp_path, "-v")
    ref_code, reference, ref_err = _scan(tmp_path, "--hcl-parser", "hcl2", "-v")
    assert (code, ref_code) == (1, 1)
    assert report["findings"] == reference["findings"]
    assert [f["check"] for f in report["findings"]] == ["DG101"]
    # -v names the file python-hcl2 read for tree-sitter, and why; nothing without it.
    assert "head: 2 files, 2 HCL; 1 of them by python-hcl2 for tree-sitter" in err
    assert "main.tf: a syntax error near line" in err
    assert "all by python-hcl2 (--hcl-parser hcl2)" in ref_err
    _, _, quiet = _scan(tmp_path)
    assert "python-hcl2" not in quiet


def test_hcl_parser_choice_is_part_of_the_cache_key(tmp_path: Path) -> None:
    """A result cached by one front end is never served to the other."""
    _write(tmp_path / "base", "s3:GetObject")
    _write(tmp_path / "head", "s3:*")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    runner = CliRunner()
    args = ["scan", "--base", str(tmp_path / "base"), str(tmp_path / "head"), "-v", *cache]
    runner.invoke(cli, [*args, "--hcl-parser", "hcl2"])
    # Had python-hcl2's cached tree been served, no file would have fallen back.
    second = runner.invoke(cli, args)
    assert "1 of them by python-hcl2 for tree-sitter" in second.stderr
    assert (tmp_path / "cache" / "cache.sqlite3").exists()
