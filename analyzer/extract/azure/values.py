"""Plain-value helpers of the Azure extractor: tags, durations, dates, references in text.

Nothing here reads a clock: a credential's lifetime is computed only from what the
configuration states (a relative duration, a start and an end, a rotation period).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from driftgate.analyzer.terraform.values import UnknownValue, Value, display

DAY = 86_400
# Calendar units as fixed lengths, so that a lifetime never depends on the day it is read.
_PERIOD_UNITS = (
    ("years", 365 * DAY),
    ("months", 30 * DAY),
    ("days", DAY),
    ("hours", 3_600),
    ("minutes", 60),
    ("seconds", 1),
)
_GO_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3_600.0,
}
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
# `type.name[key].attribute` inside expression text; `data.` is kept as part of the type.
_REFERENCE = re.compile(
    r"(?<![\w.])((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)"
    r"((?:\[[^\]\[]*\])?)\.([A-Za-z_]\w*)"
)
_KEY_VAULT_REFERENCE = re.compile(r"@Microsoft\.KeyVault\((?P<body>[^)]*)\)", re.IGNORECASE)
# N-series virtual machines carry the GPUs (NC, ND, NV, NG families).
_GPU_VM_SIZE = re.compile(r"^standard_n[cdvg]\d", re.IGNORECASE)
MAX_TEXT = 4_096


def text(value: Value) -> str | None:
    """A known, non-empty string."""
    return value if isinstance(value, str) and value.strip() else None


def strings(value: Value) -> tuple[list[str], list[str]]:
    """The known strings of a list (or one string), and the expressions that are unknown."""
    if isinstance(value, UnknownValue):
        return [], [value.expression]
    items = value if isinstance(value, list) else [value] if value is not None else []
    known: list[str] = []
    unknown: list[str] = []
    for item in items:
        if isinstance(item, str):
            known.append(item)
        elif isinstance(item, UnknownValue):
            unknown.append(item.expression)
        elif item is not None:
            unknown.append(display(item))
    return known, unknown


def tags(value: Value) -> dict[str, str]:
    """``tags`` as labels: an azurerm map, or the azuread set of strings (``team=ml``)."""
    if isinstance(value, dict):
        return {k: display(v) for k, v in value.items() if isinstance(k, str)}
    found: dict[str, str] = {}
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str):
                continue
            # azuread tags are free text; only `key=value` / `key:value` name something.
            for separator in ("=", ":"):
                key, sep, rest = item.partition(separator)
                if sep and key.strip() and rest.strip():
                    found[key.strip()] = rest.strip()
                    break
    return found


def go_duration(value: Value) -> int | None:
    """Seconds of a Go duration (``8760h``, ``2400h30m``); None when it is not one."""
    if not isinstance(value, str):
        return None
    spec = value.strip()
    if not spec or len(spec) > 64 or spec.startswith("-"):
        return None
    spec = spec.removeprefix("+")
    if spec == "0":
        return 0
    total = 0.0
    position = 0
    for match in _GO_PART.finditer(spec):
        if match.start() != position:
            return None
        total += float(match.group(1)) * _GO_UNITS[match.group(2)]
        position = match.end()
    if position != len(spec) or position == 0:
        return None
    return int(total)


def rfc3339(value: Value) -> datetime | None:
    """A timestamp written in the configuration; naive times are read as UTC."""
    if not isinstance(value, str) or not 10 <= len(value.strip()) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def period(values: dict[str, Value], prefix: str) -> int | None:
    """``rotation_days = 90`` (time_rotating) or ``offset_years = 1`` (time_offset) in seconds.

    None when no unit is set or one of them is not a known whole number.
    """
    total = 0
    found = False
    for unit, seconds in _PERIOD_UNITS:
        amount = values.get(f"{prefix}_{unit}")
        if amount is None:
            continue
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            return None
        total += amount * seconds
        found = True
    return total if found else None


def between(start: Value, end: Value) -> int | None:
    """Seconds from ``start`` to ``end`` when both are timestamps; never negative."""
    first, last = rfc3339(start), rfc3339(end)
    if first is None or last is None:
        return None
    return max(0, int((last - first).total_seconds()))


def references(expression: str) -> Iterator[tuple[str, str]]:
    """``(type.name[key], attribute)`` for each resource reference in expression text."""
    for match in _REFERENCE.finditer(expression[:MAX_TEXT]):
        kind, name, key, attribute = match.groups()
        if kind.startswith(("var.", "local.", "module.", "each.", "count.")):
            continue
        yield f"{kind}.{name}{key}", attribute


def key_vault_reference(value: str) -> str | None:
    """The secret a literal ``@Microsoft.KeyVault(...)`` reference or secret URI names.

    The version is dropped: every version of a secret is the same secret.
    """
    match = _KEY_VAULT_REFERENCE.search(value[:MAX_TEXT])
    if match is None:
        plain = value.strip()
        if plain.startswith("https://") and ".vault." in plain and "/secrets/" in plain:
            return _versionless(plain)
        return None
    fields: dict[str, str] = {}
    for part in match.group("body").split(";"):
        key, sep, rest = part.partition("=")
        if sep:
            fields[key.strip().lower()] = rest.strip()
    uri = fields.get("secreturi")
    if uri:
        return _versionless(uri)
    vault, secret = fields.get("vaultname"), fields.get("secretname")
    if vault and secret:
        return f"https://{vault}.vault.azure.net/secrets/{secret}"
    return None


def _versionless(uri: str) -> str:
    head, sep, tail = uri.strip().rstrip("/").partition("/secrets/")
    name = tail.split("/", 1)[0]
    return f"{head}/secrets/{name}" if sep and name else uri.strip().rstrip("/")


def gpu_vm_size(value: Value) -> str | None:
    """The VM size when it is an N-series (GPU) size."""
    return value if isinstance(value, str) and _GPU_VM_SIZE.match(value.strip()) else None
