"""What extractors need to know beyond the files: environments, owners, inference selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from driftgate.analyzer.model.environment import EnvironmentResolver


@dataclass(frozen=True, slots=True)
class InferenceSelectors:
    """Extra selectors from the config that mark a workload as inference."""

    labels: tuple[tuple[str, str], ...] = ()  # (key, value); value "*" matches any
    images: tuple[str, ...] = ()  # fnmatch globs on the image reference
    resource_types: tuple[str, ...] = ()  # Terraform types or Kubernetes kinds


@dataclass(frozen=True, slots=True)
class HelmChart:
    """A chart as the configuration renders it (``helm: {charts: [...]}``)."""

    path: str
    values: tuple[str, ...] = ()
    release: str = "release"
    namespace: str = "default"


@dataclass(frozen=True, slots=True)
class HelmOptions:
    render: Literal["auto", "off"] = "auto"
    charts: tuple[HelmChart, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    environments: EnvironmentResolver = field(default_factory=EnvironmentResolver)
    owner_keys: tuple[str, ...] = ("owner", "team")
    inference: InferenceSelectors = field(default_factory=InferenceSelectors)
    # Terraform root folder → its variable files (configuration `terraform.var_files`).
    var_files: tuple[tuple[str, tuple[str, ...]], ...] = ()
    helm: HelmOptions = field(default_factory=HelmOptions)

    def owner_from(self, *tag_maps: dict[str, str] | None) -> str | None:
        """The first tag/label whose key is an owner key (case-insensitive)."""
        for tags in tag_maps:
            lowered = {k.lower(): v for k, v in (tags or {}).items() if isinstance(v, str) and v}
            # In the order of owner_keys: `owner` wins over `team` in the same map.
            for key in self.owner_keys:
                if key.lower() in lowered:
                    return lowered[key.lower()]
        return None
