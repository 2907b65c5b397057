"""Kubernetes objects declared as Terraform `kubernetes_*` resources → model entities."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.extract.options import ExtractOptions
from analyzer.model import Model
from analyzer.terraform.modules import ResourceInstance


def extract_kubernetes_tf(instances: Iterable[ResourceInstance], options: ExtractOptions) -> Model:
    return Model()
