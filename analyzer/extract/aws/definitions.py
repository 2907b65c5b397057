"""Policies nothing here attaches, kept as definitions so that their growth is seen.

terraform-aws-modules' IRSA module builds a policy document per add-on behind a feature
flag no example turns on; eks-blueprints-addons hands documents to a registry module
driftgate cannot read; a module creates an ``aws_iam_policy`` and outputs its ARN for
callers. A statement added to any of them grows whoever will hold it, and the pull
request is where a reviewer can still say no. Each such policy or document becomes a
*definition* identity (:attr:`Identity.definition`) with the policy's grants: compared
like any identity, never counted as a principal.
"""

from __future__ import annotations

from collections.abc import Iterable

from driftgate.analyzer.extract.aws import policy as aws_policy
from driftgate.analyzer.extract.aws.common import AwsContext, text, text_line
from driftgate.analyzer.extract.aws.policy_document import render_policy_document
from driftgate.analyzer.model import Grant, Trust
from driftgate.analyzer.terraform.modules import ResourceInstance

_POLICY = "aws_iam_policy"
_DOCUMENT = "aws_iam_policy_document"


def add_definitions(ctx: AwsContext, instances: Iterable[ResourceInstance]) -> None:
    """A definition for each policy nothing attaches and each document no grant holds."""
    held = _places(ctx.model.grants) | _places(ctx.model.trusts)
    for group in ctx.group_grants.values():
        held |= _places(group)
    policies = [i for i in instances if i.mode == "resource" and i.type == _POLICY]
    documents = [i for i in instances if i.mode == "data" and i.type == _DOCUMENT]
    for inst in policies:
        if inst.full_address in ctx.used_policies:
            continue
        where = ctx.location(inst, "policy")
        grants = list(
            aws_policy.grants(
                inst.full_address,
                inst.get("policy"),
                inst.address,
                where,
                text_line(inst, "policy"),
            )
        )
        name = text(inst.get("name")) or text(inst.get("name_prefix")) or inst.address
        _define(ctx, inst, "policy", name, "attached to nothing here", grants, held)
    for inst in documents:
        # Rendered already when a policy or a role read its JSON: not rendered again.
        document = inst.evaluator.rendered(inst.local_address, inst.key_suffix, "json")
        if document is None:
            document = render_policy_document(inst.block, inst.evaluator)
        found, _ = aws_policy.statements(document)
        if any(stmt.principals for stmt in found):
            continue  # a trust or resource policy (a bucket's, a key's): it names who
        where = ctx.location(inst)
        grants = list(aws_policy.statement_grants(inst.full_address, found, inst.address, where))
        # Statements some grant already holds are reported on its holder.
        places = _places(grants)
        if places and places <= held:
            continue
        why = (
            "turned off in every configuration here"
            if inst.dormant
            else "held by nothing read here"
        )
        _define(ctx, inst, "policy document", inst.name, why, grants, held)


def _define(
    ctx: AwsContext,
    inst: ResourceInstance,
    kind: str,
    name: str,
    why: str,
    grants: list[Grant],
    held: set[tuple[str, int]],
) -> None:
    if not any(g.permissions for g in grants):
        return  # nothing it grants can be read: no growth could be said of it
    ctx.define(inst, kind, name, why)
    ctx.model.grants.extend(grants)
    held |= _places(grants)


def _places(held: Iterable[Grant | Trust]) -> set[tuple[str, int]]:
    return {(g.location.path, g.location.line) for g in held if g.location is not None}
