"""Inline suppressions: ``driftgate:ignore`` comments and the ``driftgate.io/ignore`` annotation.

Read from the text of the files findings point at (DESIGN.md §5, "Inline suppression
placement"), never from the model:

- ``# driftgate:ignore[DG302,DG3] reason text until=YYYY-MM-DD`` (``//`` in HCL too) on
  a line covers findings on that line when code precedes it, else on the line below;
  when that line opens a top-level HCL block (``resource "…" "…" {``) or starts a YAML
  document (its ``---`` or its first line, ``apiVersion``), the whole block/document;
- ``driftgate.io/ignore: "DG302: reason until=YYYY-MM-DD"`` in a Kubernetes object's
  annotations covers its whole YAML document.

Ids may be prefixes (``DG3`` covers DG301 to DG303). A directive without a reason, with an
unreadable ``until`` or past its ``until`` does not apply; the engine reports it as DG901.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

Reader = Callable[[str], bytes | None]

_COMMENT = re.compile(r"(?:#|//)\s*driftgate:ignore\[([^\]]*)\]([^\r\n]*)")
_ANNOTATION = re.compile(r"^\s*[\"']?driftgate\.io/ignore[\"']?\s*:\s*(.*?)\s*$")
_ANNOTATION_VALUE = re.compile(r"^([A-Za-z0-9_, ]+):(.*)$")
_UNTIL = re.compile(r"(?:^|\s)until=(\S*)")
_HCL_BLOCK = re.compile(r'^[A-Za-z_][\w-]*(?:\s+(?:"[^"]*"|[A-Za-z_][\w-]*))*\s*\{')
_YAML_SEPARATOR = re.compile(r"^---(?:\s|$)")


@dataclass(frozen=True, slots=True)
class InlineSuppression:
    path: str
    # Where the directive is written (the comment or the annotation).
    line: int
    checks: tuple[str, ...]
    reason: str
    until: dt.date | None
    # The lines it covers, inclusive.
    first: int
    last: int
    # Why it does not apply, if it does not: "no-reason", "bad-until".
    problem: str | None = None
    until_text: str = ""

    def covers(self, check_id: str, line: int) -> bool:
        return self.first <= line <= self.last and any(
            check_id.startswith(c) for c in self.checks if c
        )

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and self.until < today

    def applies(self, today: dt.date) -> bool:
        return self.problem is None and not self.expired(today)


def _parse_body(rest: str) -> tuple[str, dt.date | None, str | None, str]:
    """``reason text until=2025-01-01`` → (reason, until, problem, until as written)."""
    until: dt.date | None = None
    problem: str | None = None
    until_text = ""
    match = _UNTIL.search(rest)
    if match is not None:
        until_text = match.group(1)
        rest = rest[: match.start()] + rest[match.end() :]
        try:
            until = dt.date.fromisoformat(until_text)
        except ValueError:
            problem = "bad-until"
    reason = " ".join(rest.split()).strip(" -:\"'")
    if not reason and problem is None:
        problem = "no-reason"
    return reason, until, problem, until_text


def _ids(text: str) -> tuple[str, ...]:
    return tuple(p.strip().upper() for p in text.split(",") if p.strip())


def _is_comment_only(line: str, column: int) -> bool:
    return not line[:column].strip()


def _yaml_segments(lines: list[str]) -> list[tuple[int, int, int]]:
    """(start, first content line, end) per YAML document, 1-based; start is its ``---``."""
    starts = [0] + [i for i, ln in enumerate(lines) if _YAML_SEPARATOR.match(ln) and i > 0]
    if lines and _YAML_SEPARATOR.match(lines[0]):
        starts[0] = 0
    segments: list[tuple[int, int, int]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else len(lines) - 1
        first = start
        for i in range(start, end + 1):
            stripped = lines[i].strip()
            if stripped and not stripped.startswith("#") and not _YAML_SEPARATOR.match(lines[i]):
                first = i
                break
        segments.append((start + 1, first + 1, end + 1))
    return segments


def _span(path: str, lines: list[str], target: int) -> tuple[int, int]:
    """What a directive aimed at 1-based line ``target`` covers."""
    if target < 1 or target > len(lines):
        return target, target
    if path.endswith((".yaml", ".yml")):
        for start, first, end in _yaml_segments(lines):
            if target in (start, first):
                return start, end
        return target, target
    if _HCL_BLOCK.match(lines[target - 1]):
        # Up to the next top-level block; its closing brace when there is one before that.
        end = next((i for i in range(target, len(lines)) if _HCL_BLOCK.match(lines[i])), len(lines))
        close = next((i for i in range(end - 1, target - 1, -1) if lines[i].startswith("}")), None)
        return target, (close + 1) if close is not None else end
    return target, target


def parse_file(path: str, data: bytes) -> list[InlineSuppression]:
    if b"driftgate" not in data:
        return []  # most files: no line to look at
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    lines = text.splitlines()
    found: list[InlineSuppression] = []
    for number, line in enumerate(lines, start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        target = number + 1 if _is_comment_only(line, match.start()) else number
        first, last = _span(path, lines, target)
        reason, until, problem, until_text = _parse_body(match.group(2))
        found.append(
            InlineSuppression(
                path, number, _ids(match.group(1)), reason, until, first, last, problem, until_text
            )
        )
    if path.endswith((".yaml", ".yml")):
        for start, _first, end in _yaml_segments(lines):
            for number in range(start, end + 1):
                annotation = _ANNOTATION.match(lines[number - 1])
                if annotation is None:
                    continue
                value = annotation.group(1).strip().strip("\"'")
                body = _ANNOTATION_VALUE.match(value)
                ids, rest = (body.group(1), body.group(2)) if body else (value, "")
                reason, until, problem, until_text = _parse_body(rest)
                found.append(
                    InlineSuppression(
                        path, number, _ids(ids), reason, until, start, end, problem, until_text
                    )
                )
    return found


@dataclass
class InlineIndex:
    """Directives by file, read once per file through ``read``."""

    read: Reader
    files: dict[str, list[InlineSuppression]] = field(default_factory=dict)

    def in_file(self, path: str) -> list[InlineSuppression]:
        if path not in self.files:
            data = self.read(path)
            self.files[path] = parse_file(path, data) if data is not None else []
        return self.files[path]

    def matching(self, check_id: str, path: str, line: int) -> list[InlineSuppression]:
        return [s for s in self.in_file(path) if s.covers(check_id, line)]

    def seen(self) -> list[InlineSuppression]:
        return [s for path in sorted(self.files) for s in self.files[path]]
