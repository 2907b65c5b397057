"""Vault: capabilities on path globs (``*`` at the end is a prefix, ``+`` one segment)."""

from __future__ import annotations

from driftgate.analyzer.model import Permission

_PLUS, _REST = 0, 1  # the wildcard tokens; any other token is a literal character
# Paths longer than this product are compared for equality only (never a false cover).
_MAX_WORK = 1_000_000


def _path_covers(broad: str, narrow: str) -> bool:
    """``+`` is any text within one path segment, never the other pattern's own ``*``;
    a trailing ``*`` is any rest. Simulated as an automaton: O(len(broad) * len(narrow)),
    where a regular expression of ``+++…`` backtracks exponentially."""
    if broad == narrow:
        return True
    tokens: list[int | str] = [_PLUS if ch == "+" else ch for ch in broad.removesuffix("*")]
    if broad.endswith("*"):
        tokens.append(_REST)
    if len(tokens) * (len(narrow) + 1) > _MAX_WORK:
        return False
    states = _closure({0}, tokens)
    for ch in narrow:
        moved: set[int] = set()
        for i in states:
            if i == len(tokens):
                continue
            token = tokens[i]
            if token == _REST or (token == _PLUS and ch not in "/*"):
                moved.add(i)
            elif token == ch:
                moved.add(i + 1)
        if not moved:
            return False
        states = _closure(moved, tokens)
    return len(tokens) in states


def _closure(states: set[int], tokens: list[int | str]) -> set[int]:
    """``states`` plus those reached by letting wildcards match nothing."""
    found = set(states)
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(tokens) and tokens[i] in (_PLUS, _REST) and i + 1 not in found:
            found.add(i + 1)
            todo.append(i + 1)
    return found


def covers(broad: Permission, narrow: Permission) -> bool:
    capability = broad.action.lower()
    if capability not in ("*", narrow.action.lower()):
        return False
    return _path_covers(broad.resource, narrow.resource)
