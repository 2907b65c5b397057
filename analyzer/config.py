"""The configuration: `.driftgate.yaml` or `[tool.driftgate]` in pyproject.toml."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from driftgate.analyzer.checkapi import Severity, Thresholds
from driftgate.analyzer.model.environment import EnvironmentResolver, EnvironmentRule
from driftgate.analyzer.parse.files import parse_size
from driftgate.analyzer.parse.yaml_docs import load_yaml

CONFIG_FILE = ".driftgate.yaml"
# A configuration file is small; the repository's own could be hostile (a pull request
# may change it), so it is read with the same care as the files analysed.
MAX_CONFIG_SIZE = 1024 * 1024

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


def _size(value: object) -> int:
    """``10MiB``, ``512k`` or a number of bytes → bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size like 10MiB, 512k or a number of bytes")
    if isinstance(value, int):
        return value
    return parse_size(str(value))


Size = Annotated[int, BeforeValidator(_size), Field(gt=0)]


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


class HelmChartConfig(_Strict):
    path: str
    values: list[str] = Field(default_factory=list)
    release: str = "release"
    namespace: str = "default"


class HelmConfig(_Strict):
    # auto: render every chart of the tree when helm is on PATH; off: never run helm.
    render: Literal["auto", "off"] = "auto"
    charts: list[HelmChartConfig] = Field(default_factory=list)

    @field_validator("render", mode="before")
    @classmethod
    def _yaml_switch(cls, value: object) -> object:
        """YAML 1.1 reads a bare ``off`` as false (and ``on`` as true)."""
        if isinstance(value, bool):
            return "auto" if value else "off"
        return value


class SuppressionConfig(_Strict):
    check: str
    target: str
    reason: Annotated[str, Field(min_length=1)]
    expires: dt.date | None = None


class Config(_Strict):
    environments: list[EnvironmentConfig] = Field(default_factory=list)
    inference: InferenceConfig = Field(default_factory=InferenceConfig)
    terraform: TerraformConfig = Field(default_factory=TerraformConfig)
    helm: HelmConfig = Field(default_factory=HelmConfig)
    thresholds: ThresholdsConfig = Field(default_factory=ThresholdsConfig)
    owner_keys: list[str] = Field(default_factory=lambda: ["owner", "team"])
    severity: dict[str, Severity] = Field(default_factory=dict)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    suppressions: list[SuppressionConfig] = Field(default_factory=list)
    # Files larger than this are reported as too large and not parsed (--max-file-size).
    max_file_size: Size | None = None
    # Gitignore-style patterns (relative to the scanned root) of files not to read at
    # all: documentation samples, examples, test fixtures (--exclude adds to them).
    exclude: list[str] = Field(default_factory=list)
    # The baseline file (``driftgate baseline write``), relative to the repository root:
    # findings it holds are hidden (--baseline gives one on the command line).
    baseline: str | None = None

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
        return _load_file(explicit, _read(explicit, follow=True)), str(explicit)
    candidate = root / CONFIG_FILE
    if os.path.lexists(candidate):
        return _load_file(candidate, _read(candidate, follow=False)), CONFIG_FILE
    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):
        data = _read_toml(pyproject, _read(pyproject, follow=False))
        section = _tool_section(data)
        if section is not None:
            return _validate(section, "pyproject.toml [tool.driftgate]"), "pyproject.toml"
    return Config(), None


def load_config_from_tree(
    read: Callable[[str], bytes | None], label: str
) -> tuple[Config, str | None]:
    """The configuration a tree holds (`.driftgate.yaml`, else `[tool.driftgate]`): the
    base revision's, so that a pull request cannot switch off its own checks."""
    for name in (CONFIG_FILE, "pyproject.toml"):
        data = read(name)
        if data is None:
            continue
        if len(data) > MAX_CONFIG_SIZE:
            raise ConfigError(f"{name} at {label}: larger than {MAX_CONFIG_SIZE // 1024} KiB")
        if name == CONFIG_FILE:
            return _load_file(Path(name), data), name
        section = _tool_section(_read_toml(Path(name), data))
        if section is not None:
            return _validate(section, f"pyproject.toml [tool.driftgate] at {label}"), name
    return Config(), None


def _read(path: Path, *, follow: bool) -> bytes:
    """The bytes of a configuration file: a regular file, at most MAX_CONFIG_SIZE.

    The repository's own files (``follow=False``) are never read through a symlink,
    which could lead out of the repository; a ``--config`` the user names may be one.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
        if path.is_symlink():
            raise ConfigError(f"{path}: is a symlink; driftgate does not follow symlinks")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError(f"{path}: not a regular file")
        data = handle.read(MAX_CONFIG_SIZE + 1)
    if len(data) > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_SIZE // 1024} KiB; refused")
    return data


def _load_file(path: Path, data: bytes) -> Config:
    if path.suffix == ".toml":
        loaded: Any = _tool_section(_read_toml(path, data)) or {}
    else:
        # The analyser's own YAML loader: bounded aliases and nesting, no tracebacks.
        documents, problems = load_yaml(path.name, data)
        if problems:
            first = problems[0]
            raise ConfigError(f"{path}:{first.line}: not valid YAML: {first.message}")
        if len(documents) > 1:
            raise ConfigError(f"{path}: expected one YAML document, found {len(documents)}")
        loaded = documents[0].data if documents else None
        loaded = {} if loaded is None else loaded
    return _validate(loaded, str(path))


def _tool_section(data: dict[str, Any]) -> Any:
    """``[tool.driftgate]``, or None; a ``tool`` that is not a table has none."""
    tool = data.get("tool")
    return tool.get("driftgate") if isinstance(tool, dict) else None


def _read_toml(path: Path, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigError(f"{path}: not valid TOML: {reason}") from None


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
