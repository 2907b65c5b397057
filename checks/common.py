"""Phrases every check uses to name what a finding is about."""

from __future__ import annotations

from driftgate.analyzer.checkapi import LEAD_LIMIT, shortened
from driftgate.analyzer.model import Credential, Identity, Model, Unknown, Workload


def principal_text(identity: Identity) -> str | None:
    p = identity.principal
    if p is None:
        return None
    return str(p) if isinstance(p, Unknown) else p


def who(identity: Identity, model: Model) -> str:
    """``role llm (envs/prod:aws_iam_role.llm, prod, used by k8s:ml-prod/Deployment/llm)``."""
    return f"{identity.kind} {identity.name} ({details(identity, model)})"


def details(identity: Identity, model: Model) -> str:
    """``envs/prod:aws_iam_role.llm; prod; used by k8s:ml-prod/Deployment/llm``."""
    details = [identity.address]
    if identity.environment:
        details.append(identity.environment)
    users = workloads_of(identity, model)
    if users:
        details.append(f"used by {listed([w.address for w in users])}")
    return "; ".join(details)


def listed(names: list[str], shown: int = 3) -> str:
    """``a, b, c and 4 more``: the first ``shown`` names, then how many are left."""
    text = ", ".join(names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


def workloads_of(identity: Identity, model: Model) -> list[Workload]:
    return sorted(model.workloads_using(identity.address), key=lambda w: w.address)


def human_duration(seconds: int) -> str:
    """``31536000`` → ``365d``; ``5400`` → ``1h30m``."""
    if seconds % 86400 == 0 and seconds >= 86400:
        return f"{seconds // 86400}d"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


_KIND_NAMES = {
    "static_secret": "secret",
    "access_key": "access key",
    "sa_key": "service-account key",
    "client_secret": "client secret",
    "certificate": "certificate",
    "token": "token",
    "legacy_sa_token": "legacy ServiceAccount token",
}


def credential_kind_name(credential: Credential) -> str:
    """What a reviewer calls a credential of this kind: ``service-account key``."""
    return _KIND_NAMES.get(credential.kind, credential.kind.replace("_", " "))


def lead(subject: str, verb: str, what: str) -> str:
    """``role llm gains s3:PutObject on arn:...`` within :data:`LEAD_LIMIT` (no period)."""
    subject = shortened(subject, LEAD_LIMIT // 2)
    head = f"{subject} {verb} "
    return head + shortened(what, LEAD_LIMIT - 1 - len(head))
