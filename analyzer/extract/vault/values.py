"""Small readers for Vault resource arguments: durations, string lists, token lifetimes.

Every reader takes an evaluated value of any shape (hostile input, unknowns) and never
raises; an unknown stays visible in the strings it returns (``${var.x}``).
"""

from __future__ import annotations

import math
import re

from driftgate.analyzer.terraform.values import UnknownValue, Value, display

# Vault's default system max lease TTL (32 days): what a token lives when neither the role
# nor a declared mount tune says otherwise. Tuned on the server, it is outside the files.
VAULT_DEFAULT_MAX_TTL = 768 * 3600

_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")
# Anything longer is nonsense for a TTL; it would only make the arithmetic slow.
_MAX_DURATION_TEXT = 64


def duration_seconds(value: Value) -> int | None:
    """``"1h"``, ``"768h"``, ``"1h30m"``, ``"10d"``, ``3600`` or ``"3600"`` → seconds.

    None when the value is absent, unknown or not a duration Vault would accept.
    Fractions of a second are dropped, so equal inputs always give equal outputs.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_DURATION_TEXT:
        return None
    if text.isdigit():
        return int(text)
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text) or pos == 0:
        return None
    return int(total)


def positive_duration(value: Value) -> int | None:
    """A duration where 0 means "not set" (Vault's convention for TTL arguments)."""
    seconds = duration_seconds(value)
    return seconds if seconds else None


def token_lifetime(
    ttl: int | None,
    max_ttl: int | None,
    explicit_max_ttl: int | None,
    period: int | None,
    default_max: int,
) -> int | None:
    """How long a token can live, in seconds; None when renewal can keep it alive forever.

    The longest TTL the configuration states (the initial TTL or the max TTL renewals may
    reach), else the mount's or Vault's default max. A periodic token is renewed without
    end. ``explicit_max_ttl`` is a hard cap on either.
    """
    lifetime: int | None
    if period:
        lifetime = None
    else:
        lifetime = max(ttl or 0, max_ttl or 0) or default_max
    if explicit_max_ttl:
        lifetime = explicit_max_ttl if lifetime is None else min(lifetime, explicit_max_ttl)
    return lifetime


def texts(value: Value) -> list[str]:
    """A string-or-list argument as strings; unknown parts shown as ``${expression}``."""
    if value is None:
        return []
    if isinstance(value, list):
        found: list[str] = []
        for item in value:
            found.extend(texts(item))
        return found
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        return []
    return [display(value)]


def unknown_parts(value: Value) -> list[str]:
    """The unknown parts of a string-or-list argument, as shown to users."""
    if isinstance(value, UnknownValue):
        return [display(value)]
    if isinstance(value, list):
        return [part for item in value for part in unknown_parts(item)]
    return []


def shown(value: Value, limit: int = 120) -> str:
    """A value for a message: on one line, and a long expression cut short."""
    text = " ".join(display(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flag(value: Value, default: bool) -> bool:
    """A boolean argument; anything that is not a known boolean is the provider default."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default
