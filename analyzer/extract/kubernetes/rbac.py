"""Kubernetes RBAC: (Cluster)Role rules and (Cluster)RoleBinding subjects → grants.

One grant per rule of the referenced role and per ServiceAccount subject, located at
the rule, so that a finding points at the line that grants. Roles are resolved across
every document given, with ClusterRole aggregation by label selector.

A rule that lets its subjects ``impersonate`` ServiceAccounts is also who may act as
those ServiceAccounts: a trust of each, naming every subject — users and groups too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftgate.analyzer.extract.addresses import k8s_address
from driftgate.analyzer.extract.kubernetes.objects import (
    K8sObject,
    location,
    mapping,
    mappings,
    strings,
    text,
)
from driftgate.analyzer.model.entities import Grant, Location, Permission, Trust

# A rule whose product of verbs, groups, resources and names is larger is not expanded.
MAX_RULE_PERMISSIONS = 10_000

_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_ROLES = ("Role", "ClusterRole")
# The one built-in ClusterRole whose rules are fixed and whose meaning is unambiguous.
_BUILTIN_RULES: dict[str, tuple[dict[str, list[str]], ...]] = {
    "cluster-admin": (
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
        {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ),
}


@dataclass(frozen=True, slots=True)
class Impersonation:
    """Subjects a binding lets impersonate ServiceAccounts: those ``names`` in
    ``namespace`` (None: every namespace), or all of them when ``names`` is empty."""

    namespace: str | None
    names: tuple[str, ...]
    principals: tuple[str, ...]
    via: str
    location: Location | None

    def trusts(self, accounts: Iterable[tuple[str, str]]) -> list[Trust]:
        """The trusts of the ``(namespace, name)`` ServiceAccounts it reaches."""
        return [
            Trust(
                identity=k8s_address(namespace, "ServiceAccount", name),
                principals=self.principals,
                actions=("impersonate",),
                via=self.via,
                location=self.location,
            )
            for namespace, name in accounts
            if self.namespace in (None, namespace) and (not self.names or name in self.names)
        ]


@dataclass(frozen=True, slots=True)
class Subject:
    """A ServiceAccount a binding names, and the binding that names it."""

    namespace: str
    name: str
    binding: K8sObject = field(compare=False)

    @property
    def address(self) -> str:
        return k8s_address(self.namespace, "ServiceAccount", self.name)


@dataclass
class Rbac:
    grants: list[Grant] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    impersonations: list[Impersonation] = field(default_factory=list)
    # Roles no binding here reaches (directly or by aggregation), with what they grant:
    # a ClusterRole aggregated into the built-in `edit`, one a controller binds at run
    # time. Their growth is said on them (see Identity.definition).
    definitions: list[tuple[K8sObject, list[Grant]]] = field(default_factory=list)


def rbac_grants(objects: Iterable[K8sObject]) -> Rbac:
    """The grants of every ServiceAccount subject, those subjects, and who may
    impersonate ServiceAccounts."""
    roles: dict[tuple[str | None, str, str], K8sObject] = {}
    bindings: list[K8sObject] = []
    for obj in objects:
        if obj.group != "rbac.authorization.k8s.io":
            continue
        if obj.kind in _ROLES:
            roles.setdefault((obj.namespace, obj.kind, obj.name), obj)
        elif obj.kind in _BINDINGS:
            bindings.append(obj)
    cluster_roles = [role for role in roles.values() if role.kind == "ClusterRole"]
    reached: set[int] = set()
    found = Rbac()
    grants, subjects = found.grants, found.subjects
    for binding in bindings:
        ref = mapping(binding.data, "roleRef")
        ref_kind, ref_name = text(ref.get("kind")), text(ref.get("name"))
        if ref_kind not in _ROLES or ref_name is None:
            continue
        if binding.kind == "ClusterRoleBinding" and ref_kind == "Role":
            continue  # rejected by the API server
        role_namespace = binding.namespace if ref_kind == "Role" else None
        role = roles.get((role_namespace, ref_kind, ref_name))
        scope = binding.namespace if binding.kind == "RoleBinding" and binding.namespace else "*"
        via = f"{binding.kind} {_qualified(binding.namespace, binding.name)} → {ref_kind} "
        via += _qualified(role_namespace, ref_name)
        ref_location = location(binding.path, ref, binding.location)
        sources = _sources(role, cluster_roles) if role is not None else []
        reached.update(id(source) for source in sources)
        rules = _rules(sources)
        principals = _principals(binding)
        if principals:
            found.impersonations.extend(
                Impersonation(
                    None if scope == "*" else scope, names, principals, via, binding.location
                )
                for names in _impersonated(rule for rule, _ in rules)
            )
        for subject in _subjects(binding):
            subjects.append(subject)
            if role is not None:
                grants.extend(
                    _rule_grant(subject.address, rule, at, scope, via, binding.location)
                    for rule, at in rules
                )
            elif ref_kind == "ClusterRole" and ref_name in _BUILTIN_RULES:
                grants.extend(
                    _rule_grant(
                        subject.address,
                        rule,
                        ref_location,
                        scope,
                        via + " (built-in)",
                        binding.location,
                    )
                    for rule in _BUILTIN_RULES[ref_name]
                )
            else:
                unknown = f"roleRef {ref_kind}/{ref_name} not declared in the repository"
                grants.append(
                    Grant(
                        identity=subject.address,
                        via=via,
                        unknown=(unknown,),
                        location=ref_location,
                    )
                )
    found.definitions = _definitions(roles.values(), cluster_roles, reached)
    return found


def rule_permissions(rule: Mapping[str, Any], scope: str) -> tuple[tuple[Permission, ...], bool]:
    """The permissions of one policy rule, and False when it was too large to expand."""
    verbs = strings(rule.get("verbs"))
    groups = strings(rule.get("apiGroups"))
    resources = strings(rule.get("resources"))
    names: list[str | None] = [*strings(rule.get("resourceNames"))] or [None]
    urls = strings(rule.get("nonResourceURLs")) if scope == "*" else []
    size = len(verbs) * (len(groups) * len(resources) * len(names) + len(urls))
    if size > MAX_RULE_PERMISSIONS:
        return (), False
    found: dict[Permission, None] = {}
    for verb in verbs:
        for group in groups:
            for resource in resources:
                for name in names:
                    # A subresource keeps its slash (pods/exec); a name follows a '#'.
                    target = f"{group or 'core'}/{resource}" + (f"#{name}" if name else "")
                    found[Permission(action=verb, resource=target, scope=scope)] = None
        for url in urls:
            found[Permission(action=verb, resource=f"url:{url}", scope=scope)] = None
    return tuple(found), True


def _rule_grant(
    identity: str,
    rule: Mapping[str, Any],
    at: Location,
    scope: str,
    via: str,
    binding: Location | None = None,
) -> Grant:
    permissions, expanded = rule_permissions(rule, scope)
    unknown = () if expanded else (f"rule grants more than {MAX_RULE_PERMISSIONS} permissions",)
    return Grant(
        identity=identity,
        permissions=permissions,
        via=via,
        unknown=unknown,
        location=at,
        binding=binding,
    )


def _subjects(binding: K8sObject) -> list[Subject]:
    """The ServiceAccount subjects; their namespace defaults to the binding's."""
    found: dict[Subject, None] = {}
    for subject in mappings(binding.data.get("subjects")):
        name = text(subject.get("name"))
        if subject.get("kind") != "ServiceAccount" or name is None:
            continue
        namespace = text(subject.get("namespace")) or binding.namespace or "default"
        found[Subject(namespace, name, binding)] = None
    return list(found)


def _principals(binding: K8sObject) -> tuple[str, ...]:
    """Every subject as a trust principal: ``User:alice``, ``Group:oncall`` or a
    ServiceAccount's ``system:serviceaccount:ns:name``."""
    found: dict[str, None] = {}
    for subject in mappings(binding.data.get("subjects")):
        kind, name = text(subject.get("kind")), text(subject.get("name"))
        if name is None or kind not in ("User", "Group", "ServiceAccount"):
            continue
        if kind == "ServiceAccount":
            namespace = text(subject.get("namespace")) or binding.namespace or "default"
            found[f"system:serviceaccount:{namespace}:{name}"] = None
        else:
            found[f"{kind}:{name}"] = None
    return tuple(found)


def _impersonated(rules: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """For each rule that lets its subjects impersonate ServiceAccounts, the names it
    allows (empty: all). Only rules that name ServiceAccounts count: ``*`` on ``*`` is
    an administrator, which DG104/DG405 report, not a trust of every account."""
    found: list[tuple[str, ...]] = []
    for rule in rules:
        verbs = strings(rule.get("verbs"))
        groups = strings(rule.get("apiGroups"))
        if "serviceaccounts" not in strings(rule.get("resources")):
            continue
        if not ({"impersonate", "*"} & set(verbs)) or not ({"", "*"} & set(groups)):
            continue
        found.append(tuple(strings(rule.get("resourceNames"))))
    return found


def _sources(role: K8sObject, cluster_roles: list[K8sObject]) -> list[K8sObject]:
    """The role, and for an aggregated ClusterRole the ClusterRoles its selectors match."""
    sources = [role]
    selectors = mappings(mapping(role.data, "aggregationRule").get("clusterRoleSelectors"))
    if role.kind == "ClusterRole" and selectors:
        sources += [
            other
            for other in cluster_roles
            if other is not role and any(_matches(s, other.labels) for s in selectors)
        ]
    return sources


def _rules(sources: list[K8sObject]) -> list[tuple[dict[Any, Any], Location]]:
    """The rules of ``sources`` (a role and what it aggregates) with their locations."""
    return [
        (rule, location(source.path, rule, source.location))
        for source in sources
        for rule in mappings(source.data.get("rules"))
    ]


def _definitions(
    roles: Iterable[K8sObject], cluster_roles: list[K8sObject], reached: set[int]
) -> list[tuple[K8sObject, list[Grant]]]:
    found: list[tuple[K8sObject, list[Grant]]] = []
    for role in roles:
        if id(role) in reached:
            continue
        address = k8s_address(role.namespace, role.kind, role.name)
        scope = role.namespace or "*"
        via = f"{role.kind} {_qualified(role.namespace, role.name)}"
        grants = [
            _rule_grant(address, rule, at, scope, via)
            for rule, at in _rules(_sources(role, cluster_roles))
        ]
        if grants:
            found.append((role, grants))
    return found


def _matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions)."""
    match_labels = mapping(selector, "matchLabels")
    expressions = mappings(selector.get("matchExpressions"))
    if not match_labels and not expressions:
        return False  # an empty aggregation selector is ignored by the controller
    if any(labels.get(str(key)) != value for key, value in match_labels.items()):
        return False
    for expression in expressions:
        key, operator = text(expression.get("key")), expression.get("operator")
        values = strings(expression.get("values"))
        if key is None:
            return False
        present = key in labels
        ok = {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels.get(key) not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }.get(str(operator), False)
        if not ok:
            return False
    return True


def _qualified(namespace: str | None, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name
