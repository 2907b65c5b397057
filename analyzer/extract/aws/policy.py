"""IAM policy JSON (as text, ``jsonencode`` structure or rendered document) → grants."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from driftgate.analyzer.model import Condition, Grant, Location, Permission, Trust
from driftgate.analyzer.permissions.aws import EXCEPT, NOT
from driftgate.analyzer.providers.aws import statement_condition
from driftgate.analyzer.terraform.values import (
    LocatedDict,
    UnknownValue,
    Value,
    display,
    plain_value,
)


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    principals: tuple[str, ...]
    conditions: tuple[Condition, ...]
    unknown: tuple[str, ...]
    line: int | None
    # The file it is written in, when not the policy's own (a local, a module input).
    path: str = ""
    end_line: int | None = None
    origins: tuple[tuple[str, int, int], ...] = ()

    def located(self, fallback: Location) -> Location:
        if self.line is None:
            return fallback
        end = self.end_line if self.end_line and self.end_line > self.line else None
        return Location(path=self.path or fallback.path, line=self.line, end_line=end)

    @property
    def label(self) -> str:
        """How a reviewer finds the statement: its Sid, else its position."""
        return f'statement "{self.sid}"' if self.sid else f"statement {self.index + 1}"


def _statement_lines(text: str, first_line: int) -> list[tuple[int, int]]:
    """The first and last line of each element of the ``Statement`` array of JSON ``text``."""
    decoder = json.JSONDecoder()
    key = text.find('"Statement"')
    start = text.find("[", key) if key >= 0 else -1
    if start < 0 or text[key + len('"Statement"') : start].strip() != ":":
        return []
    lines: list[tuple[int, int]] = []
    pos = start + 1
    # Newlines are counted from the previous statement on, not from the start each time
    # (a policy may hold tens of thousands of statements).
    counted, line = 0, first_line
    while pos < len(text):
        ch = text[pos]
        if ch in " \t\r\n,":
            pos += 1
            continue
        if ch == "]":
            break
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            _, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return []
        lines.append((line, line + text.count("\n", counted, pos)))
    return lines


def statements(policy: Value, text_line: int | None = None) -> tuple[list[Statement], str | None]:
    """The statements of a policy and, when it cannot be read, why.

    ``text_line`` is the line a policy given as JSON text starts on (a heredoc), so
    that each statement can be located.
    """
    if isinstance(policy, UnknownValue):
        return [], f"policy {policy} is not known statically"
    policy = plain_value(policy)
    if isinstance(policy, str):
        text = policy
        try:
            policy = json.loads(text)
        except ValueError:
            return [], "policy is not valid JSON"
        if text_line is not None and isinstance(policy, dict):
            raw = policy.get("Statement")
            lines = _statement_lines(text, text_line)
            if isinstance(raw, list) and len(lines) == len(raw):
                for i, (stmt, (line, end)) in enumerate(zip(raw, lines, strict=True)):
                    if isinstance(stmt, dict):
                        raw[i] = located = LocatedDict(stmt)
                        located.line, located.end_line = line, end
    if not isinstance(policy, dict):
        return [], "policy is not a JSON object"
    raw = policy.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return [], "Statement is not a list"
    return [_statement(i, s) for i, s in enumerate(raw) if isinstance(s, dict)], None


def _strings(value: Value) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A string-or-list field as strings, with the unknown parts named separately."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    unknown: list[str] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, list):
            inner, inner_unknown = _strings(item)
            out.extend(inner)
            unknown.extend(inner_unknown)
            continue
        text = display(item)
        out.append(text)
        if isinstance(item, UnknownValue):
            unknown.append(text)
    return tuple(out), tuple(unknown)


def _statement(index: int, raw: dict[str, Value]) -> Statement:
    not_action = "NotAction" in raw
    actions, unknown_a = _strings(raw.get("NotAction" if not_action else "Action", []))
    not_resource = "NotResource" in raw
    resources, unknown_r = _strings(raw.get("NotResource" if not_resource else "Resource", "*"))
    principals: list[str] = []
    principal = raw.get("Principal")
    if isinstance(principal, dict):
        for kind, ids in principal.items():
            principals.extend(f"{kind}:{p}" for p in _strings(ids)[0])
    elif principal is not None:
        principals.extend(_strings(principal)[0])
    conditions = []
    condition = raw.get("Condition")
    if isinstance(condition, dict):
        for test, pairs in sorted(condition.items()):
            if isinstance(pairs, dict):
                for key, values in sorted(pairs.items()):
                    found = tuple(_strings(values)[0])
                    conditions.append(statement_condition(str(test), str(key), found))
    effect = display(raw.get("Effect", "Allow"))
    return Statement(
        index=index,
        sid=raw["Sid"] if isinstance(raw.get("Sid"), str) and raw["Sid"] else None,
        effect=effect,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principals=tuple(principals),
        conditions=tuple(conditions),
        unknown=unknown_a + unknown_r,
        line=raw.line if isinstance(raw, LocatedDict) and raw.line else None,
        path=raw.path if isinstance(raw, LocatedDict) else "",
        end_line=raw.end_line if isinstance(raw, LocatedDict) else None,
        origins=raw.origins if isinstance(raw, LocatedDict) else (),
    )


def grants(
    identity: str, policy: Value, via: str, location: Location, text_line: int | None = None
) -> Iterator[Grant]:
    """One grant per statement, located at the statement when its line is known."""
    found, problem = statements(policy, text_line)
    if problem is not None:
        yield Grant(identity=identity, via=via, unknown=(problem,), location=location)
        return
    yield from statement_grants(identity, found, via, location)


def statement_grants(
    identity: str, found: Iterable[Statement], via: str, location: Location
) -> Iterator[Grant]:
    """The grants of statements already read (see :func:`grants`)."""
    for stmt in found:
        # NotAction [a, b] is every action but a and b: one permission, "NOT a|b" (two
        # "NOT" permissions would each allow what the other excludes).
        actions = [NOT + EXCEPT.join(stmt.actions)] if stmt.not_action else stmt.actions
        resources = [NOT + EXCEPT.join(stmt.resources)] if stmt.not_resource else stmt.resources
        if not stmt.actions:
            actions = []
        if not stmt.resources:
            resources = []
        permissions = tuple(
            Permission(action=action, resource=resource)
            for action in actions
            for resource in resources
        )
        where = stmt.located(location)
        origins = tuple(
            Location(path=p, line=n, end_line=e if e > n else None) for p, n, e in stmt.origins
        )
        effect = "deny" if stmt.effect.lower() == "deny" else "allow"
        yield Grant(
            identity=identity,
            effect=effect,
            permissions=permissions,
            conditions=stmt.conditions,
            via=f"{via} {stmt.label}",
            unknown=stmt.unknown,
            location=where,
            origins=origins,
        )


def trusts(
    identity: str, policy: Value, via: str, location: Location, text_line: int | None = None
) -> Iterator[Trust]:
    found, _ = statements(policy, text_line)
    for stmt in found:
        if stmt.effect.lower() != "allow":
            continue
        yield Trust(
            identity=identity,
            principals=stmt.principals,
            actions=stmt.actions,
            conditions=stmt.conditions,
            via=f"{via} {stmt.label}",
            location=stmt.located(location),
        )
