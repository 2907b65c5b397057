"""The Terraform extractors, one per provider, listed by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from driftgate.analyzer.extract.aws import extract_aws
from driftgate.analyzer.extract.azure import extract_azure
from driftgate.analyzer.extract.gcp import extract_gcp
from driftgate.analyzer.extract.kubernetes_tf import extract_kubernetes_tf
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.vault import extract_vault
from driftgate.analyzer.model import Model
from driftgate.analyzer.terraform.modules import ResourceInstance

TerraformExtractor = Callable[[Sequence[ResourceInstance], ExtractOptions], Model]

TERRAFORM_EXTRACTORS: tuple[TerraformExtractor, ...] = (
    extract_aws,
    extract_gcp,
    extract_azure,
    extract_vault,
    extract_kubernetes_tf,
)
