"""The identity-binding model (DESIGN.md section 3).

Every entity carries a stable ``address`` (where it is declared, not where it sits in a
file) so that base and head models can be matched, and a ``location`` for reporting.
Values that static analysis could not resolve are kept as :class:`Unknown` with the
expression they came from: never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from driftgate.analyzer.model.conditions import Condition

Provider = Literal["aws", "gcp", "azure", "kubernetes", "vault"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Unknown(_Frozen):
    """A value that cannot be known statically; ``expression`` is the source text."""

    unknown: str

    def __str__(self) -> str:
        return "${" + self.unknown + "}"


class Location(_Frozen):
    """A repo-relative path (POSIX separators) and 1-based lines."""

    path: str
    line: int = 1
    end_line: int | None = None


class Identity(_Frozen):
    address: str
    principal: str | Unknown | None = None
    provider: Provider
    kind: str
    name: str
    environment: str | None = None
    owner: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    federates_to: tuple[str, ...] = ()
    # False for identities no file declares (a role ARN managed elsewhere, the implicit
    # `default` ServiceAccount): their grants and owner are unknown, not empty.
    declared: bool = True
    location: Location | None = None
    # A role or policy that nothing in the repository binds or attaches (a module's
    # policy for its callers, a ClusterRole aggregated into `edit`, a feature flag left
    # off): no principal, but what it grants is still compared, so that its growth is
    # said on it rather than nowhere.
    definition: bool = False
    # The module calls that instantiate it, outermost first (the root's call first).
    module_calls: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True)
class Permission:
    """One (action, resource) pair a grant allows, in the provider's own vocabulary.

    AWS: ``s3:GetObject`` on an ARN pattern. Kubernetes: a verb on
    ``apiGroup/resource[/resourceName]`` with the namespace (or ``*`` for the cluster)
    as ``scope``.

    A frozen dataclass, not a pydantic model: the diff compares and hashes permissions in
    its innermost loops, where pydantic's ``==`` cost about forty times a tuple's.
    Pydantic still validates and serialises it as a field of :class:`Grant`.
    """

    action: str
    resource: str
    scope: str = ""


class Grant(_Frozen):
    identity: str
    # "boundary": a statement of the identity's permissions boundary, a ceiling on what its
    # allows give rather than a grant of its own.
    effect: Literal["allow", "deny", "boundary"] = "allow"
    permissions: tuple[Permission, ...] = ()
    conditions: tuple[Condition, ...] = ()
    via: str
    # The managed policy an attachment (or a boundary) names when the repository does not
    # declare it (an ARN, or the expression naming it): what it allows is unknown, so the
    # grant has no permissions and ``unknown`` says so.
    policy: str | None = None
    # Parts of the grant that could not be resolved (expression text), shown in findings.
    unknown: tuple[str, ...] = ()
    location: Location | None = None
    # Where the binding that gives this grant to the identity is (Kubernetes RBAC,
    # GCP/Azure role assignments): a new binding of an unchanged rule points there.
    binding: Location | None = None
    # Other places that wrote the grant: the module input a ``dynamic`` statement iterates,
    # the attachment of a managed policy. A finding points at whichever the change wrote.
    origins: tuple[Location, ...] = ()

    @property
    def unresolved(self) -> bool:
        """A managed policy known only by name: its permissions are unknown, not none."""
        return self.policy is not None and not self.permissions


class Trust(_Frozen):
    identity: str
    principals: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    via: str
    location: Location | None = None


CredentialKind = Literal[
    "access_key",
    "sa_key",
    "client_secret",
    "certificate",
    "token",
    "legacy_sa_token",
    "projected_token",
    "static_secret",
    # A role session (AWS max_session_duration): judged against max_session_duration.
    "session",
]


# The suffix of a credential that is a literal value written in the repository (the
# secret's or variable's address + PLAINTEXT), as opposed to the secret it belongs to.
PLAINTEXT = "#plaintext"


class Credential(_Frozen):
    address: str
    kind: CredentialKind
    identity: str | None = None
    ttl_seconds: int | None = None
    environment: str | None = None
    location: Location | None = None
    # The names other files may use for it (a secret's name, whatever ARN suffix or
    # account they write), so that a reference from another root finds it; the first
    # that some declaration has decides.
    names: tuple[str, ...] = ()
    # A literal value written in the repository, masked (``hf_q…, 37 characters``).
    preview: str | None = None


class Workload(_Frozen):
    address: str
    kind: str
    name: str
    namespace: str | None = None
    environment: str | None = None
    identities: tuple[str, ...] = ()
    credentials: tuple[str, ...] = ()
    inference: bool = False
    inference_reason: str | None = None
    owner: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    location: Location | None = None
    # Where the workload names the identity it runs as (serviceAccountName, a role ARN):
    # the line a change of identity touches.
    identity_location: Location | None = None


class Model(BaseModel):
    """The identity-binding model of one tree."""

    model_config = ConfigDict(extra="forbid")

    identities: dict[str, Identity] = Field(default_factory=dict)
    grants: list[Grant] = Field(default_factory=list)
    trusts: list[Trust] = Field(default_factory=list)
    credentials: dict[str, Credential] = Field(default_factory=dict)
    workloads: dict[str, Workload] = Field(default_factory=dict)

    # Lookups by identity, once the model is sealed (built and linked, only read from
    # then on). Checks ask per identity; a linear scan each time was most of the run on
    # large trees. An unsealed model (being built, or a test's) is scanned every time.
    _by_identity: dict[str, dict[str, list[Any]]] | None = PrivateAttr(default=None)

    def seal(self) -> Model:
        """Mark the model complete: lookups by identity are indexed from now on."""
        grants: dict[str, list[Any]] = {}
        for grant in self.grants:
            grants.setdefault(grant.identity, []).append(grant)
        workloads: dict[str, list[Any]] = {}
        for workload in self.workloads.values():
            for address in self.effective_identities(workload):
                workloads.setdefault(address, []).append(workload)
        self._by_identity = {"grants": grants, "workloads": workloads}
        return self

    @property
    def sealed(self) -> bool:
        return self._by_identity is not None

    def grants_of(self, identity: str) -> list[Grant]:
        if self._by_identity is not None:
            return list(self._by_identity["grants"].get(identity, ()))
        return [g for g in self.grants if g.identity == identity]

    def workloads_using(self, identity: str) -> list[Workload]:
        """Workloads that run as ``identity`` directly or through federation."""
        if self._by_identity is not None:
            return list(self._by_identity["workloads"].get(identity, ()))
        return [w for w in self.workloads.values() if identity in self.effective_identities(w)]

    def effective_identities(self, workload: Workload) -> list[str]:
        """The workload's identities followed through ``federates_to`` links."""
        seen: list[str] = []
        todo = list(workload.identities)
        while todo:
            address = todo.pop(0)
            if address in seen:
                continue
            seen.append(address)
            identity = self.identities.get(address)
            if identity is not None:
                todo.extend(identity.federates_to)
        return seen
