"""The Terraform extractors, one per provider, listed by hand, each with what it reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftgate.analyzer.extract.aws import extract as aws
from driftgate.analyzer.extract.azure import extract as azure
from driftgate.analyzer.extract.context import Report
from driftgate.analyzer.extract.gcp import extract as gcp
from driftgate.analyzer.extract.kubernetes import terraform as kubernetes_tf
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.vault import extract as vault
from driftgate.analyzer.model import Model
from driftgate.analyzer.terraform.modules import ResourceInstance


@dataclass(frozen=True, slots=True)
class TerraformExtractor:
    extract: Callable[[Sequence[ResourceInstance], ExtractOptions, Report], Model]
    # The resource types it reads, taken from its own dispatch tables: an extractor is
    # listed with them, so that what driftgate says it models is what it reads.
    handled_types: frozenset[str]


TERRAFORM_EXTRACTORS: tuple[TerraformExtractor, ...] = (
    TerraformExtractor(aws.extract_aws, aws.HANDLED_TYPES),
    TerraformExtractor(gcp.extract_gcp, gcp.HANDLED_TYPES),
    TerraformExtractor(azure.extract_azure, azure.HANDLED_TYPES),
    TerraformExtractor(vault.extract_vault, vault.HANDLED_TYPES),
    TerraformExtractor(kubernetes_tf.extract_kubernetes_tf, kubernetes_tf.HANDLED_TYPES),
)

HANDLED_TYPES: frozenset[str] = frozenset().union(
    *(extractor.handled_types for extractor in TERRAFORM_EXTRACTORS)
)


def handles_resource_type(resource_type: str) -> bool:
    """Whether some extractor reads ``resource`` blocks of this type."""
    return resource_type in HANDLED_TYPES
