"""The Terraform extractors, one per provider, listed by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from analyzer.extract.aws import extract_aws
from analyzer.extract.azure import extract_azure
from analyzer.extract.gcp import extract_gcp
from analyzer.extract.kubernetes_tf import extract_kubernetes_tf
from analyzer.extract.options import ExtractOptions
from analyzer.extract.vault import extract_vault
from analyzer.model import Model
from analyzer.terraform.modules import ResourceInstance

TerraformExtractor = Callable[[Sequence[ResourceInstance], ExtractOptions], Model]

TERRAFORM_EXTRACTORS: tuple[TerraformExtractor, ...] = (
    extract_aws,
    extract_gcp,
    extract_azure,
    extract_vault,
    extract_kubernetes_tf,
)
