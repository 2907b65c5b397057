"""One file's bytes → its parse result; importable on its own by worker processes."""

from __future__ import annotations

from analyzer.diagnostics import Diagnostic
from analyzer.parse.hcl import HclError, parse_hcl
from analyzer.parse.hcl_ast import HclFile
from analyzer.parse.yaml_docs import YamlDocument, load_yaml

MAX_FILE_SIZE = 5 * 1024 * 1024

ParseResult = tuple[HclFile | list[YamlDocument] | None, list[Diagnostic]]


def parser_kind(path: str) -> str:
    """Which parser reads ``path``: ``yaml`` or ``hcl``."""
    return "yaml" if path.endswith((".yaml", ".yml")) else "hcl"


def parse_file(path: str, data: bytes) -> ParseResult:
    """Parse one file's bytes; depends only on ``path`` and ``data``, never on other files."""
    if len(data) > MAX_FILE_SIZE:
        size = f"{len(data) / 1024 / 1024:.1f} MiB"
        return None, [Diagnostic(path, 0, f"file is {size}, over the 5 MiB limit", "too-large")]
    if parser_kind(path) == "yaml":
        docs, diagnostics = load_yaml(path, data)
        return docs, diagnostics
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Diagnostic(path, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    if "\x00" in text:
        return None, [Diagnostic(path, 0, "binary file, not HCL")]
    try:
        return parse_hcl(path, text), []
    except HclError as exc:
        return None, [Diagnostic(path, exc.line, str(exc))]


def parse_many(items: list[tuple[str, bytes]]) -> list[ParseResult]:
    """Worker entry point for a batch of files (fewer round trips than one per file)."""
    return [parse_file(path, data) for path, data in items]
