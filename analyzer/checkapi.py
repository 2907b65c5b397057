"""What a check is and what it may see: the only analyzer module checks import besides the model.

A check is its metadata plus one function from a :class:`CheckContext` to draft findings.
It speaks in model addresses; the engine attaches severity adjustments, fingerprints,
baseline state and suppressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from driftgate.analyzer.diff import (
    GrantDelta,
    Promotion,
    TrustDelta,
    grant_deltas,
    promotions,
    trust_deltas,
)
from driftgate.analyzer.escalation import PathReport, before_of, path_changes, paths_of
from driftgate.analyzer.model import Location, Model, Permission, derived
from driftgate.analyzer.providers import Level

Confidence = Literal["high", "medium", "low"]


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def raised(self) -> Severity:
        """One level higher (critical stays critical)."""
        return _BY_RANK[min(self.rank + 1, 3)]

    def lowered(self) -> Severity:
        """One level lower (low stays low)."""
        return _BY_RANK[max(self.rank - 1, 0)]


_RANKS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}
_BY_RANK = {rank: sev for sev, rank in _RANKS.items()}

# The one table the privilege-delta checks follow (docs/checks.md, "How severity is
# set"): a finding is as severe as the most valuable access it adds, then one level
# higher when an inference workload uses the identity.
LEVEL_SEVERITY: dict[Level, Severity] = {
    "read": Severity.LOW,
    "write": Severity.MEDIUM,
    "unknown": Severity.MEDIUM,
    "admin": Severity.HIGH,
    "escalation": Severity.HIGH,
}


@dataclass(frozen=True, slots=True)
class CheckMeta:
    id: str
    slug: str
    title: str
    severity: Severity
    owasp: tuple[str, ...]
    rationale: str
    fix: str
    # "delta" checks compare head with base; "state" checks judge one model.
    kind: Literal["delta", "state"]
    # DESIGN.md §5: checks about inference apply to inference identities only; the
    # others are raised one level when an inference workload uses the identity.
    inference_only: bool = False
    # The check's page: What it finds / Why it matters / Example / Fix / References.
    doc: str = ""
    # Severity follows LEVEL_SEVERITY (what the finding adds), never below ``floor``;
    # ``severity`` is then only the rule's default (SARIF's defaultConfiguration).
    by_level: bool = False
    floor: Severity | None = None
    # Said before the table when a check sets some severities itself (DG104's paths).
    severity_note: str = ""

    def severity_rule(self) -> str:
        """How this check's findings get their severity, in words (docs, explain)."""
        if self.by_level:
            table = ", ".join(f"{level} {sev}" for level, sev in LEVEL_SEVERITY.items())
            rule = f"by the access it adds: {table}"
            if self.severity_note:
                rule = f"{self.severity_note}; otherwise {rule}"
            if self.floor is not None:
                rule += f"; at least {self.floor}"
        else:
            rule = str(self.severity)
        if not self.inference_only:
            rule += "; one level higher when an inference workload uses the identity"
        return rule

    @property
    def help_uri(self) -> str:
        return f"https://github.com/driftgate/driftgate/blob/main/docs/checks/{self.id}.md"


@dataclass(frozen=True, slots=True)
class Thresholds:
    max_token_ttl: int = 3600
    max_credential_age: int = 90 * 86400
    max_session_duration: int = 3600


@dataclass(frozen=True, slots=True)
class Draft:
    """A finding as a check states it: about which identity, what, and where."""

    identity: str
    message: str
    # What the finding is about beyond the identity (permission class and scope,
    # credential address, principal): part of the fingerprint, never a line number.
    subject: str
    location: Location | None
    related: tuple[Location, ...] = ()
    severity: Severity | None = None
    environment: str | None = None
    workloads: tuple[str, ...] = ()
    before: str | None = None
    after: str | None = None
    # What a delta finding adds, as data: ``after`` is prose for people (and cut short
    # past a limit); reports that lay permissions out (tables, JSON) read this instead.
    added: tuple[Permission, ...] = ()
    # "medium": inferred from what the configuration reads, not seen (the same output of
    # the same remote state); "low": the finding rests on a value driftgate cannot
    # resolve (a permission whose worth is unknown).
    confidence: Confidence = "high"
    # Text the change most likely wrote (the new resource of a broadened scope), so that
    # the finding points at the edited line naming it; ``added`` is looked for next.
    focus: tuple[str, ...] = ()
    # What each related location is (a hop of an escalation path), for reports that
    # say so beside the location (SARIF's relatedLocations messages).
    notes: tuple[tuple[Location, str], ...] = ()
    # False: never folded with other identities' findings at the same line (each
    # escalation path is its own finding, per source and target).
    fold: bool = True


# A finding's first sentence is what a reviewer reads in an annotation's title line or a
# notification: who and what, in at most this many characters; the detail follows.
LEAD_LIMIT = 160


def shortened(text: str, room: int) -> str:
    """``text`` cut at a word boundary to fit ``room`` characters, marked with "…"."""
    if len(text) <= room:
        return text
    cut = text[: max(room - 1, 1)]
    space = cut.rfind(" ")
    if space > room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;") + "…"


def target_text(permission: Permission) -> str:
    """Where ``permission`` applies as findings word it: the resource, then a Kubernetes
    namespace or "cluster-wide" (shared so that a report's table reads like the message)."""
    target = permission.resource
    if permission.scope not in ("", "*"):
        target += f" in namespace {permission.scope}"
    elif permission.scope == "*" and "/" in permission.resource:
        target += " cluster-wide"
    return target


@dataclass(slots=True)
class _Deltas:
    """base x head, computed on first use and shared by every check of the scan."""

    grants: list[GrantDelta] | None = None
    trusts: list[TrustDelta] | None = None
    promotions: list[Promotion] | None = None
    escalations: PathReport | None = None


def prepare(model: Model, checks: Iterable[Check] = ()) -> None:
    """What ``checks`` will ask of the head ``model`` whatever it is compared with,
    computed ahead while there is time to spare (another process building the base)."""
    computes: list[Callable[[Model], object]] = [paths_of, *_own(checks)]
    for compute in computes:  # paths_of builds the graph on its way
        compute(model)


def prepare_base(model: Model, checks: Iterable[Check] = ()) -> dict[str, object]:
    """What ``checks`` will ask of the base ``model``, computed by the process that
    built it, to travel with it (see :func:`driftgate.analyzer.model.derived.adopt`)."""
    asked: list[Callable[[Model], object]] = [before_of, *_own(checks)]
    for compute in asked:
        compute(model)
    return derived.values_of(model, asked)


def _own(checks: Iterable[Check]) -> list[Callable[[Model], object]]:
    """What the checks themselves prepare of one model (see Check.prepare)."""
    return [check.prepare for check in checks if check.prepare is not None]


@dataclass(frozen=True, slots=True)
class CheckContext:
    head: Model
    # None when not in diff mode: every state finding is new, delta checks see nothing.
    base: Model | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    _deltas: _Deltas = field(default_factory=_Deltas, compare=False, repr=False)

    def grant_deltas(self) -> list[GrantDelta]:
        """What each identity may do at head that it could not at base (empty: no base)."""
        if self.base is None:
            return []
        if self._deltas.grants is None:
            self._deltas.grants = grant_deltas(self.base, self.head)
        return list(self._deltas.grants)

    def trust_deltas(self) -> list[TrustDelta]:
        """Who may assume or federate into an identity at head but not at base (empty: no base)."""
        if self.base is None:
            return []
        if self._deltas.trusts is None:
            self._deltas.trusts = trust_deltas(self.base, self.head)
        return list(self._deltas.trusts)

    def escalations(self) -> PathReport:
        """Escalation paths at head that base did not have (every path, with no base),
        and what could not be followed."""
        if self._deltas.escalations is None:
            self._deltas.escalations = path_changes(self.base, self.head)
        return self._deltas.escalations

    def promotions(self) -> list[Promotion]:
        """Workloads newly deployed to an environment, each with the one it came from."""
        if self.base is None:
            return []
        if self._deltas.promotions is None:
            self._deltas.promotions = promotions(self.base, self.head)
        return list(self._deltas.promotions)


@dataclass(frozen=True, slots=True)
class Check:
    meta: CheckMeta
    run: Callable[[CheckContext], Iterable[Draft]]
    # What run() asks of one model alone, remembered per model (see model.derived), so
    # that it can be worked out ahead for the head while the base is still being built.
    prepare: Callable[[Model], object] | None = None
