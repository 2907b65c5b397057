"""Base model and head model → who may assume, impersonate or federate into each identity
at head that could not at base (DG105 trust-growth).

Trusts are compared per identity (same address), over the union of all of its trusts on
each side, so a trust statement moved between statements, two statements merged, a
policy reformatted (heredoc → ``jsonencode``) or values reordered is not growth. An
identity absent at base is never growth (DESIGN.md §5).

A head trust is flattened into (principal, action) pairs under the trust's conditions.
A pair is covered when some base trust of the identity names a principal that covers it
(the same principal, ``*``, an account root for the account's roles and users, or a
wildcard pattern that matches it), allows the action, and imposes conditions no looser
than the head's: every base condition is implied by a head condition on the same key.
Condition values compare by wildcard subsumption, as permissions do
(:func:`driftgate.analyzer.permissions.globs.matches`): a head value that no base value of the same
key matches is a widening; a base condition the head no longer has is a removal.

Unknown values (``${var.x}``) compare by their text: the same unknown on both sides is
no change; a different one is reported as undecidable, never silently either way.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from driftgate.analyzer.model import Identity, Location, Model, Trust
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers import human, principal_account, principal_covers, spec
from driftgate.analyzer.providers.conditions import Condition, merge

_UNKNOWN = re.compile(r"\$\{[^}]*\}")
# A Kubernetes ServiceAccount as an OIDC subject (Azure, Vault, AWS IRSA conditions).
_K8S_SUBJECT = re.compile(r"(?:^|#)system:serviceaccount:([^:#\s]+):([^:#\s]+)$")


# ---- principals -------------------------------------------------------------------------


def _could_cover(broad: str, narrow: str) -> bool:
    """Once their unknown parts are resolved, ``broad`` may name whoever ``narrow`` names."""
    if "${" not in broad and "${" not in narrow:
        return False
    return matches(_UNKNOWN.sub("*", broad), narrow) or matches(_UNKNOWN.sub("*", narrow), broad)


def _unknown_parts(*texts: str | None) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        if text:
            found.extend(m.group(0) for m in _UNKNOWN.finditer(text))
    return tuple(dict.fromkeys(found))


# ---- actions ----------------------------------------------------------------------------


def _action_covers(provider: str, broad: str, narrow: str) -> bool:
    if broad == narrow:
        return True
    judge = spec(provider).trust_action_covers
    if judge is not None:
        return judge(broad, narrow)
    return "${" not in narrow and matches(broad, narrow, case_sensitive=False)


# ---- conditions -------------------------------------------------------------------------


def _within(outer: Condition, outer_value: str, inner: Condition, inner_value: str) -> bool:
    """Every string ``inner_value`` (under ``inner``'s operator) matches, ``outer_value`` does."""
    if inner.ignore_case and not outer.ignore_case and inner_value.lower() != inner_value.upper():
        return False
    if inner.glob and not outer.glob and any(c in inner_value for c in "*?"):
        return False
    if outer.glob:
        return matches(outer_value, inner_value, case_sensitive=not outer.ignore_case)
    if outer.ignore_case:
        return outer_value.casefold() == inner_value.casefold()
    return outer_value == inner_value


def _network_within(outer: str, inner: str) -> bool:
    try:
        o = ipaddress.ip_network(outer, strict=False)
        i = ipaddress.ip_network(inner, strict=False)
    except ValueError:
        return outer == inner
    if isinstance(o, ipaddress.IPv4Network) and isinstance(i, ipaddress.IPv4Network):
        return i.subnet_of(o)
    if isinstance(o, ipaddress.IPv6Network) and isinstance(i, ipaddress.IPv6Network):
        return i.subnet_of(o)
    return False


def implies(head: Condition, base: Condition) -> bool:
    """Whatever ``head`` lets through, ``base`` lets through: head is no looser."""
    if head.match_key != base.match_key:
        return False
    if head.qualifier != base.qualifier or head.family != base.family:
        return False
    if head.if_exists and not base.if_exists:
        return False
    if base.family == "string":
        return all(any(_within(base, b, head, h) for b in base.values) for h in head.values)
    if base.family == "not-string":
        # The head must exclude at least what the base excluded.
        return all(any(_within(head, h, base, b) for h in head.values) for b in base.values)
    if base.family == "ip":
        return all(any(_network_within(b, h) for b in base.values) for h in head.values)
    if base.family == "not-ip":
        return all(any(_network_within(h, b) for h in head.values) for b in base.values)
    return head.op == base.op and set(head.values) == set(base.values)


# ---- deltas -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrincipalGrowth:
    """A principal a head trust lets in that no base trust let in the same way."""

    principal: str
    # The narrower base principal this one replaces or widens; None: a new principal.
    was: str | None = None
    # The action (GCP role, ...) newly held by a principal base already trusted otherwise.
    action: str | None = None
    held: tuple[str, ...] = ()
    # The account of a new AWS principal when it is not the identity's own account.
    other_account: str | None = None
    # Base principals that, once their unknown parts (or this one's) are resolved, may
    # turn out to include this principal: growth cannot be decided.
    maybe: tuple[str, ...] = ()

    @property
    def human(self) -> str | None:
        return None if self.action is not None else human(self.principal)

    @property
    def unknown(self) -> tuple[str, ...]:
        return _unknown_parts(self.principal, self.action, *self.maybe)

    def describe(self) -> str:
        unknown = _unknown_parts(self.principal, self.action)
        if self.action is not None:
            held = f" (it held {', '.join(self.held)})" if self.held else ""
            text = f"{self.principal} may now also use {self.action}{held}"
        elif self.was is not None:
            text = f"principal widened from {self.was} to {self.principal}"
        else:
            text = f"{'principal' if self.maybe else 'new principal'} {self.principal}"
            subject = _K8S_SUBJECT.search(self.principal)
            if subject is not None:
                namespace, name = subject.groups()
                text += f" (ServiceAccount {name} in namespace {namespace})"
        if self.other_account is not None and self.action is None:
            text += f" from another account ({self.other_account})"
        what = self.human
        if what is not None:
            text += f", which is {what}"
        if unknown and self.maybe:
            text += (
                f" (cannot resolve {', '.join(unknown)}: driftgate cannot tell whether "
                "it was already trusted)"
            )
        elif unknown:
            text += f" (cannot resolve {', '.join(unknown)})"
        elif self.maybe:
            text += (
                f" (cannot resolve {', '.join(self.maybe)}, which it trusted before: "
                "that may already have included this principal)"
            )
        return text


@dataclass(frozen=True, slots=True)
class ConditionLoosening:
    """A base condition that the head no longer imposes, or imposes more loosely."""

    key: str
    before: str
    # The head value of the same key; None when the condition was removed.
    after: str | None
    # The conditions cannot be compared (CEL, numbers, dates): changed, maybe looser.
    opaque: bool = False
    # The head value lets through everything the base value did, and more; else the
    # change swaps what it lets through (another namespace, another branch).
    wider: bool = True

    @property
    def unknown(self) -> tuple[str, ...]:
        return _unknown_parts(self.before, self.after)

    def describe(self) -> str:
        name = "condition" if self.key == "condition" else f"{self.key} condition"
        if self.after is None:
            return f"{name} removed (was {self.before})"
        if self.opaque:
            return (
                f"{name} changed from {self.before} to {self.after} (driftgate cannot compare "
                "these conditions: check that it is not looser)"
            )
        unknown = self.unknown
        if unknown:
            return (
                f"{name} changed from {self.before} to {self.after} (cannot resolve "
                f"{', '.join(unknown)}: driftgate cannot tell whether it is wider)"
            )
        if not self.wider:
            return f"{name} changed from {self.before} to {self.after}"
        return f"{name} widened from {self.before} to {self.after}"


@dataclass(frozen=True, slots=True)
class TrustDelta:
    """What one head trust (statement, binding, credential) lets in that base did not."""

    identity: Identity
    trust: Trust
    added: tuple[PrincipalGrowth, ...]
    loosened: tuple[ConditionLoosening, ...]
    # What changed, in words: "new principal ...; sub condition widened from ... to ...".
    reason: str
    # Base's trusts of the identity, for "who could before".
    before: tuple[Trust, ...]

    @property
    def location(self) -> Location | None:
        return self.trust.location

    @property
    def principals(self) -> tuple[str, ...]:
        """The principals added (new or widened) or newly holding an action."""
        return tuple(dict.fromkeys(g.principal for g in self.added))

    @property
    def humans(self) -> tuple[str, ...]:
        """The added principals that are people, account roots or anyone."""
        return tuple(g.principal for g in self.added if g.human is not None)

    @property
    def unknown(self) -> tuple[str, ...]:
        parts = [u for g in self.added for u in g.unknown]
        parts += [u for c in self.loosened for u in c.unknown]
        return tuple(dict.fromkeys(parts))


@dataclass(frozen=True, slots=True)
class _Element:
    principal: str
    action: str
    conditions: tuple[Condition, ...]


def _elements(provider: str, trusts: Iterable[Trust]) -> list[_Element]:
    found: list[_Element] = []
    for trust in trusts:
        conditions = merge(trust.conditions)
        for action in spec(provider).trust_actions(trust):
            found.extend(_Element(p, action, conditions) for p in trust.principals)
    return found


def _unmet(base: Sequence[Condition], head: Sequence[Condition]) -> list[Condition]:
    """The base conditions that no head condition implies."""
    return [b for b in base if not any(implies(h, b) for h in head)]


def _loosening(base: Condition, head: Sequence[Condition]) -> ConditionLoosening:
    same = [h for h in head if h.match_key == base.match_key]
    if not same:
        return ConditionLoosening(base.key, base.value_text, None)
    after = next((h for h in same if h.family == base.family), same[0])
    before_text, after_text = base.value_text, after.value_text
    if before_text == after_text or (
        after.operator != base.operator and (base.family != "string" or after.qualifier)
    ):
        before_text = f"{base.operator} {before_text}".strip()
        after_text = f"{after.operator} {after_text}".strip()
    if after.if_exists and not base.if_exists:
        after_text += " (IfExists: passes when the key is absent)"
    opaque = base.family == "opaque" or after.family != base.family
    return ConditionLoosening(
        base.key, before_text, after_text, opaque, wider=opaque or implies(base, after)
    )


def _other_account(identity: Identity, principal: str, base: list[_Element]) -> str | None:
    """The account of a principal outside the identity's account (when known) and outside
    every account the identity trusted at base."""
    theirs = principal_account(principal)
    if theirs is None:
        return None
    mine = principal_account(identity.principal) if isinstance(identity.principal, str) else None
    trusted = {account for e in base if (account := principal_account(e.principal))}
    if mine is not None:
        trusted.add(mine)
    if not trusted or theirs in trusted:
        return None
    return theirs


def _trust_delta(
    identity: Identity, trust: Trust, base: list[_Element], before: tuple[Trust, ...]
) -> TrustDelta | None:
    provider = identity.provider
    head_conditions = merge(trust.conditions)
    added: list[PrincipalGrowth] = []
    loosened: list[ConditionLoosening] = []
    for principal in dict.fromkeys(trust.principals):
        for action in spec(provider).trust_actions(trust):
            if any(
                principal_covers(e.principal, principal)
                and _action_covers(provider, e.action, action)
                and not _unmet(e.conditions, head_conditions)
                for e in base
            ):
                continue
            by_principal = [e for e in base if principal_covers(e.principal, principal)]
            if not by_principal:
                narrower = [
                    e.principal
                    for e in base
                    if principal_covers(principal, e.principal) and "${" not in e.principal
                ]
                was = ", ".join(dict.fromkeys(narrower)) if narrower else None
                other = _other_account(identity, principal, base) if was is None else None
                maybe = tuple(
                    dict.fromkeys(e.principal for e in base if _could_cover(e.principal, principal))
                )
                added.append(PrincipalGrowth(principal, was=was, other_account=other, maybe=maybe))
                break  # the principal is new: its actions and conditions add nothing more
            by_action = [e for e in by_principal if _action_covers(provider, e.action, action)]
            if not by_action:
                held = tuple(dict.fromkeys(e.action for e in by_principal if e.action))
                added.append(PrincipalGrowth(principal, action=action, held=held))
                continue
            closest = min(by_action, key=lambda e: len(_unmet(e.conditions, head_conditions)))
            for condition in _unmet(closest.conditions, head_conditions):
                change = _loosening(condition, head_conditions)
                if change not in loosened:
                    loosened.append(change)
    if not added and not loosened:
        return None
    reason = "; ".join([g.describe() for g in added] + [c.describe() for c in loosened])
    return TrustDelta(identity, trust, tuple(added), tuple(loosened), reason, before)


def trust_deltas(base: Model, head: Model) -> list[TrustDelta]:
    """One delta per head trust that lets in a principal, or a way in, base did not."""
    base_trusts: dict[str, list[Trust]] = {}
    for t in base.trusts:
        base_trusts.setdefault(t.identity, []).append(t)
    head_trusts: dict[str, list[Trust]] = {}
    for t in head.trusts:
        head_trusts.setdefault(t.identity, []).append(t)
    deltas: list[TrustDelta] = []
    for address, trusts in sorted(head_trusts.items()):
        identity = head.identities.get(address)
        if identity is None or address not in base.identities:
            continue  # an identity absent at base is never growth
        before = tuple(base_trusts.get(address, ()))
        elements = _elements(identity.provider, before)
        for trust in dict.fromkeys(trusts):
            delta = _trust_delta(identity, trust, elements, before)
            if delta is not None:
                deltas.append(delta)
    return deltas
