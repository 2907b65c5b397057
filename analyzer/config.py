"""The configuration: `.driftgate.yaml` or `[tool.driftgate]` in pyproject.toml."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from analyzer.checkapi import Severity, Thresholds
from analyzer.model.environment import EnvironmentResolver, EnvironmentRule

CONFIG_FILE = ".driftgate.yaml"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class ConfigError(Exception):
    """A configuration problem, already phrased for the user (file and key named)."""


def parse_duration(value: object) -> int:
    """``90d``, ``1h``, ``30m``, ``3600`` (seconds) → seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 1h, 90d or a number of seconds")
    if isinstance(value, int):
        return value
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"'{value}' is not a duration (use e.g. 30m, 1h, 90d, 3600)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


Duration = Annotated[int, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvironmentConfig(_Strict):
    name: str
    paths: list[str] = Field(default_factory=list)
    namespaces: list[str] = Field(default_factory=list)


class InferenceConfig(_Strict):
    labels: dict[str, str] = Field(default_factory=dict)
    images: list[str] = Field(default_factory=list)
    resource_types: list[str] = Field(default_factory=list)


class ThresholdsConfig(_Strict):
    max_token_ttl: Duration = 3600
    max_credential_age: Duration = 90 * 86400
    max_session_duration: Duration = 3600


class TerraformConfig(_Strict):
    # Root folder → the variable files it is planned with (`terraform -var-file=...`);
    # each file is one environment instance of that root.
    var_files: dict[str, list[str]] = Field(default_factory=dict)


class SuppressionConfig(_Strict):
    check: str
    target: str
    reason: Annotated[str, Field(min_length=1)]
    expires: dt.date | None = None


class Config(_Strict):
    environments: list[EnvironmentConfig] = Field(default_factory=list)
    inference: InferenceConfig = Field(default_factory=InferenceConfig)
    terraform: TerraformConfig = Field(default_factory=TerraformConfig)
    thresholds: ThresholdsConfig = Field(default_factory=ThresholdsConfig)
    owner_keys: list[str] = Field(default_factory=lambda: ["owner", "team"])
    severity: dict[str, Severity] = Field(default_factory=dict)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    suppressions: list[SuppressionConfig] = Field(default_factory=list)

    def environment_resolver(self) -> EnvironmentResolver:
        return EnvironmentResolver(
            tuple(
                EnvironmentRule(e.name, tuple(e.paths), tuple(e.namespaces))
                for e in self.environments
            )
        )

    def check_thresholds(self) -> Thresholds:
        t = self.thresholds
        return Thresholds(t.max_token_ttl, t.max_credential_age, t.max_session_duration)


def load_config(root: Path, explicit: Path | None = None) -> tuple[Config, str | None]:
    """The configuration and the file it came from (None: defaults).

    An explicit ``--config`` must exist; otherwise `.driftgate.yaml` at the root, else
    `[tool.driftgate]` in the root's pyproject.toml, else the defaults.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return _load_file(explicit), str(explicit)
    candidate = root / CONFIG_FILE
    if candidate.is_file():
        return _load_file(candidate), CONFIG_FILE
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        data = _read_toml(pyproject)
        section = data.get("tool", {}).get("driftgate")
        if section is not None:
            return _validate(section, "pyproject.toml [tool.driftgate]"), "pyproject.toml"
    return Config(), None


def _load_file(path: Path) -> Config:
    if path.suffix == ".toml":
        data: Any = _read_toml(path).get("tool", {}).get("driftgate", {})
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return _validate(data, str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _validate(data: Any, source: str) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings at the top level")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "(top level)"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise ConfigError(f"{source}: {key}: {message}") from None
