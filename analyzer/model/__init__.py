"""The identity-binding model: pydantic entities and environment resolution."""

from analyzer.model.entities import (
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
