"""What both HCL front ends share: string escapes, heredoc bodies and template parts.

Kept in one place so that python-hcl2's walker and tree-sitter's build the same
:mod:`~driftgate.analyzer.parse.hcl_ast` nodes from the same text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from driftgate.analyzer.parse import hcl_ast as ast

_ESCAPES = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(raw: str) -> str:
    """A quoted string's characters as Terraform reads them (``\\n``, ``\\u00e9``)."""
    if "\\" not in raw:
        return raw

    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    return _ESCAPES.sub(repl, raw)


def unescape_template(raw: str) -> str:
    """A literal part of a quoted template: escapes, and ``$${``/``%%{`` written as-is."""
    return unescape(raw).replace("$${", "${").replace("%%{", "%{")


def template(text: str, parts: list[str | ast.Expr]) -> ast.Expr:
    """A string's parts as one node: a literal when nothing is interpolated."""
    merged: list[str | ast.Expr] = []
    for part in parts:
        # Adjacent literal parts are one: how a front end splits them is not meaning.
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
        merged.append(part)
    if all(isinstance(p, str) for p in merged):
        value = "".join(p for p in merged if isinstance(p, str))
        return ast.Literal(text, value)
    # "${x}" alone keeps x's type (a list stays a list), as in Terraform.
    if len(merged) == 1 and isinstance(merged[0], ast.Expr):
        return merged[0]
    return ast.Template(text, tuple(merged))


def heredoc_body(raw: str) -> str:
    """The lines between a heredoc's opening line and its closing marker."""
    lines = raw.rstrip("\n").split("\n")
    body = lines[1:-1]
    return "".join(line + "\n" for line in body)


def dedent(body: str) -> str:
    """``<<-`` heredocs: the common leading whitespace of non-blank lines goes."""
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)


def heredoc(text: str, body: str, parse_expression: Callable[[str], ast.Expr]) -> ast.Expr:
    """Heredoc bodies are templates: split out ``${...}`` and parse each expression."""
    if "%{" in body.replace("%%{", ""):
        return ast.Unparsed(text, "template directive in heredoc")
    parts: list[str | ast.Expr] = []
    pos = 0
    literal: list[str] = []
    while pos < len(body):
        if body.startswith("$${", pos):
            literal.append("${")
            pos += 3
        elif body.startswith("${", pos):
            end = _closing_brace(body, pos + 2)
            if end < 0:
                return ast.Unparsed(text, "unterminated interpolation in heredoc")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(parse_expression(body[pos + 2 : end]))
            pos = end + 1
        else:
            literal.append(body[pos])
            pos += 1
    if literal:
        parts.append("".join(literal))
    return template(text, parts) if parts else ast.Literal(text, "")


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    in_string = False
    i = start
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1
