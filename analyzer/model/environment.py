"""Which environment an entity belongs to (DESIGN.md §3, "Environment")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

# Spellings of one environment are the same environment: `prd` and `production` must
# compare equal, or cross-environment checks would miss prod-vs-production reuse.
_CANONICAL = {
    "prod": "prod",
    "production": "prod",
    "prd": "prod",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "dev": "dev",
    "development": "dev",
    "test": "test",
    "qa": "qa",
    "uat": "uat",
    "preprod": "preprod",
    "sandbox": "sandbox",
}
_SPLIT = re.compile(r"[-_./]")
_ENV_KEYS = ("env", "environment")


def env_token(text: str) -> str | None:
    """The environment named by a whole segment of ``text``; the last such segment wins.

    ``ml-prod`` → prod, ``overlays/staging`` → staging, ``production.tfvars`` → prod;
    ``products`` names none (segments are compared whole).
    """
    found = None
    for segment in _SPLIT.split(text.lower()):
        if segment in _CANONICAL:
            found = _CANONICAL[segment]
    return found


@dataclass(frozen=True, slots=True)
class EnvironmentRule:
    """An environment declared in the configuration; rules are tried in order."""

    name: str
    paths: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnvironmentResolver:
    rules: tuple[EnvironmentRule, ...] = ()

    def resolve(
        self,
        path: str,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> str | None:
        """Config first; then the namespace, the path, and an env/environment label."""
        for rule in self.rules:
            if any(_glob(path, pattern) for pattern in rule.paths):
                return rule.name
            if namespace is not None and any(
                fnmatchcase(namespace, pattern) for pattern in rule.namespaces
            ):
                return rule.name
        if namespace is not None and (env := env_token(namespace)):
            return env
        if env := env_token(path):
            return env
        for key, value in (labels or {}).items():
            if key.lower() in _ENV_KEYS and (env := env_token(value)):
                return env
        return None


def _glob(path: str, pattern: str) -> bool:
    """Glob on repo-relative paths; a pattern naming a folder also matches what is inside."""
    pattern = pattern.rstrip("/")
    return (
        fnmatchcase(path, pattern)
        or fnmatchcase(path, pattern + "/*")
        or path.startswith(pattern + "/")
    )
