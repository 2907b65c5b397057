"""The lines a change wrote, so that a finding points at one of them.

A finding located at a whole statement or block (``statement { ... }``, a role) is
moved to the line inside it that the pull request added or edited: GitHub shows an
annotation only on lines of the diff, and the reviewer wants the line that did it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from driftgate.analyzer.engine.inline import Reader
from driftgate.analyzer.model import Location

# Files longer than this are not diffed line by line (difflib is quadratic at worst):
# findings in them keep the block's first line.
_MAX_LINES = 20_000


@dataclass
class ChangedLines:
    """Head lines that differ from base, per file, computed on first use."""

    read_head: Reader
    read_base: Reader
    _added: dict[str, frozenset[int] | None] = field(default_factory=dict)
    _lines: dict[str, list[str]] = field(default_factory=dict)

    def added(self, path: str) -> frozenset[int] | None:
        """1-based head lines the change added or edited; None when the file is unreadable."""
        if path not in self._added:
            self._added[path] = self._diff(path)
        return self._added[path]

    def _head_lines(self, path: str) -> list[str]:
        if path not in self._lines:
            head = self.read_head(path)
            self._lines[path] = head.decode("utf-8", "replace").splitlines() if head else []
        return self._lines[path]

    def _diff(self, path: str) -> frozenset[int] | None:
        head_lines = self._head_lines(path)
        if not head_lines:
            return None
        base = self.read_base(path)
        if base is None:
            return frozenset(range(1, len(head_lines) + 1))
        base_lines = base.decode("utf-8", "replace").splitlines()
        if max(len(head_lines), len(base_lines)) > _MAX_LINES:
            return None
        return frozenset(_added(base_lines, head_lines))

    def touches(self, location: Location) -> bool:
        """Whether the change wrote a line of ``location`` (its span, or its one line)."""
        added = self.added(location.path)
        if not added:
            return False
        end = location.end_line if location.end_line else location.line
        return any(location.line <= n <= end for n in added)

    def at_change(self, location: Location, hints: tuple[str, ...] = ()) -> Location:
        """``location`` narrowed to the changed line inside it, when it spans lines.

        Among the changed lines of the span, the first that names the first of ``hints``
        found (actions or resources the finding is about, the likeliest first) wins,
        else the first changed line that is not a comment.
        A span the change did not touch, or one it wrote whole, is returned as it is.
        """
        end = location.end_line
        if end is None or end <= location.line:
            return location
        added = self.added(location.path)
        if not added or location.line in added:
            # Untouched, or written by the change from its first line (a new statement).
            return location
        inside = sorted(n for n in added if location.line <= n <= end)
        if not inside:
            return location
        lines = self._head_lines(location.path)
        # Comments and blank lines are never what a finding is about.
        inside = [n for n in inside if n <= len(lines) and _code(lines[n - 1])]
        if not inside:
            return location
        chosen = next((n for h in hints for n in inside if h in lines[n - 1]), inside[0])
        return Location(path=location.path, line=chosen)


def _code(line: str) -> bool:
    text = line.strip()
    return bool(text) and not text.startswith(("#", "//", "/*", "*"))


def _added(base: list[str], head: list[str]) -> set[int]:
    """1-based head lines that are not base's, by difflib on what lies between the lines
    both share at the start and at the end. Like git's own diff (xdiff trims them too),
    so the lines match what the pull request shows; and a line added to a file of
    thousands of alike lines (``- get`` in every RBAC rule) costs what the change does,
    where difflib on the whole file was quadratic in its repeated lines."""
    start, limit = 0, min(len(base), len(head))
    while start < limit and base[start] == head[start]:
        start += 1
    end = 0
    while end < limit - start and base[-1 - end] == head[-1 - end]:
        end += 1
    middle = difflib.SequenceMatcher(
        None, base[start : len(base) - end], head[start : len(head) - end], autojunk=False
    )
    found: set[int] = set()
    for tag, _, _, j1, j2 in middle.get_opcodes():
        if tag in ("replace", "insert"):
            found.update(range(start + j1 + 1, start + j2 + 1))
    return found
