"""DG104 escalation-path.

## What it finds

A path, new in the change, from an identity to full admin or to an escalation
capability it lacks. The escalation graph joins every identity to those it can act
as, and reports each (source, target) pair once, at the line that wrote the first hop
base did not have, with every hop in the message and as a SARIF related location:

- **assume**: the target's trust admits the source (by name, or its account with
  `sts:AssumeRole` on the target's ARN: a scoped AssumeRole onto an admin role counts).
- **pass-role**: `iam:PassRole` on the target (honouring `iam:PassedToService`) with the
  action that makes the service the target trusts run code: `lambda:CreateFunction`,
  `ec2:RunInstances`, `cloudformation:CreateStack`, `glue:CreateDevEndpoint`,
  `sagemaker:CreateNotebookInstance`, `ecs:RunTask`, `codebuild:CreateProject`, ...
- **credentials / trust-write / group**: `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
  `iam:UpdateLoginProfile` on a user; `iam:UpdateAssumeRolePolicy` on a role;
  `iam:AddUserToGroup` on a group (a user joins it and holds what it allows).
- **policy-write**: `iam:Put*Policy`, `iam:Attach*Policy`, `iam:CreatePolicyVersion` on
  an identity the path reaches (or itself): it can be made admin.
- **code**: `lambda:UpdateFunctionCode`, `ssm:SendCommand`, `ssm:StartSession`,
  `ec2-instance-connect:SendSSHPublicKey`, `sagemaker:CreatePresignedNotebookInstanceUrl`,
  `glue:UpdateDevEndpoint` on compute that runs as the target.
- **Kubernetes**: `create` pods (or Deployments, Jobs, ...) in a namespace reaches every
  ServiceAccount there; `create pods/exec` the ServiceAccounts of its running pods;
  `create serviceaccounts/token` and `impersonate` the accounts named; `bind` or
  `escalate` cluster-wide any cluster role.
- **GCP**: Service Account Token Creator, Workload Identity User, Service Account Key
  Admin, Service Account User or Editor on an account (or its project); Project IAM Admin
  or Security Admin on the project grant themselves any role.
- **Azure**: Managed Identity Operator or Contributor on a user-assigned identity;
  User Access Administrator or RBAC Administrator assign themselves any role.
- **federation**: a ServiceAccount federated into a cloud identity (IRSA, GKE and Azure
  workload identity) joins the two graphs.

Deny statements and permissions boundaries take edges away; conditions that cannot be
evaluated and ARNs whose account is not written make them `medium` confidence. A
capability whose targets no file declares (`iam:PassRole` on `*` with no role to pass)
is still reported, as the capability it adds.

## Why it matters

An escalation path is not one more permission: it is every permission. Whoever
controls the workload — a compromised model server, a malicious model artifact — can
walk the path and become administrator of the account, project or cluster.

## Example

`ci` may assume `deployer`; the change lets `deployer` create CloudFormation stacks,
and it could already pass any role; `cfn-exec` trusts CloudFormation and holds
AdministratorAccess:

```
DG104 [critical] ci can reach full admin (cfn-exec, AdministratorAccess) in 2 steps.
Steps: 1. ci may assume deployer, whose trust names it; 2. deployer may pass cfn-exec
to cloudformation.amazonaws.com (iam:PassRole) and create stacks
(cloudformation:CreateStack).
```

## Fix

Break the path at its first new hop: scope `iam:PassRole` to the roles meant and add
`iam:PassedToService`; name roles instead of `*` in `sts:AssumeRole`; narrow the
target's trust; or remove the capability.

## References

- OWASP Non-Human Identities Top 10: NHI5 Overprivileged NHI
- Rhino Security Labs: AWS IAM privilege escalation methods
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from driftgate.analyzer.checkapi import Check, CheckContext, CheckMeta, Draft, Severity
from driftgate.analyzer.escalation import Edge, PathChange
from driftgate.analyzer.model import Location, Model
from driftgate.analyzer.permissions.globs import matches
from driftgate.checks.common import listed, workloads_of
from driftgate.checks.delta import delta_drafts

META = CheckMeta(
    id="DG104",
    slug="escalation-path",
    title="An identity gains a path to admin or an escalation capability",
    severity=Severity.HIGH,
    owasp=("NHI5",),
    rationale=(
        "A capability to grant oneself more privilege is worth every privilege: it turns "
        "a compromise of the workload into a compromise of the platform."
    ),
    fix=(
        "Break the path at its first new hop: scope iam:PassRole to the roles meant (with "
        "iam:PassedToService), name roles instead of * in sts:AssumeRole, narrow the "
        "target's trust, or drop the capability."
    ),
    kind="delta",
    doc=__doc__ or "",
    by_level=True,
    severity_note=("a path to full admin is critical, a path to an escalation capability high"),
)


def run(ctx: CheckContext) -> Iterator[Draft]:
    report = ctx.escalations()
    changes = report.changes
    # A capability the path findings already explain is said once, on the path.
    explained: dict[str, set[str]] = {}
    for group in _by_first_step(changes):
        yield _path_draft(group[0], ctx.head, [c.path.target for c in group[1:]])
        for change in group:
            explained.setdefault(change.path.source, set()).update(
                a.lower() for e in change.path.edges for a in e.actions
            )
    for draft in delta_drafts(ctx, "escalation"):
        used = explained.get(draft.identity, set())
        if draft.added and all(
            any(matches(p.action, action, case_sensitive=False) for action in used)
            for p in draft.added
        ):
            continue
        notes = report.unresolved.get(draft.identity)
        if notes:
            draft = replace(draft, message=f"{draft.message} Not followed: {'; '.join(notes)}.")
        yield draft


def _by_first_step(changes: list[PathChange]) -> list[list[PathChange]]:
    """Paths of one source that start with the same step of the same rule (a controller
    that may create pods in every namespace reaches every admin account there): one
    finding, naming the nearest target and counting the others."""
    groups: dict[tuple[object, ...], list[PathChange]] = {}
    for change in changes:
        path = change.path
        first = path.edges[0] if path.edges else None
        if first is None or path.rewrite or not path.prize.admin:
            key: tuple[object, ...] = (path.source, path.target)
        else:
            key = (path.source, first.kind, first.location, first.actions)
        groups.setdefault(key, []).append(change)
    for group in groups.values():
        group.sort(key=lambda c: (len(c.path.edges), c.path.target))
    return list(groups.values())


def _fix(edge: Edge, model: Model) -> str:
    """The narrowest change that removes ``edge`` from the path, in words."""
    source, target = _name(model, edge.source), _name(model, edge.target)
    actions = ", ".join(edge.actions)
    if edge.kind == "pass-role":
        return (
            f"scope iam:PassRole of {source} to the roles it must pass (not {target}) and"
            " add an iam:PassedToService condition"
        )
    if edge.kind == "assume":
        if not edge.actions:
            return f"remove {source} from the trust policy of {target}"
        return f"name in sts:AssumeRole only the roles {source} must assume, not {target}"
    if edge.kind == "policy-write":
        if edge.source == edge.target:
            return f"exclude {source}'s own ARN from {actions}, or drop it"
        return f"narrow {actions} of {source} to exclude {target}"
    if edge.kind in ("pod", "exec", "token", "impersonate"):
        return (
            f"bind the rule ({actions}) of {source} only in namespaces where no admin"
            f" ServiceAccount runs, or move {target} elsewhere"
        )
    if edge.kind == "federation":
        return f"stop {source} from federating into {target}"
    return f"narrow {actions} of {source} to exclude {target}"


def _name(model: Model, address: str) -> str:
    identity = model.identities.get(address)
    if identity is None:
        return address
    if address.startswith("k8s:") and "/" in address:
        # ServiceAccounts of one name live in many namespaces.
        return f"{address.removeprefix('k8s:').split('/', 1)[0]}/{identity.name}"
    return identity.name


def _path_draft(change: PathChange, model: Model, alike: list[str]) -> Draft:
    """The finding of one path; ``alike``: the targets of the other paths that take the
    same first step, said in the same finding."""
    path = change.path
    source = model.identities.get(path.source)
    who = _name(model, path.source)
    target = _name(model, path.target)
    steps = len(path.edges)
    if path.target == path.source:
        reached = f"can make itself full admin in {steps} step{'s' if steps > 1 else ''}"
        if path.prize.admin is False:
            reached = f"can gain {path.prize.what}"
    elif path.prize.admin:
        reached = f"can reach full admin ({target}, {path.prize.what}) in {steps} step" + (
            "s" if steps > 1 else ""
        )
    else:
        reached = f"can reach {path.prize.what} (held by {target}) in {steps} step" + (
            "s" if steps > 1 else ""
        )
    hops = "; ".join(
        f"{n}. {_name(model, e.source)} {e.how}" for n, e in enumerate(path.edges, start=1)
    )
    others = ""
    if path.routes > 1:
        others = f" ({path.routes - 1} other route{'s' if path.routes > 2 else ''})"
    if path.also:
        plural = "identities" if path.also > 1 else "identity"
        others += f" (and so through {path.also} other {plural} it may act as and rewrite)"
    same_way = ""
    if alike:
        names = [_name(model, a) for a in alike]
        plural = "identities" if len(names) > 1 else "identity"
        shown = listed(names)
        same_way = f" It reaches {len(names)} other admin {plural} the same way: {shown}."
    message = f"{who} {reached}{others}.{same_way} Steps: {hops}."
    breaker = change.first_new or (path.edges[0] if path.edges else None)
    if breaker is not None:
        message += f" To break it: {_fix(breaker, model)}."
    if change.unresolved:
        message += " Not followed: " + "; ".join(change.unresolved) + "."
    first = change.first_new
    location = first.location if first is not None else path.prize.location
    if location is None and path.edges:
        location = path.edges[0].location
    notes: list[tuple[Location, str]] = []
    for n, edge in enumerate(path.edges, start=1):
        for where in (edge.location, *edge.related):
            if where is not None and all(where != seen for seen, _ in notes):
                notes.append((where, f"step {n}: {_name(model, edge.source)} {edge.how}"))
    if path.prize.location is not None and all(path.prize.location != s for s, _ in notes):
        notes.append((path.prize.location, f"{target} holds {path.prize.what}"))
    kind = "admin" if path.prize.admin else "escalation"
    subject = f"path to {path.target} ({kind})"
    if path.rewrite:
        subject = "rewrites what it reaches"
    elif alike and path.edges:
        # The rule and step, not the nearest target: another admin added to the
        # namespace changes the count, not the finding.
        subject = f"paths by {path.edges[0].kind} {'/'.join(path.edges[0].actions)}"
    return Draft(
        identity=path.source,
        message=message,
        subject=subject,
        location=location,
        related=tuple(where for where, _ in notes if where != location),
        severity=Severity.CRITICAL if path.prize.admin else Severity.HIGH,
        environment=source.environment if source is not None else None,
        workloads=tuple(w.address for w in workloads_of(source, model)) if source else (),
        after=path.prize.what,
        confidence=path.confidence,
        focus=first.actions if first is not None else (),
        notes=tuple(notes),
        fold=False,
    )


CHECK = Check(META, run)
