"""Terraform/HCL text → :mod:`driftgate.analyzer.parse.hcl_ast`: which front end reads it.

Two front ends build the same tree. tree-sitter (:mod:`hcl_treesitter`) is the default
because it is fast; python-hcl2 (:mod:`hcl_lark`) is the reference, reads whatever the
fast one leaves (a syntax error, whose message python-hcl2 words; a node it does not
handle) and is what ``--hcl-parser hcl2`` uses throughout. A file python-hcl2 read for
the fast front end says so in :attr:`HclFile.fallback`, for ``-v`` to show.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse import hcl_templates
from driftgate.analyzer.parse.hcl_errors import TOP_LEVEL, HclError

__all__ = ["DEFAULT_PARSER", "PARSERS", "TOP_LEVEL", "HclError", "parse_hcl", "parse_template"]

HclParser = Literal["tree-sitter", "hcl2"]
PARSERS: tuple[HclParser, ...] = ("tree-sitter", "hcl2")
DEFAULT_PARSER: HclParser = "tree-sitter"


def parse_hcl(path: str, text: str, parser: str = DEFAULT_PARSER) -> ast.HclFile:
    """Parse one ``.tf``/``.tfvars`` file; raises :class:`HclError`."""
    fallback = ""
    if parser != "hcl2":
        from driftgate.analyzer.parse import hcl_treesitter

        try:
            return hcl_treesitter.parse_hcl(path, text)
        except hcl_treesitter.Unsupported as exc:
            fallback = str(exc)
    # Imported only when it reads a file: Lark alone costs a run 0.1 s.
    from driftgate.analyzer.parse import hcl_lark

    parsed = hcl_lark.parse_hcl(path, text)
    return dataclasses.replace(parsed, fallback=fallback) if fallback else parsed


def parse_template(text: str, parser: str = DEFAULT_PARSER) -> ast.Expr:
    """A template file's text (``templatefile``): literal parts and ``${...}`` expressions."""
    if parser == "hcl2":
        from driftgate.analyzer.parse import hcl_lark

        expression = hcl_lark.parse_expression
    else:
        from driftgate.analyzer.parse import hcl_treesitter

        expression = hcl_treesitter.parse_expression
    return hcl_templates.heredoc("templatefile(...)", text, expression)
