"""Kubernetes objects declared as Terraform `kubernetes_*` resources → model entities.

Each resource is converted into the document its YAML form would be (see
:mod:`.terraform_convert`) and handed to the YAML extractor, so that
both forms of one object give the same addresses, grants, credentials and workloads;
only the locations differ. What Terraform adds is applied on top: the environment of the
root module, the unknown parts of a rule, and federation annotations that reference the
cloud identity's resource rather than spell out its principal.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from driftgate.analyzer.extract.context import Report, ignore, root_first
from driftgate.analyzer.extract.kubernetes import terraform_convert as kubernetes_tf_convert
from driftgate.analyzer.extract.kubernetes.manifests import (
    ensure_service_account,
    extract_kubernetes,
)
from driftgate.analyzer.extract.kubernetes.terraform_convert import (
    Converted,
    Converter,
    resolve_metadata,
)
from driftgate.analyzer.extract.link import merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Credential, Location, Model
from driftgate.analyzer.model.environment import EnvironmentResolver
from driftgate.analyzer.terraform.modules import ResourceInstance, Root
from driftgate.analyzer.terraform.values import display

# The Terraform resource a federation annotation may reference, by provider.
_FEDERATED_TYPES = {
    "aws": re.compile(r"(^|\.)aws_iam_role\.[^.]+$"),
    "gcp": re.compile(r"(^|\.)google_service_account\.[^.]+$"),
    "azure": re.compile(r"(^|\.)azurerm_user_assigned_identity\.[^.]+$"),
}
_TOKEN_REQUESTS = frozenset({"kubernetes_token_request_v1"})
HANDLED_TYPES = kubernetes_tf_convert.HANDLED_TYPES | _TOKEN_REQUESTS
# What the API server issues when a TokenRequest sets no expirationSeconds.
_DEFAULT_TOKEN_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class _RootFirst(EnvironmentResolver):
    """Resolves a Terraform object's environment from its root module before its file,
    so that an object in a shared module takes the environment of the root calling it."""

    base: EnvironmentResolver = field(default_factory=EnvironmentResolver)
    env_path: str = ""

    def resolve(
        self,
        path: str,
        namespace: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> str | None:
        return root_first(self.base, self.env_path, path, namespace, labels)


def extract_kubernetes_tf(
    instances: Iterable[ResourceInstance], options: ExtractOptions, report: Report = ignore
) -> Model:
    del report  # converted objects are read, and reported on, by the Kubernetes extractor
    """One model per Terraform root (each is one evaluation), merged."""
    index: dict[str, ResourceInstance] = {}
    by_root: dict[Root, list[ResourceInstance]] = defaultdict(list)
    for inst in instances:
        if inst.dormant:
            continue
        index.setdefault(inst.full_address, inst)
        if inst.type.startswith("kubernetes_"):
            by_root[inst.root].append(inst)
    models = []
    for root, members in by_root.items():
        environments = _RootFirst(base=options.environments, env_path=root.env_path)
        root_options = dataclasses.replace(options, environments=environments)
        converter = Converter(index)
        for inst in members:
            converter.convert(inst)
        model = extract_kubernetes(converter.result.documents, root_options)
        _apply_unknowns(model, converter.result)
        _link_annotations(model, converter.result)
        for inst in members:
            if inst.type in _TOKEN_REQUESTS:
                _token_request(model, inst, index, root_options)
        models.append(model)
    merged = merge(models)
    # Kubernetes addresses carry no root: a module two roots instantiate alike (one
    # cluster configured from two places) gives the same grants twice.
    merged.grants = list(dict.fromkeys(merged.grants))
    merged.trusts = list(dict.fromkeys(merged.trusts))
    return merged


def _apply_unknowns(model: Model, converted: Converted) -> None:
    """A grant built from a rule or binding with unknown arguments says so."""
    if not converted.unknown:
        return
    for i, grant in enumerate(model.grants):
        extra: list[str] = []
        for where in (grant.location, grant.binding):
            if where is not None:
                extra += converted.unknown.get((where.path, where.line), [])
        if extra:
            unknown = tuple(dict.fromkeys([*grant.unknown, *extra]))
            model.grants[i] = grant.model_copy(update={"unknown": unknown})


def _link_annotations(model: Model, converted: Converted) -> None:
    """``eks.amazonaws.com/role-arn = aws_iam_role.x.arn`` federates to that resource."""
    if not converted.references:
        return
    for address, identity in list(model.identities.items()):
        if not identity.federates_to:
            continue
        linked = []
        for target in identity.federates_to:
            provider, _, text = target.partition(":")
            ref = converted.references.get(text)
            pattern = _FEDERATED_TYPES.get(provider)
            if ref is not None and pattern is not None and pattern.search(ref[1]):
                target = ref[0]
            linked.append(target)
        model.identities[address] = identity.model_copy(update={"federates_to": tuple(linked)})


def _token_request(
    model: Model,
    inst: ResourceInstance,
    index: Mapping[str, ResourceInstance],
    options: ExtractOptions,
) -> None:
    """A token Terraform requests for a ServiceAccount (and usually hands elsewhere)."""
    metadata = inst.children("metadata")
    if not metadata:
        return
    names: list[str] = []
    for argument in ("name", "namespace"):
        attr = metadata[0].block.attributes.get(argument)
        value = metadata[0].get(argument)
        if attr is not None:
            value = resolve_metadata(value, attr.expr, inst, index)
        names.append(display(value) if value is not None else "default")
    name, namespace = names
    ttl = _DEFAULT_TOKEN_SECONDS
    where = Location(path=inst.path, line=inst.block.line, end_line=inst.block.end_line)
    for spec in inst.children("spec"):
        seconds = spec.get("expiration_seconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
            ttl = seconds
        if spec.has("expiration_seconds"):
            where = Location(path=inst.path, line=spec.line_of("expiration_seconds"))
    environment = options.environments.resolve(inst.path, namespace)
    account = ensure_service_account(model, namespace, name, environment)
    model.credentials[inst.full_address] = Credential(
        address=inst.full_address,
        kind="token",
        identity=account,
        ttl_seconds=ttl,
        environment=environment,
        location=where,
    )
