"""The identity-binding model: pydantic entities and environment resolution."""

from driftgate.analyzer.model.conditions import Condition
from driftgate.analyzer.model.entities import (
    PLAINTEXT,
    Credential,
    CredentialKind,
    Grant,
    Identity,
    Location,
    Model,
    Permission,
    Provider,
    Trust,
    Unknown,
    Workload,
)

__all__ = [
    "PLAINTEXT",
    "Condition",
    "Credential",
    "CredentialKind",
    "Grant",
    "Identity",
    "Location",
    "Model",
    "Permission",
    "Provider",
    "Trust",
    "Unknown",
    "Workload",
]
