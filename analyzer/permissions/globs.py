"""Wildcard patterns as the providers use them: ``*`` and ``?``, nothing else special."""

from __future__ import annotations


def matches(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """``value`` (itself possibly a pattern, whose ``*`` is then a literal) fits ``pattern``.

    A pattern covers another when every string the second matches, the first matches
    too; treating the narrow pattern's wildcards as literals that the broad pattern's
    ``*`` absorbs is exact for the patterns IAM policies use in practice. A ``?`` is one
    character but never the other pattern's own ``*`` (which stands for any number).

    Greedy matching with one backtrack point (the last ``*``): O(len(pattern) *
    len(value)) at worst, never exponential, whatever a hostile repository writes.
    """
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    if "?" not in pattern:
        # What policies write: a literal, ``*``, ``s3:Get*``, ``arn:...:role/*-ci``.
        # Answered without the walk below (the same answers, at C speed).
        stars = pattern.count("*")
        if stars == 0:
            return pattern == value
        if stars == 1:
            head, _, tail = pattern.partition("*")
            return (
                len(value) >= len(head) + len(tail)
                and value.startswith(head)
                and value.endswith(tail)
            )
    return walk(pattern, value)


def walk(pattern: str, value: str) -> bool:
    """:func:`matches` for any pattern, case as given: the general algorithm."""
    p = v = 0
    star = -1
    mark = 0
    while v < len(value):
        if p < len(pattern) and pattern[p] == "*":
            star, mark = p, v
            p += 1
        elif p < len(pattern) and (
            pattern[p] == value[v] or (pattern[p] == "?" and value[v] != "*")
        ):
            p += 1
            v += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            v = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)
