"""Base model and head model → workloads promoted into a new environment, and what they
may do there beyond what they may do in the environment they came from (DG106).

A workload is *promoted* when it runs in an environment at head and no workload like it
ran in that environment at base, while a workload like it runs in another environment at
head. Two workloads are *alike* when they have the same kind and the same name and
namespace once environment tokens are replaced by a placeholder (DESIGN.md §5: "Across
environments, compare like with like"): ``Deployment ml-prod/llm`` ~ ``Deployment
ml-staging/llm``, ``llm-prod`` ~ ``llm-staging``.

The promoted workload's effective permissions (the allow grants of every identity it
reaches through federation, less each identity's explicit Denies and permissions
boundary) are compared with the source workload's, provider by provider, after the same
token replacement in resources, scopes and conditions (``arn:aws:s3:::models-prod/*`` ~
``arn:aws:s3:::models-staging/*``). The region and account fields of an ARN are compared
as placeholders as well, unless they are wildcards: each environment reaches its own
region and account. Identities no file declares have unknown grants: a provider whose
permissions are unknown on either side is not compared, and is named as undecided.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from driftgate.analyzer.model import Condition, Grant, Identity, Model, Permission, Workload
from driftgate.analyzer.model.environment import env_token
from driftgate.analyzer.permissions.effective import Effective

PLACEHOLDER = "<env>"
# Environment tokens of names and namespaces are whole segments split on - _ . / (§5).
_NAME_SEPARATORS = re.compile(r"([-_./]+)")
# In resources, scopes and conditions every punctuation separates (ARN colons, `=`,
# spaces); a wildcard stays part of its segment, so `prod*` is no token.
_TEXT_SEPARATORS = re.compile(r"([^A-Za-z0-9*?]+)")
# Promotion goes up this ladder: the closest environment below the target is preferred.
_LADDER = ("sandbox", "dev", "test", "qa", "uat", "staging", "preprod", "prod")


def _replace_tokens(text: str, separators: re.Pattern[str]) -> str:
    parts = separators.split(text)
    return "".join(
        PLACEHOLDER if i % 2 == 0 and part and env_token(part) is not None else part
        for i, part in enumerate(parts)
    )


def neutral_name(text: str) -> str:
    """``llm-prod`` → ``llm-<env>``; ``ml-staging`` → ``ml-<env>``."""
    return _replace_tokens(text, _NAME_SEPARATORS)


def neutral_text(text: str) -> str:
    """Environment tokens of a resource, scope or condition → the placeholder."""
    return _replace_tokens(text, _TEXT_SEPARATORS)


def _neutral_condition(condition: Condition) -> Condition:
    return dataclasses.replace(
        condition, values=tuple(neutral_text(v) for v in condition.values), text=""
    )


def _neutral_arn(resource: str) -> str:
    """The region and account of an ARN as placeholders (wildcards kept), then tokens."""
    parts = resource.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        for index, placeholder in ((3, "<region>"), (4, "<account>")):
            if parts[index] and not any(c in parts[index] for c in "*?"):
                parts[index] = placeholder
        resource = ":".join(parts)
    return neutral_text(resource)


def shown(permission: Permission) -> Permission:
    """The permission as findings show it: environment tokens replaced."""
    return Permission(
        action=permission.action,
        resource=neutral_text(permission.resource),
        scope=neutral_text(permission.scope),
    )


def _compared(permission: Permission) -> Permission:
    return Permission(
        action=permission.action,
        resource=_neutral_arn(permission.resource),
        scope=neutral_text(permission.scope),
    )


def like_key(workload: Workload) -> tuple[str, str, str]:
    """What two workloads in different environments share when they are alike."""
    return (workload.kind, neutral_name(workload.name), neutral_name(workload.namespace or ""))


@dataclass(frozen=True, slots=True)
class ExtraPermission:
    """One permission the promoted workload holds that its source does not."""

    identity: Identity
    grant: Grant
    # As granted at head, and with environment tokens replaced (as findings show it).
    permission: Permission
    shown: Permission


@dataclass(frozen=True, slots=True)
class ExtraPolicy:
    """A managed policy known only by name (``grant.policy``) that the promoted workload's
    identity has attached and its source's does not."""

    identity: Identity
    grant: Grant


@dataclass(frozen=True, slots=True)
class Promotion:
    """A workload newly deployed to ``environment`` and the like workload it came from."""

    workload: Workload
    environment: str
    source: Workload
    source_environment: str
    # The identities each reaches at head, through federation (those the model knows).
    identities: tuple[Identity, ...]
    source_identities: tuple[Identity, ...]
    extra: tuple[ExtraPermission, ...]
    # Identities (either side) whose grants are unknown, so a provider was not compared.
    undecided: tuple[str, ...]
    policies: tuple[ExtraPolicy, ...] = ()

    def source_identities_of(self, providers: Sequence[str]) -> tuple[Identity, ...]:
        """The source's identities of these providers, in the providers' order."""
        by_provider: dict[str, list[Identity]] = {}
        for identity in self.source_identities:
            by_provider.setdefault(identity.provider, []).append(identity)
        return tuple(i for wanted in providers for i in by_provider.get(wanted, ()))


def _environments(model: Model) -> set[str]:
    found = {w.environment for w in model.workloads.values() if w.environment}
    found |= {i.environment for i in model.identities.values() if i.environment}
    return found


def _rung(environment: str, target: str) -> int:
    """How far below ``target`` on the promotion ladder; above or off it ranks last."""
    if environment not in _LADDER or target not in _LADDER:
        return 1000
    distance = _LADDER.index(target) - _LADDER.index(environment)
    return distance if distance > 0 else 100 - distance


def _reached(model: Model, workload: Workload) -> tuple[list[Identity], list[str]]:
    """The identities ``workload`` reaches, and those whose grants are unknown."""
    known: list[Identity] = []
    unknown: list[str] = []
    for address in model.effective_identities(workload):
        identity = model.identities.get(address)
        if identity is None or not identity.declared:
            unknown.append(address)
        if identity is not None:
            known.append(identity)
    return known, unknown


def _compare(model: Model, workload: Workload, source: Workload) -> Promotion | None:
    environment, source_environment = workload.environment, source.environment
    if environment is None or source_environment is None:
        return None
    identities, unknown = _reached(model, workload)
    source_identities, source_unknown = _reached(model, source)
    # Source permissions per provider; a provider with an undeclared identity is unknown.
    held: dict[str, list[Effective]] = {}
    blind: set[str | None] = set()
    for identity in source_identities:
        held.setdefault(identity.provider, []).append(
            Effective(
                identity.provider,
                model.grants_of(identity.address),
                _compared,
                _neutral_condition,
            )
        )
    for address in source_unknown:
        found = model.identities.get(address)
        blind.add(found.provider if found is not None else None)
    undecided = [*unknown]
    extra: list[ExtraPermission] = []
    seen: set[tuple[str, Permission]] = set()
    seen_policies: set[tuple[str, str]] = set()
    policies: list[ExtraPolicy] = []
    for identity in identities:
        if not identity.declared:
            continue
        provider = identity.provider
        own = model.grants_of(identity.address)
        if own and (provider in blind or None in blind):
            undecided.extend(a for a in source_unknown if a not in undecided)
            continue
        mine = Effective(provider, own)
        for grant in own:
            if grant.effect != "allow":
                continue
            conditions = frozenset(grant.conditions)
            neutral_conditions = frozenset(_neutral_condition(c) for c in grant.conditions)
            policy = grant.policy if grant.unresolved else None
            sources = held.get(provider, ())
            if policy is not None and (identity.address, policy) not in seen_policies:
                wanted = mine.holds_policy(policy, conditions)
                if wanted and not any(h.holds_policy(policy, neutral_conditions) for h in sources):
                    seen_policies.add((identity.address, policy))
                    policies.append(ExtraPolicy(identity, grant))
            for p in grant.permissions:
                if not mine.holds(p, conditions):
                    continue  # denied or capped where it runs: not held
                compared = _compared(p)
                if any(h.holds(compared, neutral_conditions) for h in held.get(provider, ())):
                    continue
                if (identity.address, compared) in seen:
                    continue
                seen.add((identity.address, compared))
                extra.append(ExtraPermission(identity, grant, p, shown(p)))
    return Promotion(
        workload=workload,
        environment=environment,
        source=source,
        source_environment=source_environment,
        identities=tuple(identities),
        source_identities=tuple(source_identities),
        extra=tuple(extra),
        undecided=tuple(undecided),
        policies=tuple(policies),
    )


def promotions(base: Model, head: Model) -> list[Promotion]:
    """Every workload promoted into an environment at head, compared with its source.

    A promotion with nothing extra is listed too (``extra`` empty): it is not drift.
    """
    at_base: set[tuple[tuple[str, str, str], str]] = {
        (like_key(w), w.environment) for w in base.workloads.values() if w.environment
    }
    base_environments = _environments(base)
    alike: dict[tuple[str, str, str], list[Workload]] = {}
    for w in head.workloads.values():
        if w.environment:
            alike.setdefault(like_key(w), []).append(w)
    found: list[Promotion] = []
    for workload in sorted(head.workloads.values(), key=lambda w: w.address):
        environment = workload.environment
        key = like_key(workload)
        if environment is None or (key, environment) in at_base:
            continue
        candidates = [w for w in alike.get(key, []) if w.environment not in (None, environment)]
        if not candidates:
            continue
        source = min(
            candidates,
            key=lambda w: (
                (key, w.environment) not in at_base,
                w.environment not in base_environments,
                _rung(w.environment or "", environment),
                w.environment or "",
                w.address,
            ),
        )
        promotion = _compare(head, workload, source)
        if promotion is not None:
            found.append(promotion)
    return found
