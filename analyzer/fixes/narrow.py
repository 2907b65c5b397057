"""A narrowing fix for a statement that grew: its actions, resources and conditions put
back as the base wrote them.

What the change meant beyond the base cannot be read from a wildcard, so the fix keeps
what the base allowed (the issue's "when in doubt"). Only the parts that differ from the
base are replaced (or, for a condition the change removed, put back); the rest of the
statement is left as the change wrote it. The caller verifies every proposal by scanning
the fixed tree: the growth must be gone, nothing may be new, nothing may widen.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftgate.analyzer.fixes.statements import (
    ACTIONS,
    RESOURCES,
    Span,
    Statement,
    containing,
    counterpart,
    statements,
)
from driftgate.analyzer.parse import hcl_ast as ast


@dataclass(frozen=True, slots=True)
class Proposal:
    """Lines ``line``..``end_line`` of ``path`` (1-based, inclusive) become ``text``."""

    path: str
    line: int
    end_line: int
    text: str
    description: str


class NoFix(Exception):
    """Why no narrowing statement can be proposed (said to the user as "no safe fix")."""


def propose(
    path: str,
    line: int,
    head: tuple[ast.HclFile, str],
    base: tuple[ast.HclFile, str] | None,
) -> list[Proposal]:
    """Narrowings of the statement at ``path``:``line`` of the head towards the base's,
    narrowest change first: each part that differs put back alone (so what the change
    narrowed elsewhere stays narrowed), then all of them together."""
    head_hcl, head_text = head
    head_lines = head_text.splitlines()
    stmt = containing(statements(head_hcl, head_lines), line)
    if stmt is None:
        raise NoFix("the grant is not a policy-document statement or a jsonencode() statement")
    if base is None:
        raise NoFix(f"{path} is new: there is no base statement to narrow it to")
    base_hcl, base_text = base
    base_lines = base_text.splitlines()
    old = counterpart(statements(base_hcl, base_lines), stmt)
    if old is None:
        raise NoFix("the statement is new: there is no base statement to narrow it to")

    changes: list[_Change] = []
    for names in (ACTIONS, RESOURCES):
        now = [n for n in names if n in stmt.parts]
        then = [n for n in names if n in old.parts]
        if now != then:
            raise NoFix(f"the change switches between {' and '.join(names)}")
        for name in now:
            span, was = stmt.parts[name], old.parts[name]
            if _text(head_lines, span) != _text(base_lines, was):
                written = _reindent(base_lines, was, head_lines[span.line - 1])
                changes.append(_Change(name.replace("_", " "), {span.line: (span, written)}, []))
    gone = _missing(head_lines, stmt.conditions, base_lines, old.conditions)
    if gone:
        indent = _indent_of_parts(head_lines, stmt)
        restored = [line for was in gone for line in _reindent(base_lines, was, indent)]
        changes.append(_Change("condition" if len(gone) == 1 else "conditions", {}, restored))
    if not changes:
        raise NoFix("its actions, resources and conditions are as at base")
    together = _Change(
        " and ".join(c.what for c in changes),
        {k: v for c in changes for k, v in c.replaced.items()},
        [line for c in changes for line in c.inserted],
    )
    chosen = [*changes, together] if len(changes) > 1 else changes
    return [_proposal(path, stmt, head_lines, c) for c in chosen]


@dataclass(frozen=True, slots=True)
class _Change:
    what: str
    # first line of a part -> (its span, the lines that replace it)
    replaced: dict[int, tuple[Span, list[str]]]
    # lines put back before the statement's closing line (a condition the change removed)
    inserted: list[str]


def _proposal(path: str, stmt: Statement, head_lines: list[str], change: _Change) -> Proposal:
    new_lines: list[str] = []
    number = stmt.span.line
    while number <= stmt.span.end_line:
        if number in change.replaced:
            span, written = change.replaced[number]
            new_lines += written
            number = span.end_line + 1
            continue
        if number == stmt.span.end_line:
            new_lines += change.inserted
        new_lines.append(head_lines[number - 1])
        number += 1
    old_lines = head_lines[stmt.span.line - 1 : stmt.span.end_line]
    first, last = _trim(old_lines, new_lines)
    text = "\n".join(new_lines[first : len(new_lines) - last])
    name = f' "{stmt.sid}"' if stmt.sid else ""
    return Proposal(
        path,
        stmt.span.line + first,
        stmt.span.end_line - last,
        text,
        f"put the {change.what} of statement{name} back as at base",
    )


def apply(text: str, proposal: Proposal) -> str:
    """``text`` with the proposal's lines replaced (line endings and the end kept)."""
    lines = text.splitlines(keepends=True)
    ending = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    inserted = [line + ending for line in proposal.text.split("\n")] if proposal.text else []
    if proposal.end_line == len(lines) and not text.endswith(("\n", "\r")) and inserted:
        inserted[-1] = inserted[-1].rstrip("\r\n")
    return "".join(lines[: proposal.line - 1] + inserted + lines[proposal.end_line :])


def _text(lines: list[str], span: Span) -> str:
    return "\n".join(line.strip() for line in lines[span.line - 1 : span.end_line])


def _missing(
    head_lines: list[str], now: tuple[Span, ...], base_lines: list[str], then: tuple[Span, ...]
) -> list[Span]:
    """The base's conditions the head no longer has (compared as written)."""
    present = {_text(head_lines, s) for s in now}
    return [s for s in then if _text(base_lines, s) not in present]


def _reindent(lines: list[str], span: Span, like: str) -> list[str]:
    """The span's lines, shifted so that the first is indented as ``like``."""
    block = lines[span.line - 1 : span.end_line]
    have = len(block[0]) - len(block[0].lstrip())
    want = like[: len(like) - len(like.lstrip())]
    out = []
    for line in block:
        stripped = line[have:] if line[:have].strip() == "" else line.lstrip()
        out.append(want + stripped if line.strip() else "")
    return out


def _indent_of_parts(lines: list[str], stmt: Statement) -> str:
    """The indentation of the statement's own parts (its second line)."""
    for span in (*stmt.parts.values(), *stmt.conditions):
        return lines[span.line - 1]
    inner = lines[stmt.span.line] if stmt.span.end_line > stmt.span.line else ""
    return inner


def _trim(old: list[str], new: list[str]) -> tuple[int, int]:
    """Lines the same at the start and at the end of both: left out of the edit."""
    first = 0
    while first < min(len(old), len(new)) and old[first] == new[first]:
        first += 1
    last = 0
    while (
        last < min(len(old), len(new)) - first
        and old[len(old) - 1 - last] == new[len(new) - 1 - last]
    ):
        last += 1
    # An edit replaces at least one line (a suggestion cannot only insert): the line
    # after an insertion goes with it.
    if len(old) - first - last < 1:
        last -= 1
    return first, last
