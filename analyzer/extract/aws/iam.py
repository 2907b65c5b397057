"""IAM beyond policies: groups, boundaries, sessions, user credentials, instance profiles,
EKS Pod Identity.

``aws_iam_openid_connect_provider`` is read as nothing: a provider grants nothing by
itself, and who may federate through it is in the trust policies of the roles that name
it, which the role extraction already records as trusts.
"""

from __future__ import annotations

from driftgate.analyzer.extract.addresses import external_address, k8s_address
from driftgate.analyzer.extract.aws import policy as aws_policy
from driftgate.analyzer.extract.aws.common import (
    AwsContext,
    managed_policy,
    tags_of,
    text,
    text_line,
    unresolved_text,
)
from driftgate.analyzer.extract.dispatch import Handles, Phase, handles
from driftgate.analyzer.model import (
    Credential,
    CredentialKind,
    Grant,
    Identity,
    Unknown,
)
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import Value, display

# Suffix of the address of a role's session credential (``max_session_duration``).
SESSION = "#session"
_DAY = 86400


def _seconds(value: Value, unit: int = 1) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * unit
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) * unit
    return None


def session_and_boundary(
    ctx: AwsContext, inst: ResourceInstance, address: str, tags: dict[str, str]
) -> None:
    if inst.type == "aws_iam_role":
        seconds = _seconds(inst.get("max_session_duration"))
        # Unset is AWS's default of one hour; an unknown duration is left out, not guessed.
        if seconds is not None:
            ctx.model.credentials[address + SESSION] = Credential(
                address=address + SESSION,
                kind="session",
                identity=address,
                ttl_seconds=seconds,
                environment=ctx.environment(inst, tags),
                location=ctx.location(inst, "max_session_duration"),
            )
    arn = inst.get("permissions_boundary")
    if arn is not None:
        ctx.model.grants.extend(_boundary(ctx, inst, address, arn))


def _boundary(ctx: AwsContext, inst: ResourceInstance, identity: str, arn: Value) -> list[Grant]:
    binding = ctx.location(inst, "permissions_boundary")
    policy = managed_policy(ctx, inst, arn)
    if policy is None:
        shown = display(arn)
        return [
            Grant(
                identity=identity,
                effect="boundary",
                via=f"permissions boundary {shown}",
                policy=shown,
                unknown=(unresolved_text(arn),),
                location=binding,
            )
        ]
    via = f"permissions boundary {policy.address}"
    where = ctx.location(policy, "policy")
    line = text_line(policy, "policy")
    out: list[Grant] = []
    for grant in aws_policy.grants(identity, policy.get("policy"), via, where, line):
        update: dict[str, object] = {"binding": binding}
        if grant.effect == "allow":
            update["effect"] = "boundary"
        out.append(grant.model_copy(update=update))
    return out


def user_credential(
    ctx: AwsContext,
    inst: ResourceInstance,
    kind: CredentialKind,
    ttl_seconds: int | None,
    attribute: str = "user",
) -> None:
    if inst.get("status") == "Inactive":
        return
    tags = tags_of(inst)
    ctx.model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind=kind,
        identity=ctx.resolve(inst, "user", inst.get(attribute))
        or ctx.written_reference(inst, "user", attribute),
        ttl_seconds=ttl_seconds,
        environment=ctx.environment(inst, tags),
        location=ctx.location(inst),
    )


def login_profile(ctx: AwsContext, inst: ResourceInstance) -> None:
    """A console password: a shared secret of the user, like an application's password
    (Azure calls client secrets password credentials), so ``client_secret``. It expires
    when the root's account password policy sets ``max_password_age``."""
    ttl = None
    policy = ctx.instances.get(ctx.by_name.get((inst.root.label, "password_policy", ""), ""))
    if policy is not None:
        ttl = _seconds(policy.get("max_password_age"), _DAY) or None
    user_credential(ctx, inst, "client_secret", ttl)


def service_credential(ctx: AwsContext, inst: ResourceInstance) -> None:
    """A service-specific credential (CodeCommit, Keyspaces, Bedrock API keys): a static
    secret that authenticates API calls as the user, as an access key does, to one
    service; Bedrock's long-term keys expire after ``credential_age_days``."""
    ttl = _seconds(inst.get("credential_age_days"), _DAY)
    user_credential(ctx, inst, "access_key", ttl, "user_name")


def signing_certificate(ctx: AwsContext, inst: ResourceInstance) -> None:
    user_credential(ctx, inst, "certificate", None, "user_name")


def password_policy(ctx: AwsContext, inst: ResourceInstance) -> None:
    ctx.instances[inst.full_address] = inst
    ctx.by_name[(inst.root.label, "password_policy", "")] = inst.full_address


def group_membership(ctx: AwsContext, inst: ResourceInstance) -> None:
    """``aws_iam_group_membership``: one group, a list of users."""
    where = ctx.location(inst, "users")
    users = inst.get("users")
    for user in users if isinstance(users, list) else []:
        address = ctx.resolve(inst, "user", user)
        if address is not None:
            ctx.memberships.append((address, inst.get("group"), inst, where))


def user_group_membership(ctx: AwsContext, inst: ResourceInstance) -> None:
    """``aws_iam_user_group_membership``: one user, a list of groups."""
    address = ctx.resolve(inst, "user", inst.get("user"))
    groups = inst.get("groups")
    if address is None or not isinstance(groups, list):
        return
    where = ctx.location(inst, "groups")
    for group in groups:
        ctx.memberships.append((address, group, inst, where))


def memberships_done(ctx: AwsContext) -> None:
    """Each member gets its groups' grants, located at the statement, bound at the
    membership; a group no file declares gives grants nobody here can know.

    Each declared group with grants is also a definition identity holding them: not a
    principal (nothing authenticates as a group), but what joining it gives, for the
    escalation graph (``iam:AddUserToGroup``) and for its own growth."""
    for address, grants in ctx.group_grants.items():
        if any(g.permissions or g.unresolved for g in grants):
            declared = ctx.instances[address]
            name = text(declared.get("name")) or declared.name
            ctx.define(declared, "group", name, "a group: whoever joins it holds this")
            ctx.model.grants.extend(grants)
    seen: set[tuple[str, str]] = set()
    for user, value, inst, where in ctx.memberships:
        group = ctx.resolve(inst, "group", value)
        if group is None or group not in ctx.group_grants:
            shown = display(value)
            if (user, shown) not in seen:
                seen.add((user, shown))
                ctx.model.grants.append(
                    Grant(
                        identity=user,
                        via=f"group {shown}",
                        unknown=(f"grants of group {shown}",),
                        location=where,
                    )
                )
            continue
        if (user, group) in seen:
            continue
        seen.add((user, group))
        declared = ctx.instances[group]
        name = text(declared.get("name")) or declared.name
        for grant in ctx.group_grants[group]:
            update = {"identity": user, "via": f"group {name}: {grant.via}", "binding": where}
            ctx.model.grants.append(grant.model_copy(update=update))


def instance_profile(ctx: AwsContext, inst: ResourceInstance) -> None:
    ctx.register(inst, text(inst.get("name")))
    ctx.profile_roles[inst.full_address] = ctx.resolve(inst, "role", inst.get("role"))


def profile_identity(ctx: AwsContext, inst: ResourceInstance, value: Value) -> str | None:
    """The role behind an instance profile given by name, ARN or reference."""
    address = ctx.resolve(inst, "instance_profile", value)
    if address is not None and address in ctx.profile_roles:
        return ctx.profile_roles[address]
    if isinstance(value, str) and value.startswith("arn:"):
        return external_address("aws", value)
    return None


def pod_identity(ctx: AwsContext, inst: ResourceInstance) -> None:
    """EKS Pod Identity: the ServiceAccount federates to the role (and on to the target
    role of a cross-account association). The Kubernetes side declares the account;
    here it is a placeholder carrying the federation."""
    namespace, account = inst.get("namespace"), inst.get("service_account")
    roles = [ctx.role(inst, inst.get(a)) for a in ("role_arn", "target_role_arn")]
    ns_text, sa_text = display(namespace), display(account)
    address = k8s_address(ns_text, "ServiceAccount", sa_text)
    principal = f"system:serviceaccount:{ns_text}:{sa_text}"
    existing = ctx.model.identities.get(address)
    before = existing.federates_to if existing is not None else ()
    known = isinstance(namespace, str) and isinstance(account, str)
    ctx.model.identities[address] = Identity(
        address=address,
        principal=principal if known else Unknown(unknown=principal),
        provider="kubernetes",
        kind="ServiceAccount",
        name=sa_text,
        environment=existing.environment if existing else ctx.environment(inst, tags_of(inst)),
        federates_to=tuple(dict.fromkeys([*before, *(r for r in roles if r)])),
        declared=False,
        # The first association that names the account is where it is bound.
        location=existing.location if existing is not None else ctx.location(inst),
    )


_ROLE, _USER, _GROUP = "aws_iam_role", "aws_iam_user", "aws_iam_group"
_PASSWORD_POLICY = "aws_iam_account_password_policy"
DECLARATIONS: tuple[Handles[AwsContext], ...] = (
    handles(Phase.INDEX, instance_profile, "aws_iam_instance_profile", reads={_ROLE}),
    handles(Phase.INDEX, password_policy, _PASSWORD_POLICY),
    # A user's credentials: read before the workloads whose environment hands them over.
    handles(
        Phase.CREDENTIAL,
        login_profile,
        "aws_iam_user_login_profile",
        reads={_USER, _PASSWORD_POLICY},
    ),
    handles(
        Phase.CREDENTIAL, service_credential, "aws_iam_service_specific_credential", reads={_USER}
    ),
    handles(Phase.CREDENTIAL, signing_certificate, "aws_iam_signing_certificate", reads={_USER}),
    handles(Phase.GRANT, group_membership, "aws_iam_group_membership", reads={_USER, _GROUP}),
    handles(
        Phase.GRANT, user_group_membership, "aws_iam_user_group_membership", reads={_USER, _GROUP}
    ),
    handles(Phase.GRANT, pod_identity, "aws_eks_pod_identity_association", reads={_ROLE}),
)
