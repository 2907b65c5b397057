"""DG403 human-use-of-nhi.

## What it finds

People who may act as an identity an inference workload runs as:

- AWS: a role trust policy that lets IAM users, an account root (which delegates to
  every user and role of the account), AWS IAM Identity Center roles
  (`AWSReservedSSO_*`), a SAML provider or `*` call `sts:AssumeRole` /
  `sts:AssumeRoleWithSAML`;
- GCP: `user:`, `group:` or `domain:` members, workforce pool principals or
  `allUsers` / `allAuthenticatedUsers` holding Service Account User, Token Creator,
  Workload Identity User (or Owner / Editor) on the service account;
- Kubernetes: `User` / `Group` subjects of a (Cluster)RoleBinding whose role lets them
  `impersonate` the ServiceAccount (`kubectl --as=system:serviceaccount:…`), by name
  or all ServiceAccounts of the namespace; `*` on `*` is an administrator, reported by
  DG104/DG405 instead;
- Azure: users and groups given Managed Identity Operator (or Contributor / Owner) on a
  user-assigned identity: they can attach it to a VM or app they control and act as it.

The finding points at the trust statement or binding that names the people.

## Why it matters

A non-human identity exists so that a workload can act without a person: its
permissions are sized for the workload, its activity is expected to be automated, and
its credentials are not covered by the controls on people (MFA, session review, joiner
/ leaver processes). A person who can assume the production inference role can read
every model, prompt and secret the service can, with actions logged as the service and
no one expecting them to be a person.

## Example

```hcl
statement {
  actions = ["sts:AssumeRole"]
  principals {
    type        = "AWS"
    identifiers = [
      "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ML_0a1b2c3d",
    ]
  }
}
```

## Fix

Remove people from the identity's trust. Give engineers their own roles with the
read-only or break-glass access they need, audited as people; let only the workload
(its ServiceAccount through IRSA / Workload Identity, its service principal) assume the
inference identity.

## References

- OWASP Non-Human Identities Top 10: NHI10 Human Use of NHI
- AWS IAM: Role trust policies
- Google Cloud: Service account impersonation
- Kubernetes: User impersonation
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.providers import human, spec
from driftgate.checks.inference_scope import env_text, identity_text, inference_users, workload_text

META = CheckMeta(
    id="DG403",
    slug="human-use-of-nhi",
    title="People may assume or impersonate an inference identity",
    severity=Severity.HIGH,
    owasp=("NHI10",),
    rationale=(
        "A person acting as a workload's identity holds its permissions without the "
        "controls that apply to people, and their actions are logged as the workload's."
    ),
    fix=(
        "Remove people from the identity's trust; give them their own audited roles and "
        "let only the workload assume the inference identity."
    ),
    kind="state",
    doc=__doc__ or "",
)

# The actions of an AWS trust statement that let a principal in; the others
# (sts:TagSession, sts:SetSourceIdentity) only qualify an assumption.
_WORKFORCE = "/workforcePools/"


def people(principal: str) -> str | None:
    """What a trust principal is when it lets people in; None for workloads and services."""
    if principal.startswith("Federated:") and ":saml-provider/" in principal:
        return "people signing in through SAML provider " + principal.rsplit("/", 1)[-1]
    if principal.startswith(("principal://", "principalSet://")) and _WORKFORCE in principal:
        return "people of a workforce identity pool"
    for prefix, what in (("User:", "a Kubernetes user"), ("Group:", "a Kubernetes group")):
        if principal.startswith(prefix):
            return what
    return human(principal)


def run(ctx: CheckContext) -> Iterator[Draft]:
    model = ctx.head
    users = inference_users(model)
    for trust in model.trusts:
        identity = model.identities.get(trust.identity)
        workloads = users.get(trust.identity)
        if identity is None or not workloads or not spec(identity.provider).lets_people_in(trust):
            continue
        humans = {p: what for p in trust.principals if (what := people(p)) is not None}
        if not humans:
            continue
        named = "; ".join(f"{p} ({what})" for p, what in sorted(humans.items()))
        conditions = f" when {'; '.join(map(str, trust.conditions))}" if trust.conditions else ""
        message = (
            f"{named} may assume or impersonate {identity_text(identity)}"
            f"{env_text(identity.environment)} via {trust.via}{conditions}, the identity "
            f"inference workload(s) {workload_text(workloads)} run as: a person acting as it "
            "holds all of its permissions without the controls that apply to people, and "
            "is logged as the workload."
        )
        yield Draft(
            identity=identity.address,
            message=message,
            subject="|".join(sorted(humans)),
            location=trust.location,
            related=(identity.location,) if identity.location is not None else (),
            environment=identity.environment,
            workloads=tuple(w.address for w in workloads),
            after=", ".join(sorted(humans)),
        )


CHECK = Check(META, run)
