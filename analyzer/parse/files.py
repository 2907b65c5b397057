"""One file's bytes → its parse result; importable on its own by worker processes."""

from __future__ import annotations

import re

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.parse.hcl import DEFAULT_PARSER, HclError, parse_hcl
from driftgate.analyzer.parse.hcl_ast import HclFile
from driftgate.analyzer.parse.yaml_docs import YamlDocument, load_yaml

MAX_FILE_SIZE = 5 * 1024 * 1024

ParseResult = tuple[HclFile | list[YamlDocument] | None, list[Diagnostic]]

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_SIZE = re.compile(r"\s*(\d+)\s*(?:([kmg])(?:i?b)?|(b)?)\s*", re.IGNORECASE)
# Git's own test for a binary file: a NUL byte in the first 8000 bytes.
_BINARY_PROBE = 8000


def parse_size(text: str) -> int:
    """``10MiB``, ``512k``, ``1048576`` → bytes (units are binary: k = KiB, M = MiB)."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text}' is not a size (examples: 1048576, 512k, 10MiB, 1G)")
    unit = (match.group(2) or match.group(3) or "").lower()
    return int(match.group(1)) * _UNITS[unit]


def format_size(size: int) -> str:
    """Bytes as a person reads them: ``5 MiB``, ``6.2 MiB``, ``512 KiB``, ``900 bytes``."""
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            whole = size % factor == 0
            return f"{size // factor} {unit}" if whole else f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def too_large(path: str, size: int, limit: int) -> Diagnostic | None:
    """The diagnostic for a file over ``limit`` bytes, which is then never read or parsed."""
    if size <= limit:
        return None
    return Diagnostic(
        path,
        0,
        f"skipped: {format_size(size)}, over the --max-file-size limit of {format_size(limit)}",
        "too-large",
    )


def parser_kind(path: str) -> str:
    """Which parser reads ``path``: ``yaml`` or ``hcl``."""
    return "yaml" if path.endswith((".yaml", ".yml")) else "hcl"


def cache_kind(path: str, hcl_parser: str = DEFAULT_PARSER) -> str:
    """What a cached result of ``path`` depends on besides its bytes: the parser."""
    kind = parser_kind(path)
    return f"{kind}:{hcl_parser}" if kind == "hcl" else kind


def parse_file(path: str, data: bytes, hcl_parser: str = DEFAULT_PARSER) -> ParseResult:
    """Parse one file's bytes; depends only on ``path`` and ``data``, never on other files.

    The size limit is applied before (see :func:`too_large`), so that a result never
    depends on the limit in force and can be cached whatever the limit.
    """
    kind = parser_kind(path)
    if b"\x00" in data[:_BINARY_PROBE]:
        return None, [Diagnostic(path, 0, f"binary file (NUL bytes), not {kind.upper()} text")]
    if kind == "yaml":
        docs, diagnostics = load_yaml(path, data)
        return docs, diagnostics
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Diagnostic(path, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x})")]
    if "\x00" in text:
        return None, [Diagnostic(path, 0, "binary file (NUL bytes), not HCL text")]
    try:
        return parse_hcl(path, text, hcl_parser), []
    except HclError as exc:
        return None, [Diagnostic(path, exc.line, str(exc))]


def parse_many(
    items: list[tuple[str, bytes]], hcl_parser: str = DEFAULT_PARSER
) -> list[ParseResult]:
    """Worker entry point for a batch of files (fewer round trips than one per file)."""
    return [parse_file(path, data, hcl_parser) for path, data in items]
