"""The five surfaces driftgate exposes to untrusted text, each as one call that must
return normally for *any* input, and the contract every result is held to.

Shared by the hypothesis tests (tests/test_fuzz_*.py, run in CI) and the atheris
harnesses (tests/fuzz/fuzz_*.py, run by hand). An exception escaping one of these
functions is a bug: driftgate would print a traceback instead of a diagnostic.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from driftgate.analyzer.config import Config, ConfigError, load_config
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.engine.inline import InlineSuppression
from driftgate.analyzer.engine.inline import parse_file as parse_inline
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Permission
from driftgate.analyzer.parse.files import parse_file
from driftgate.analyzer.pipeline import BuiltModel, ParseCache, build_model
from driftgate.analyzer.providers import covers
from driftgate.analyzer.sources.base import MAX_READ_PATH, SourceFile

PROVIDERS = ("aws", "kubernetes", "gcp", "azure", "vault")


class MemoryTree:
    """A tree held in memory: paths → bytes (what a git revision or a folder yields)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self._files = dict(sorted(files.items()))

    @property
    def label(self) -> str:
        return "memory"

    def files(self) -> Iterator[SourceFile]:
        for path, data in self._files.items():
            yield SourceFile(path, f"{path}:{hash(data)}", _constant(data), len(data))

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        data = self._files.get(path)
        return data if data is not None and len(data) <= limit else None


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def check_diagnostics(diagnostics: list[Diagnostic], paths: set[str]) -> None:
    """Every diagnostic names a file of the tree (or the run) and a line, with a cause."""
    for d in diagnostics:
        assert d.path in paths or d.path == "" or any(p.startswith(d.path) for p in paths), d
        assert isinstance(d.line, int) and d.line >= 0, d
        assert d.message.strip(), d
        assert d.level in ("error", "warning"), d


def parse_one(path: str, data: bytes) -> None:
    """One file through its parser: a result, or no result and at least one error."""
    parsed, diagnostics = parse_file(path, data)
    check_diagnostics(diagnostics, {path})
    if parsed is None:
        assert any(d.level == "error" for d in diagnostics), diagnostics


def build(files: dict[str, bytes]) -> BuiltModel:
    """Files → parse, evaluate, extract, link: the model, with diagnostics for the rest."""
    built = build_model(MemoryTree(files), ExtractOptions(), ParseCache())
    check_diagnostics(built.diagnostics, set(files))
    assert built.files == len(files)
    return built


def algebra(provider: str, broad: Permission, narrow: Permission) -> bool:
    """The algebra is total: True or False, and a permission always covers itself."""
    result = covers(provider, broad, narrow)
    assert isinstance(result, bool)
    assert covers(provider, narrow, narrow)
    return result


def config(name: str, data: bytes) -> Config | None:
    """A configuration file's bytes → a Config, or a ConfigError naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / name).write_bytes(data)
        try:
            return load_config(root)[0]
        except ConfigError as error:
            assert name in str(error), error
            return None


def inline(path: str, data: bytes) -> list[InlineSuppression]:
    """Directives are read from any text; each covers lines of the file it is in."""
    found = parse_inline(path, data)
    for directive in found:
        assert directive.path == path
        assert directive.line >= 1, directive
        assert 1 <= directive.first <= directive.last, directive
        assert directive.problem in (None, "no-reason", "bad-until"), directive
    return found
