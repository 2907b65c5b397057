"""GCP IAM members, bindings and policies → grants (what a member may do) and trusts.

Every ``google_<resource>_iam_{member,binding,policy}`` resource is read the same way:
the resource it sets a policy on (a Cloud resource name such as
``projects/p/secrets/s``), then bindings of one role to members, each with an optional
condition. Service-account members (and Kubernetes ServiceAccounts under Workload
Identity) receive a grant of the role on that resource. Human and public members
(``user:``, ``group:``, ``domain:``, ``allUsers``) are not identities of the model and
receive none; on a service account's own policy they are recorded, with every other
member, as a trust: who may act as that account.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from driftgate.analyzer.extract.gcp.common import (
    SA_DOMAIN,
    GcpContext,
    email_of,
    partial,
    render,
    shown,
    template_ref,
    wi_subject,
)
from driftgate.analyzer.extract.gcp.paths import TARGETS, resource_name
from driftgate.analyzer.model import Condition, Grant, Location, Permission, Trust
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.permissions.gcp import role_known
from driftgate.analyzer.providers.gcp import iam_condition
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.evaluate import Evaluator
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, plain_value

_FLAVOURS = ("member", "binding", "policy")
# IAM resource type → (family, flavour), for every family whose target TARGETS can name:
# a family added there is read, and declared as read, at once.
IAM_TYPES: dict[str, tuple[str, str]] = {
    f"google_{family}_iam_{flavour}": (family, flavour)
    for family in TARGETS
    for flavour in _FLAVOURS
}

# Roles on a service account that let the member act as it (DESIGN.md §3, Trust).
IMPERSONATION_ROLES = frozenset(
    {
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountOpenIdTokenCreator",
        "roles/iam.workloadIdentityUser",
        "roles/owner",
        "roles/editor",
    }
)
# Member prefixes of principals that are not service accounts.
_OTHER_MEMBERS = (
    "user:",
    "group:",
    "domain:",
    "allUsers",
    "allAuthenticatedUsers",
    "deleted:",
    "principal:",
    "principalSet:",
    "projectOwner:",
    "projectEditor:",
    "projectViewer:",
)


@dataclass(frozen=True, slots=True)
class Member:
    """One IAM member: how it reads, and (for service accounts) the value naming it."""

    text: str
    account: Value = None
    is_account: bool = False


@dataclass(frozen=True, slots=True)
class Binding:
    role: Value
    members: tuple[Member, ...]
    conditions: tuple[Condition, ...]
    unknown: tuple[str, ...]
    location: Location
    # The whole block: when the change edited its role rather than its members, the
    # finding points there (see Grant.origins).
    block: Location | None = None


def members_of(expr: ast.Expr | None, evaluator: Evaluator) -> list[Member]:
    """The members an expression lists, references to service accounts kept."""
    if expr is None:
        return []
    if isinstance(expr, ast.TupleExpr):
        return [m for item in expr.items for m in members_of(item, evaluator)]
    account = template_ref(expr, evaluator, "serviceAccount:")
    if account is not None and not isinstance(account, str):
        return [Member(shown(render(expr, evaluator)), account, True)]
    value = render(expr, evaluator)
    items = value if isinstance(value, list) else [value]
    return [m for item in items if (m := _member(item)) is not None]


def _member(value: Value) -> Member | None:
    if value is None:
        return None
    if isinstance(value, ResourceRef) and value.attribute in ("member", "email"):
        return Member(shown(value), value, True)
    text = shown(value)
    if text.startswith("serviceAccount:"):
        rest = text.removeprefix("serviceAccount:")
        return Member(text, rest if isinstance(value, str) else partial(rest), True)
    if isinstance(value, str) or text.startswith(_OTHER_MEMBERS):
        return Member(text)
    # Nothing tells what kind of member this is: it may be a service account.
    return Member(text, value, True)


def _condition(views: list[BlockView]) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
    """The IAM condition as ``title: expression``, and the parts that are unknown."""
    for view in views[:1]:
        if view.unknown is not None:
            return (iam_condition("", f"${{{view.unknown}}}"),), (view.unknown,)
        title, expression = view.get("title"), view.get("expression")
        unknown = tuple(shown(v) for v in (title, expression) if isinstance(v, UnknownValue))
        return (_condition_text(title, expression),), unknown
    return (), ()


def _condition_text(title: Value, expression: Value) -> Condition:
    return iam_condition(shown(title) if title else "", shown(expression))


def _json_condition(raw: Value) -> tuple[Condition, ...]:
    if not isinstance(raw, dict):
        return ()
    return (_condition_text(raw.get("title"), raw.get("expression")),)


class IamExtractor:
    def __init__(self, ctx: GcpContext) -> None:
        self.ctx = ctx

    # ---- the resource a policy is on ----------------------------------------------------

    def path(self, inst: ResourceInstance, family: str) -> tuple[str, tuple[str, ...]]:
        """The Cloud resource name of the IAM resource's target, and its unknown parts."""
        if family == "service_account":
            return self._account_path(inst)
        return resource_name(self.ctx, inst, TARGETS[family])

    def _account_path(self, inst: ResourceInstance) -> tuple[str, tuple[str, ...]]:
        value = inst.get("service_account_id")
        if isinstance(value, str) and value.startswith("projects/"):
            return value, ()
        identity = self.ctx.model.identities.get(self.target_account(inst) or "")
        principal = identity.principal if identity is not None else None
        if isinstance(principal, str) and "@" in principal:
            domain = principal.partition("@")[2]
            project = domain.removesuffix(SA_DOMAIN) if domain.endswith(SA_DOMAIN) else "-"
            return f"projects/{project}/serviceAccounts/{principal}", ()
        text = str(principal) if principal is not None else shown(value)
        return f"projects/-/serviceAccounts/{text}", (text,)

    def target_account(self, inst: ResourceInstance) -> str | None:
        return self.ctx.service_account(inst, inst.get("service_account_id"))

    # ---- bindings -----------------------------------------------------------------------

    def bindings(self, inst: ResourceInstance, flavour: str) -> Iterator[Binding]:
        if flavour == "policy":
            yield from self._policy_bindings(inst)
            return
        attribute = "member" if flavour == "member" else "members"
        attr = inst.block.attributes.get(attribute)
        members = members_of(attr.expr if attr else None, inst.evaluator)
        conditions, unknown = _condition(inst.children("condition"))
        where = Location(path=inst.path, line=inst.line_of(attribute))
        block = Location(path=inst.path, line=inst.block.line, end_line=inst.block.end_line)
        yield Binding(inst.get("role"), tuple(members), conditions, unknown, where, block)

    def _policy_bindings(self, inst: ResourceInstance) -> Iterator[Binding]:
        """Bindings of ``policy_data``: a ``data "google_iam_policy"`` block, or JSON."""
        policy = inst.get("policy_data")
        where = Location(path=inst.path, line=inst.line_of("policy_data"))
        if isinstance(policy, ResourceRef):
            data = self.ctx.instance(inst, policy)
            if data is not None and data.type == "google_iam_policy" and data.mode == "data":
                yield from self._data_bindings(data)
                return
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except (ValueError, RecursionError):
                policy = UnknownValue("policy_data", "not valid JSON")
        policy = plain_value(policy)
        if isinstance(policy, dict) and isinstance(policy.get("bindings"), list):
            for raw in policy["bindings"]:
                if isinstance(raw, dict):
                    members = raw.get("members")
                    items = members if isinstance(members, list) else [members]
                    found = tuple(m for item in items if (m := _member(item)) is not None)
                    conditions = _json_condition(raw.get("condition"))
                    yield Binding(raw.get("role"), found, conditions, (), where)
            return
        # Who holds what is not known: one binding of an unknown role to an unknown member.
        if not isinstance(policy, UnknownValue):
            policy = UnknownValue(f"{inst.address}.policy_data", "not an IAM policy")
        text = shown(policy)
        yield Binding(policy, (Member(text, policy, True),), (), (), where)

    def _data_bindings(self, data: ResourceInstance) -> Iterator[Binding]:
        for view in data.children("binding"):
            where = Location(path=data.path, line=view.line_of("members"))
            if view.unknown is not None:
                unknown = UnknownValue(view.unknown, "dynamic binding")
                member = Member(f"${{{view.unknown}}}", unknown, True)
                yield Binding(unknown, (member,), (), (), where)
                continue
            attr = view.block.attributes.get("members")
            members = members_of(attr.expr if attr else None, view.evaluator)
            conditions, unknown_parts = _condition(view.children("condition"))
            block = Location(path=data.path, line=view.line, end_line=view.block.end_line)
            yield Binding(view.get("role"), tuple(members), conditions, unknown_parts, where, block)

    # ---- grants and trusts --------------------------------------------------------------

    def extract(self, inst: ResourceInstance, family: str, flavour: str) -> None:
        path, path_unknown = self.path(inst, family)
        target = self.target_account(inst) if family == "service_account" else None
        binding_at = self.ctx.first_line(inst)
        for binding in self.bindings(inst, flavour):
            role = shown(binding.role)
            role_unknown = (role,) if not isinstance(binding.role, str) else ()
            if isinstance(binding.role, str) and not role_known(binding.role):
                # A predefined role the catalog lacks: a typo, or newer than the catalog.
                role_unknown = (f"role {role} (not in driftgate's catalog)",)
                self.ctx.warn_unresolved(
                    inst,
                    binding.location.line or 1,
                    f"role {role} is not a GCP predefined role in driftgate's catalog (a "
                    "typo, or newer than the catalog); what it grants is unknown",
                    binding.location.path,
                )
            unknown = tuple(dict.fromkeys(path_unknown + role_unknown + binding.unknown))
            principals: list[str] = []
            for member in binding.members:
                identity = self.member_identity(inst, member)
                principals.append(self._principal_text(member, identity))
                if identity is None:
                    continue
                self.ctx.model.grants.append(
                    Grant(
                        identity=identity,
                        permissions=(Permission(action=role, resource=path),),
                        conditions=binding.conditions,
                        via=inst.address,
                        unknown=unknown,
                        location=binding.location,
                        binding=binding_at,
                        origins=(binding.block,) if binding.block is not None else (),
                    )
                )
            impersonation = role in IMPERSONATION_ROLES or bool(role_unknown)
            if target is not None and principals and impersonation:
                self.ctx.model.trusts.append(
                    Trust(
                        identity=target,
                        principals=tuple(dict.fromkeys(principals)),
                        actions=(role,),
                        conditions=binding.conditions,
                        via=inst.address,
                        location=binding.location,
                    )
                )

    def member_identity(self, inst: ResourceInstance, member: Member) -> str | None:
        """The identity a member is, or None for human and public members."""
        if subject := wi_subject(member.text):
            return self.ctx.kubernetes_account(inst, *subject)
        if not member.is_account:
            return None
        return self.ctx.service_account(inst, member.account)

    def _principal_text(self, member: Member, identity: str | None) -> str:
        """How a trust names the member: a service account by its e-mail once known."""
        found = self.ctx.model.identities.get(identity or "")
        if (
            found is not None
            and found.provider == "gcp"
            and isinstance(found.principal, str)
            and "@" in found.principal
        ):
            return f"serviceAccount:{email_of(found.principal)}"
        return member.text


def iam_family(resource_type: str) -> tuple[str, str] | None:
    """(family, flavour) of an IAM resource type this extractor knows, else None."""
    return IAM_TYPES.get(resource_type)


__all__ = ["IAM_TYPES", "IMPERSONATION_ROLES", "IamExtractor", "Member", "iam_family", "members_of"]
