"""Azure (azurerm_*, azuread_*) resources → identity-binding model entities."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.extract.options import ExtractOptions
from analyzer.model import Model
from analyzer.terraform.modules import ResourceInstance


def extract_azure(instances: Iterable[ResourceInstance], options: ExtractOptions) -> Model:
    return Model()
