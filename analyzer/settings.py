"""What the configuration asks of the model's extraction: one translation, shared by
every command that builds a model (scan, model, baseline, inventory)."""

from __future__ import annotations

from driftgate.analyzer.config import Config
from driftgate.analyzer.extract.options import (
    ExtractOptions,
    HelmChart,
    HelmOptions,
    InferenceSelectors,
)


def extract_options(config: Config) -> ExtractOptions:
    return ExtractOptions(
        environments=config.environment_resolver(),
        owner_keys=tuple(config.owner_keys),
        inference=InferenceSelectors(
            labels=tuple(config.inference.labels.items()),
            images=tuple(config.inference.images),
            resource_types=tuple(config.inference.resource_types),
        ),
        var_files=tuple((k, tuple(v)) for k, v in config.terraform.var_files.items()),
        helm=HelmOptions(
            render=config.helm.render,
            charts=tuple(
                HelmChart(c.path, tuple(c.values), c.release, c.namespace)
                for c in config.helm.charts
            ),
        ),
    )
