"""What the clouds' own roles grant, known offline: AWS managed policies, GCP predefined
roles, Azure built-in roles.

The catalogs are built from public data by ``scripts/build_catalogs.py`` and shipped in
``data/`` with their source, commit and licence; each is read the first time a lookup
asks for it, so a scan that attaches no vendor role does not pay for it.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

VendorCatalog = Literal["aws", "gcp", "azure"]
CATALOGS: tuple[VendorCatalog, ...] = ("aws", "gcp", "azure")
_DESCRIPTIONS = {
    "aws": "AWS managed policies",
    "gcp": "GCP predefined roles",
    "azure": "Azure built-in roles",
}
# arn:<partition>:iam::aws:policy/<path/>Name: AWS's own policies, in any partition.
_AWS_MANAGED = re.compile(r"^arn:[^:]*:iam::aws:policy/(.+)$")
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    name: str  # with its path: service-role/AmazonEKS_CNI_Policy
    statements: tuple[dict[str, Any], ...]
    deprecated: bool = False

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy/{self.name}"


@dataclass(frozen=True, slots=True)
class GcpRole:
    name: str  # roles/storage.objectAdmin
    title: str
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AzureRole:
    id: str  # the role definition GUID, lower case
    name: str  # Storage Blob Data Contributor
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    name: VendorCatalog
    description: str
    entries: int
    packaged_bytes: int
    source: str
    commit: str | None
    date: str | None
    licence: str


def _data() -> Any:
    return resources.files(__package__).joinpath("data")


@functools.cache
def _manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(_data().joinpath("manifest.json").read_text())
    return manifest


class _Catalog(Mapping[str, Any]):
    """A catalog's entries by key, each decoded from its line when first asked for: a
    scan looks up a handful of the thousands (decoding all of AWS's took 17 ms)."""

    def __init__(self, text: str) -> None:
        self._lines: dict[str, tuple[str, int]] = {}
        self._decoded: dict[str, Any] = {}
        scan = json.JSONDecoder().raw_decode
        for line in text.splitlines():
            # The key of ``["key",entry]``, written plainly unless it holds an escape.
            end = line.find('"', 2) + 1
            key = line[2 : end - 1]
            if "\\" in key:
                key, end = scan(line, 1)
            self._lines[key] = (line, end + 1)

    def __getitem__(self, key: str) -> Any:
        if key not in self._decoded:
            line, start = self._lines[key]
            self._decoded[key] = json.loads(line[start:-1])
        return self._decoded[key]

    def __contains__(self, key: object) -> bool:
        return key in self._lines

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


def _file(name: VendorCatalog) -> Any:
    return _data().joinpath(f"{name}.jsonl.gz")


@functools.cache
def _load(name: VendorCatalog) -> _Catalog:
    return _Catalog(gzip.decompress(_file(name).read_bytes()).decode())


def catalogs() -> list[CatalogInfo]:
    manifest = _manifest()
    return [
        CatalogInfo(
            name=name,
            description=_DESCRIPTIONS[name],
            entries=int(manifest["catalogs"][name]["entries"]),
            packaged_bytes=len(_file(name).read_bytes()),
            source=str(manifest["source"]),
            commit=manifest.get("commit"),
            date=manifest.get("date"),
            licence=str(manifest["licence"]),
        )
        for name in CATALOGS
    ]


def licence_text() -> str:
    return str(_data().joinpath("LICENSE").read_text())


# ---- AWS ------------------------------------------------------------------------------


def aws_managed_name(arn: str) -> str | None:
    """``service-role/AmazonEKS_CNI_Policy`` of an AWS-managed policy ARN, any partition."""
    found = _AWS_MANAGED.match(arn)
    return found.group(1) if found else None


@functools.cache
def _aws_by_short_name() -> dict[str, str]:
    """Policy name without its path → with it (names are unique across paths)."""
    return {key.rsplit("/", 1)[-1]: key for key in _load("aws")}


def aws_policy(arn_or_name: str) -> AwsManagedPolicy | None:
    """An AWS managed policy by ARN (any partition, any path) or by name."""
    key = aws_managed_name(arn_or_name) or arn_or_name
    entry = _load("aws").get(key)
    if entry is None:
        key = _aws_by_short_name().get(key.rsplit("/", 1)[-1], "")
        entry = _load("aws").get(key)
    if entry is None:
        return None
    return AwsManagedPolicy(
        key, tuple(entry["statements"]), deprecated=bool(entry.get("deprecated"))
    )


# ---- GCP ------------------------------------------------------------------------------


def gcp_role(name: str) -> GcpRole | None:
    """A predefined (or basic) role: ``roles/storage.objectAdmin``."""
    entry = _load("gcp").get(name)
    if entry is None:
        return None
    return GcpRole(name, str(entry.get("title", "")), tuple(entry.get("permissions", ())))


# ---- Azure ----------------------------------------------------------------------------


@functools.cache
def _azure_by_name() -> dict[str, str]:
    return {role["name"].lower(): guid for guid, role in _load("azure").items()}


def azure_role(name_or_id: str) -> AzureRole | None:
    """A built-in role by name (any case), by GUID, or by its role definition id
    (``/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/GUID``)."""
    text = name_or_id.strip().rstrip("/")
    found = _GUID.search(text)
    guid = found.group(0).lower() if found else _azure_by_name().get(text.lower())
    entry = _load("azure").get(guid or "")
    if guid is None or entry is None:
        return None
    return AzureRole(
        guid,
        str(entry["name"]),
        tuple(entry.get("actions", ())),
        tuple(entry.get("notActions", ())),
        tuple(entry.get("dataActions", ())),
        tuple(entry.get("notDataActions", ())),
    )


def lookup(name: str) -> AwsManagedPolicy | GcpRole | AzureRole | None:
    """Whichever catalog knows ``name``: a GCP role, an AWS policy, an Azure role."""
    if name.startswith("roles/"):
        return gcp_role(name)
    return aws_policy(name) or azure_role(name)
