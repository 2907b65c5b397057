"""Policies named by a Vault identity → its grants; its reach into secrets engine roles.

One grant per path block of each policy, located at the block, with the binding (the
role's ``token_policies``) as where the policy is given to the identity. A policy named
but not declared is a grant whose permissions are unknown, never an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.analyzer.extract.vault.policy import (
    ROOT_CAPABILITIES,
    PolicyRule,
    document_rules,
    parse_policy,
    path_matches,
    policy_text,
)
from driftgate.analyzer.extract.vault.values import shown
from driftgate.analyzer.model import Grant, Location, Model, Permission
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, Value, display

# Capabilities that read credentials from a secrets engine (GET or POST on creds/).
_MINTING = frozenset({"read", "create", "update", "*"})


@dataclass(frozen=True, slots=True)
class _Rules:
    """A policy's rules, the file they are written in, and why they could not be read."""

    rules: tuple[PolicyRule, ...]
    path: str
    where: Location
    problem: str | None = None


@dataclass
class PolicyGrants:
    """Resolves policy names and references of one run to the grants they give."""

    index: dict[str, ResourceInstance]
    # (root label, lower-case policy name) → the vault_policy declaring it.
    policies: dict[tuple[str, str], ResourceInstance] = field(default_factory=dict)
    _rules: dict[str, _Rules] = field(default_factory=dict)

    def add_policy(self, inst: ResourceInstance) -> None:
        name = inst.get("name")
        if isinstance(name, str):
            # Vault lower-cases policy names.
            self.policies[(inst.root.label, name.lower())] = inst

    def grants(
        self,
        identity: str,
        inst: ResourceInstance,
        value: Value,
        binding: Location,
        no_default: bool,
    ) -> list[Grant]:
        """One grant per path block of every policy ``value`` names."""
        if value is not None and not isinstance(value, list | str):
            unknown = f"policies {shown(value)} are not known statically"
            return [
                Grant(
                    identity=identity,
                    via=f"{inst.address} policies",
                    unknown=(unknown,),
                    location=binding,
                )
            ]
        found: list[Grant] = []
        named: set[str] = set()
        for item in [value] if isinstance(value, str) else value or []:
            policy = None
            if isinstance(item, ResourceRef) and item.address.startswith("vault_policy."):
                policy = self.index.get(inst.address_of(item))
            elif isinstance(item, str):
                named.add(item.lower())
                if item.lower() == "root":
                    found.append(_root(identity, inst, binding))
                    continue
                policy = self.policies.get((inst.root.label, item.lower()))
                if policy is None and item.lower() == "default":
                    continue  # the built-in default policy: a token may manage only itself
            if policy is not None:
                named.add(display(policy.get("name")).lower())
                found.extend(self.policy_grants(identity, inst, policy, binding))
                continue
            reason = "is not declared in the repository"
            if not isinstance(item, str):
                reason = "is not known statically"
            found.append(
                Grant(
                    identity=identity,
                    via=f'{inst.address} → vault_policy "{shown(item)}"',
                    unknown=(f'policy "{shown(item)}" {reason}',),
                    location=binding,
                )
            )
        default = self.policies.get((inst.root.label, "default"))
        if not no_default and default is not None and "default" not in named:
            # A declared `default` policy replaces the built-in one, given to every token.
            found.extend(self.policy_grants(identity, inst, default, binding))
        return found

    def policy_grants(
        self, identity: str, inst: ResourceInstance, policy: ResourceInstance, binding: Location
    ) -> list[Grant]:
        rules = self.rules_of(policy)
        via = f'{inst.address} → vault_policy "{display(policy.get("name"))}"'
        if rules.problem is not None:
            return [
                Grant(
                    identity=identity,
                    via=via,
                    unknown=(rules.problem,),
                    location=rules.where,
                    binding=binding,
                )
            ]
        found: list[Grant] = []
        for rule in rules.rules:
            # A deny capability takes every other capability away from the path.
            actions = ("*",) if rule.denies else rule.capabilities
            where = rules.where
            if rule.line is not None:
                where = Location(path=rules.path, line=rule.line)
            found.append(
                Grant(
                    identity=identity,
                    effect="deny" if rule.denies else "allow",
                    permissions=tuple(Permission(action=a, resource=rule.path) for a in actions),
                    conditions=rule.conditions,
                    via=via,
                    unknown=rule.unknown,
                    location=where,
                    binding=binding,
                )
            )
        return found

    def rules_of(self, policy: ResourceInstance) -> _Rules:
        cached = self._rules.get(policy.full_address)
        if cached is None:
            cached = self._rules[policy.full_address] = self._read(policy)
        return cached

    def _read(self, policy: ResourceInstance) -> _Rules:
        where = Location(path=policy.path, line=policy.line_of("policy"))
        value = policy.get("policy")
        if isinstance(value, ResourceRef) and value.address.startswith(
            "data.vault_policy_document."
        ):
            document = self.index.get(policy.address_of(value))
            if document is not None:
                found = document_rules(document.children("rule"))
                return _Rules(tuple(found), document.path, where)
        attr = policy.block.attributes.get("policy")
        text = policy_text(attr.expr if attr else None, value, policy.evaluator)
        if text is None:
            unknown = f"policy {shown(value)} is not known statically"
            return _Rules((), policy.path, where, unknown)
        first_line: int | None = None
        if attr is not None and isinstance(attr.expr, ast.Literal | ast.Template):
            # Lines of a heredoc's body map to the file; a quoted string's do not.
            first_line = attr.line + 1 if attr.expr.text.startswith("<<") else None
        found, problem = parse_policy(text[0], first_line, text[1])
        return _Rules(tuple(found), policy.path, where, problem)


def _root(identity: str, inst: ResourceInstance, binding: Location) -> Grant:
    return Grant(
        identity=identity,
        permissions=tuple(Permission(action=c, resource="*") for c in ROOT_CAPABILITIES),
        via=f'{inst.address} → vault_policy "root" (built-in)',
        location=binding,
    )


def link_secret_roles(model: Model, minted: dict[str, list[str]]) -> None:
    """Vault identities that may read a role's ``creds/`` path federate to that role.

    ``minted`` maps each secrets engine role to the paths that mint its credentials.
    """
    if not minted:
        return
    allowed: dict[str, list[Permission]] = {}
    denied: dict[str, list[str]] = {}
    for grant in model.grants:
        if grant.effect == "allow":
            allowed.setdefault(grant.identity, []).extend(grant.permissions)
        else:
            denied.setdefault(grant.identity, []).extend(p.resource for p in grant.permissions)
    for address, identity in list(model.identities.items()):
        if identity.provider != "vault" or address in minted:
            continue
        permissions = [p for p in allowed.get(address, []) if p.action in _MINTING]
        denies = denied.get(address, [])
        reach = [
            secret
            for secret, paths in minted.items()
            if any(
                path_matches(p.resource, path) and not any(path_matches(d, path) for d in denies)
                for p in permissions
                for path in paths
            )
        ]
        if reach:
            federates = tuple(dict.fromkeys([*identity.federates_to, *reach]))
            model.identities[address] = identity.model_copy(update={"federates_to": federates})
