"""A Terraform or OpenTofu plan in JSON (``terraform show -json plan.out``), validated.

Only what driftgate reads is kept: each resource instance's values before and after the
change (with the paths that are unknown until apply or sensitive), and the expressions
of the configuration, which say which arguments the configuration sets and what they
refer to. Everything else in the document is ignored, as the format asks of readers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftgate.analyzer.diagnostics import Diagnostic

# Large enough for plans of thousands of resources; json.loads needs several times a
# file's size in memory, so a bigger file is refused before it is read.
MAX_PLAN_SIZE = 128 * 1024 * 1024
SUPPORTED_MAJOR = ("0", "1")  # "0.2": Terraform 0.15-1.0; "1.x": 1.1 and later, OpenTofu


class PlanError(Exception):
    """A plan file that cannot be used: ``line`` is 0 when no line is to blame."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class PlanResource:
    """One resource instance of a plan: its values on each side of the change.

    ``before``/``after`` are None where the instance does not exist on that side
    (created, deleted). The ``*_unknown``/``*_sensitive`` trees mirror the values with
    ``true`` at the paths that are unknown until apply, or sensitive.
    """

    address: str
    module_address: str  # "" in the root module
    mode: str
    type: str
    name: str
    index: int | str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    after_unknown: Any = None
    before_sensitive: Any = None
    after_sensitive: Any = None
    actions: tuple[str, ...] = ("no-op",)


@dataclass(frozen=True, slots=True)
class ConfigResource:
    """A resource block as the plan's ``configuration`` records it."""

    expressions: dict[str, Any]


@dataclass(slots=True)
class Plan:
    path: str  # as reported to the user
    format_version: str
    tool_version: str
    resources: list[PlanResource] = field(default_factory=list)
    # (module call names from the root, "type.name" / "data.type.name") → its block.
    config: dict[tuple[tuple[str, ...], str], ConfigResource] = field(default_factory=dict)
    # Module call names from the root → the call's source (registry, git, local path).
    module_sources: dict[tuple[str, ...], str] = field(default_factory=dict)
    root_resources: set[str] = field(default_factory=set)
    root_calls: set[str] = field(default_factory=set)


def read_plan(file: Path, shown: str, max_size: int | None = None) -> Plan:
    """Read and validate ``file``; ``shown`` is how messages name it."""
    limit = MAX_PLAN_SIZE if max_size is None else max_size
    try:
        size = file.stat().st_size
        if size > limit:
            raise PlanError(f"plan is {_size(size)}, over the {_size(limit)} limit for plans")
        data = file.read_bytes()
    except OSError as exc:
        raise PlanError(f"cannot read the plan: {exc.strerror or exc}") from None
    return parse_plan(shown, data, limit)


def parse_plan(shown: str, data: bytes, max_size: int | None = None) -> Plan:
    limit = MAX_PLAN_SIZE if max_size is None else max_size
    if len(data) > limit:
        raise PlanError(f"plan is {_size(len(data))}, over the {_size(limit)} limit for plans")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "write the plan with `terraform show -json plan.out > plan.json`"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise PlanError("not a plan: JSON nested too deeply") from None
    return _plan(shown, document)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KiB"


def plan_diagnostic(shown: str, error: PlanError) -> Diagnostic:
    return Diagnostic(shown, error.line, f"Terraform plan: {error}", "parse-error")


def _plan(shown: str, document: Any) -> Plan:
    if not isinstance(document, dict):
        raise PlanError("not a Terraform plan: the JSON is not an object")
    version = document.get("format_version")
    if not isinstance(version, str):
        raise PlanError(
            "not a Terraform plan: no format_version (write it with "
            "`terraform show -json plan.out`, not `terraform plan -json`)"
        )
    if version.split(".")[0] not in SUPPORTED_MAJOR:
        raise PlanError(
            f"format_version {version} is not supported (driftgate reads 0.2 and 1.x, "
            "from Terraform 0.15 and later and OpenTofu)"
        )
    if version in ("0.0", "0.1"):
        # Sensitivity marks (before_sensitive/after_sensitive) came with Terraform 0.15:
        # without them a secret in the plan could not be kept out of the reports.
        raise PlanError(
            f"format_version {version} (Terraform 0.12-0.14) does not mark sensitive "
            "values, so driftgate cannot keep them out of its reports; make the plan "
            "with Terraform 0.15 or later"
        )
    if "resource_changes" not in document and "planned_values" not in document:
        what = "a state" if "values" in document else "a plan"
        raise PlanError(
            f"not a Terraform plan: this looks like {what} without resource_changes or "
            "planned_values; use `terraform show -json plan.out` on a saved plan"
        )
    tool = document.get("terraform_version")
    plan = Plan(shown, version, tool if isinstance(tool, str) else "")
    _changes(plan, document.get("resource_changes"))
    _state(plan, document)
    _configuration(plan, _obj(_obj(document.get("configuration")).get("root_module")))
    return plan


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _index(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    return value if isinstance(value, int | str) else None


def _changes(plan: Plan, changes: Any) -> None:
    if changes is not None and not isinstance(changes, list):
        raise PlanError("resource_changes is not a list")
    for i, item in enumerate(_list(changes)):
        if not isinstance(item, dict):
            raise PlanError(f"resource_changes[{i}] is not an object")
        if item.get("deposed"):
            continue  # an old object awaiting destruction: not what the change makes
        change = _obj(item.get("change"))
        address, type_, name = (_text(item.get(k)) for k in ("address", "type", "name"))
        if not (address and type_ and name):
            raise PlanError(f"resource_changes[{i}] has no address, type or name")
        actions = tuple(a for a in _list(change.get("actions")) if isinstance(a, str))
        before, after = change.get("before"), change.get("after")
        plan.resources.append(
            PlanResource(
                address=address,
                module_address=_text(item.get("module_address")),
                mode=_text(item.get("mode")) or "managed",
                type=type_,
                name=name,
                index=_index(item.get("index")),
                before=before if isinstance(before, dict) else None,
                after=after if isinstance(after, dict) else None,
                after_unknown=change.get("after_unknown"),
                before_sensitive=change.get("before_sensitive"),
                after_sensitive=change.get("after_sensitive"),
                actions=actions or ("no-op",),
            )
        )


def _state(plan: Plan, document: dict[str, Any]) -> None:
    """Instances the changes do not list: data sources read while planning, and
    resources of plans written without no-op changes. Prior state gives both sides."""
    seen = {r.address for r in plan.resources}
    prior = _obj(_obj(document.get("prior_state")).get("values")).get("root_module")
    planned = _obj(document.get("planned_values")).get("root_module")
    for source in (prior, planned):
        for item in _module_resources(_obj(source), 0):
            address = _text(item.get("address"))
            if not address or address in seen:
                continue
            seen.add(address)
            values = item.get("values")
            values = values if isinstance(values, dict) else {}
            sensitive = item.get("sensitive_values")
            plan.resources.append(
                PlanResource(
                    address=address,
                    module_address=_module_of(address),
                    mode=_text(item.get("mode")) or "managed",
                    type=_text(item.get("type")),
                    name=_text(item.get("name")),
                    index=_index(item.get("index")),
                    before=values if source is prior else None,
                    after=values,
                    before_sensitive=sensitive,
                    after_sensitive=sensitive,
                    actions=("no-op",) if source is prior else ("create",),
                )
            )


MAX_MODULE_DEPTH = 32


def _module_resources(module: dict[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_MODULE_DEPTH:
        raise PlanError("modules nested too deeply")
    for item in _list(module.get("resources")):
        if isinstance(item, dict) and item.get("type") and item.get("name"):
            yield item
    for child in _list(module.get("child_modules")):
        yield from _module_resources(_obj(child), depth + 1)


def _module_of(address: str) -> str:
    """``module.a["x"].aws_iam_role.r[0]`` → ``module.a["x"]``."""
    parts = split_address(address)
    modules: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        modules.append(f"module.{parts[i + 1]}")
        i += 2
    return ".".join(modules)


def split_address(address: str) -> list[str]:
    """An address split on the dots outside ``["..."]`` keys."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    depth = 0
    for ch in address:
        if ch == '"' and depth:
            quoted = not quoted
        elif not quoted and ch == "[":
            depth += 1
        elif not quoted and ch == "]":
            depth -= 1
        if ch == "." and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _configuration(plan: Plan, root: dict[str, Any]) -> None:
    plan.root_resources = {
        _text(r.get("address")) for r in _list(root.get("resources")) if isinstance(r, dict)
    }
    plan.root_calls = set(_obj(root.get("module_calls")))
    _config_module(plan, root, (), 0)


def _config_module(plan: Plan, module: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
    if depth > MAX_MODULE_DEPTH:
        raise PlanError("module calls nested too deeply in the configuration")
    for item in _list(module.get("resources")):
        if not isinstance(item, dict):
            continue
        address = _text(item.get("address"))
        if address:
            plan.config[(path, address)] = ConfigResource(_obj(item.get("expressions")))
    for name, call in _obj(module.get("module_calls")).items():
        call = _obj(call)
        plan.module_sources[(*path, name)] = _text(call.get("source"))
        _config_module(plan, _obj(call.get("module")), (*path, name), depth + 1)
