"""What driftgate knows of one provider, in one typed record (DESIGN.md §2, §4).

Checks, the diff and the reports never branch on a provider's name: they ask its spec.
A provider without a spec is an error at lookup (:func:`driftgate.analyzer.providers.spec`),
never a silent default, and ``tests/test_providers.py`` demands one for every provider
the model can name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from driftgate.analyzer.model import Identity, Model, Permission, Trust
from driftgate.analyzer.permissions.index import Indexer
from driftgate.analyzer.providers.conditions import Condition, opaque

Level = Literal["read", "write", "admin", "escalation", "unknown"]
LEVEL_ORDER: dict[Level, int] = {"unknown": 0, "read": 1, "write": 2, "admin": 3, "escalation": 4}
# "high" or "medium": how dangerous a default identity is, and why, in a clause.
Danger = tuple[Literal["high", "medium"], str]


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A wildcard or admin permission (DG405): what it is, and whether it is full admin."""

    what: str
    full_admin: bool


@dataclass(frozen=True, slots=True)
class Rights:
    """What one permission gives towards deploying workloads and administering the
    platform (DG402): a phrase for each, or None."""

    deploy: str | None = None
    admin: str | None = None


@dataclass(frozen=True, slots=True)
class DefaultIdentity:
    """The identity a provider hands whatever names none of its own (DG203)."""

    matches: Callable[[Identity], bool]
    """The `default` SA, a default compute SA, a kubelet identity."""
    danger: Callable[[Model, Identity], Danger]
    """How bad it is, and why, in a clause."""

    @staticmethod
    def of_kind(kind: str, danger: Danger) -> DefaultIdentity:
        """Identities of one kind, always as dangerous (a kubelet identity)."""
        return DefaultIdentity(lambda identity: identity.kind == kind, lambda m, i: danger)


# Whether the identity effectively holds a permission (allowed, not denied, in bounds).
Holds = Callable[[Permission], bool]


def _same_action_name(a: Permission, b: Permission) -> bool:
    return a.action.lower() == b.action.lower()


def _no_rights(holds: Holds, permission: Permission) -> Rights:
    return Rights()


def _no_wildcard(permission: Permission) -> Wildcard | None:
    return None


@dataclass(frozen=True, slots=True)
class ProviderSpec:
    name: str

    # ---- the permission algebra (analyzer/permissions/<provider>.py) ----
    covers: Callable[[Permission, Permission], bool]
    """``covers(broad, narrow)``: ``broad`` allows everything ``narrow`` allows."""
    level: Callable[[Permission], Level]
    """read, write, admin or escalation (DESIGN.md §4)."""
    index: Indexer
    """How its permissions are filed to find those that may cover one without asking
    every one (:mod:`driftgate.analyzer.permissions.index`); ``Unfiled`` asks every one."""
    escalates: Callable[[Permission], bool] | None = None
    """``level(p) == "escalation"``, faster where the provider can say it more cheaply
    (asked of every permission of every identity by the escalation graph)."""
    same_action: Callable[[Permission, Permission], bool] = _same_action_name
    """The same action (verb and kind, role, capability) whatever it applies to."""
    policy_level: Callable[[str], Level] = lambda policy: "unknown"
    """What a managed policy known only by its name or ARN is worth."""
    restricted_by_name: Callable[[Permission, Permission], bool] | None = None
    """``base`` held ``head``'s permission only on named objects (RBAC resourceNames);
    None where the provider has no such restriction, so the diff does not look for one
    (asking every base permission about every head one was quadratic on large policies).
    True only where ``same_action(base, head)``: the diff asks only those of head's action."""

    # ---- trusts: who may assume, impersonate or federate into an identity ----
    trust_actions: Callable[[Trust], tuple[str, ...]] = lambda trust: trust.actions or ("",)
    """The ways a trust lets its principals in; empty: it lets nobody in."""
    trust_action_covers: Callable[[str, str], bool] | None = None
    """``broad`` lets in whoever ``narrow`` does; None: wildcard match of the names."""
    parse_conditions: Callable[[Iterable[str]], list[Condition]] = lambda texts: [
        opaque(t) for t in texts
    ]
    """Conditions written in the provider's notation, as values (the extractors that
    read them as text: Vault role bounds, Azure audiences)."""
    principal_covers: Callable[[str, str], bool | None] = lambda broad, narrow: None
    """Whoever ``narrow`` names is also named by ``broad``, by the provider's own rules (an
    AWS account root names the account's roles); None: not its principals."""
    human_principal: Callable[[str], str | None] = lambda principal: None
    """What a principal in the provider's notation is when it is a person, an account
    root or anyone; None otherwise."""
    principal_account: Callable[[str], str | None] = lambda principal: None
    """The account (tenant, project) a principal belongs to, when it names one."""
    trust_verb: Callable[[Trust], str] = lambda trust: "act as"
    """What a trusted principal does with the identity: assume, act as, federate into."""
    trust_names_actions: bool = False
    """A trust's actions are roles worth naming beside it (GCP/Azure role holders)."""
    lets_people_in: Callable[[Trust], bool] = lambda trust: True
    """The trust's actions let a person assume or impersonate the identity (DG403)."""
    unnamed_identity: str | None = None
    """How a workload that names no identity of this provider runs as its default one
    (DG203), e.g. "names no serviceAccountName, so it runs as"."""

    # ---- identities and workloads ----
    people_kinds: frozenset[str] = frozenset()
    """Identity kinds that are people (Entra ID users and groups), not non-human
    identities: when no file declares one, what it gains is not NHI growth."""
    default_identity: DefaultIdentity | None = None
    """Its default identity; None where the provider hands out none."""
    labelled: Callable[[Identity], bool] = lambda identity: False
    """The identity can carry an owner tag or label (DG401)."""
    identity_inheriting_workloads: frozenset[str] = frozenset()
    """Workload kinds that run as identities other workloads choose (a SageMaker endpoint
    runs as its models' roles): not further users of those identities (DG202)."""

    # ---- classes of rights ----
    rights: Callable[[Holds, Permission], Rights] = _no_rights
    """Deployment and infrastructure-admin rights a held permission gives (DG402)."""
    may_give_rights: Callable[[str], bool] = lambda action: True
    """An action (pattern) ``rights`` may find rights in: the rest are not asked about
    (ReadOnlyAccess's thousands of reads give none)."""
    policy_rights: Callable[[str], Rights] = lambda policy: Rights()
    """The same for a managed policy known only by its name or ARN."""
    wildcard: Callable[[Permission], Wildcard | None] = _no_wildcard
    """A wildcard or admin permission (DG405)."""
    policy_wildcard: Callable[[str], Wildcard | None] = lambda policy: None
    """The same for a managed policy known only by its name or ARN."""
    gain_detail: Callable[[Sequence[Permission], Sequence[Permission]], str | None] = (
        lambda added, before: None
    )
    """What permissions gained roles add over those held before, in words
    ("adds 14 permissions: storage.objects.create, …"), where a vendor catalog knows
    the roles; None where the permissions already say it."""

    def is_escalation(self, permission: Permission) -> bool:
        if self.escalates is not None:
            return self.escalates(permission)
        return self.level(permission) == "escalation"

    def is_default_identity(self, identity: Identity) -> bool:
        return self.default_identity is not None and self.default_identity.matches(identity)
