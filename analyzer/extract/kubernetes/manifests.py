"""Kubernetes manifests → identities, grants, credentials and workloads.

ServiceAccounts are the identities (with their IRSA / GKE / Azure federation
annotations), RBAC bindings their grants, pods and the controllers and custom
resources that template them are the workloads. A ServiceAccount a workload or a
binding names but no document declares (the implicit ``default`` one, or one managed
elsewhere) is an identity with ``declared=False``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from driftgate.analyzer.extract.addresses import external_address, k8s_address
from driftgate.analyzer.extract.kubernetes.objects import K8sObject, k8s_objects, text
from driftgate.analyzer.extract.kubernetes.rbac import rbac_grants
from driftgate.analyzer.extract.kubernetes.workloads import (
    PodTemplate,
    inference_reason,
    pod_credentials,
    pod_templates,
    workload_labels,
)
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model.entities import (
    Credential,
    Grant,
    Identity,
    Location,
    Model,
    Unknown,
    Workload,
)
from driftgate.analyzer.parse.yaml_docs import YamlDocument

# Annotation → provider of the cloud identity a ServiceAccount federates to.
FEDERATION_ANNOTATIONS = (
    ("eks.amazonaws.com/role-arn", "aws"),
    ("iam.gke.io/gcp-service-account", "gcp"),
    ("azure.workload.identity/client-id", "azure"),
)
_LEGACY_TOKEN_TYPE = "kubernetes.io/service-account-token"
_LEGACY_TOKEN_OWNER = "kubernetes.io/service-account.name"
# A kustomize `vars` reference (``$(llmisvc-serviceAccountName)``): driftgate does not
# apply `vars`, so the name stays unfilled and no real ServiceAccount is called that.
_KUSTOMIZE_VAR = re.compile(r"\$\([^)]*\)")


def extract_kubernetes(documents: Iterable[YamlDocument], options: ExtractOptions) -> Model:
    """The model of every Kubernetes object among ``documents``; others are ignored."""
    objects = list(k8s_objects(documents))
    folders = _colliding_folders(objects)
    model = Model()
    for obj in objects:
        if obj.group == "" and obj.kind == "ServiceAccount":
            identity = _service_account(obj, options, folders)
            model.identities.setdefault(identity.address, identity)
    for obj in objects:
        if obj.group == "" and obj.kind == "Secret":
            _legacy_token(model, obj, options)
    rbac = rbac_grants(objects)
    model.grants.extend(_beside(model, grant, folders) for grant in rbac.grants)
    for subject in rbac.subjects:
        if (
            f"{subject.address}@{posixpath.dirname(subject.binding.path) or '.'}"
            in model.identities
        ):
            continue  # the colliding ServiceAccount declared beside the binding
        environment = options.environments.resolve(subject.binding.path, subject.namespace)
        ensure_service_account(model, subject.namespace, subject.name, environment)
    for obj in objects:
        _workload(model, obj, options, folders)
    # After the workloads, which add the ServiceAccounts they name.
    accounts = [
        (i.principal.split(":")[2], i.name)
        for i in model.identities.values()
        if i.kind == "ServiceAccount"
        and isinstance(i.principal, str)
        and i.principal.startswith("system:serviceaccount:")
    ]
    for impersonation in rbac.impersonations:
        model.trusts.extend(impersonation.trusts(accounts))
    for role, grants in rbac.definitions:
        _definition(model, role, grants, options)
    return model


_AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"


def _definition(
    model: Model, role: K8sObject, grants: list[Grant], options: ExtractOptions
) -> None:
    """A role no binding here reaches, kept so that what it gains is said on it."""
    into = sorted(
        key.removeprefix(_AGGREGATE_TO)
        for key, value in role.labels.items()
        if key.startswith(_AGGREGATE_TO) and value == "true"
    )
    why = f"aggregated into {', '.join(into)}" if into else "bound to nothing here"
    address = grants[0].identity
    if address in model.identities:
        return
    model.identities[address] = Identity(
        address=address,
        provider="kubernetes",
        kind=role.kind,
        name=f"{role.name} ({why})",
        environment=options.environments.resolve(role.path, role.namespace, role.labels),
        location=role.location,
        definition=True,
    )
    model.grants.extend(grants)


def _implicit_namespace(obj: K8sObject) -> bool:
    metadata = obj.data.get("metadata")
    return obj.namespace is not None and not (
        isinstance(metadata, dict) and text(metadata.get("namespace"))
    )


def _colliding_folders(objects: list[K8sObject]) -> set[tuple[str, str]]:
    """(kind, name) of the objects without a namespace declared in several folders.

    An object that names no namespace goes wherever it is applied: the same Job in
    ``gpu-examples/`` and ``tpu-examples/`` (ai-on-gke's ``mnist-training-job``) is two
    deployments, not one, unless a kustomization ties them (it then builds them from one
    root, with the namespace it sets). Only those colliding objects have their folder in
    their address (``k8s:default/Job/x@gpu-examples``), so that every other address stays
    what it was. An object that names its namespace is one object wherever it is copied
    (the release manifests of several versions), and is left as it is.
    """
    seen: dict[tuple[str, str], set[str]] = {}
    for obj in objects:
        if _implicit_namespace(obj):
            seen.setdefault((obj.kind, obj.name), set()).add(posixpath.dirname(obj.path))
    return {key for key, where in seen.items() if len(where) > 1}


def _address(obj: K8sObject, folders: set[tuple[str, str]], kind: str, name: str) -> str:
    address = k8s_address(obj.namespace or "default", kind, name)
    if _implicit_namespace(obj) and (kind, name) in folders:
        return f"{address}@{posixpath.dirname(obj.path) or '.'}"
    return address


def _beside(model: Model, grant: Grant, folders: set[tuple[str, str]]) -> Grant:
    """A binding's grant to the colliding ServiceAccount declared in its own folder."""
    where = grant.binding or grant.location
    if not folders or where is None:
        return grant
    folder = posixpath.dirname(where.path) or "."
    own = f"{grant.identity}@{folder}"
    return grant.model_copy(update={"identity": own}) if own in model.identities else grant


def _service_account(
    obj: K8sObject, options: ExtractOptions, folders: set[tuple[str, str]]
) -> Identity:
    namespace = obj.namespace or "default"
    federates_to = tuple(
        external_address(provider, value)
        for key, provider in FEDERATION_ANNOTATIONS
        if (value := obj.annotations.get(key, "").strip())
    )
    return Identity(
        address=_address(obj, folders, "ServiceAccount", obj.name),
        principal=f"system:serviceaccount:{namespace}:{obj.name}",
        provider="kubernetes",
        kind="ServiceAccount",
        name=obj.name,
        environment=options.environments.resolve(obj.path, namespace, obj.labels),
        owner=options.owner_from(obj.labels, obj.annotations),
        labels=obj.labels,
        federates_to=federates_to,
        location=obj.location,
    )


def ensure_service_account(model: Model, namespace: str, name: str, environment: str | None) -> str:
    """The ServiceAccount's address, adding it as undeclared when no document declares it."""
    address = k8s_address(namespace, "ServiceAccount", name)
    if address not in model.identities:
        principal: str | Unknown = f"system:serviceaccount:{namespace}:{name}"
        if _KUSTOMIZE_VAR.search(name):
            principal = Unknown(unknown=f"kustomize variable {name} is not filled in")
        model.identities[address] = Identity(
            address=address,
            principal=principal,
            provider="kubernetes",
            kind="ServiceAccount",
            name=name,
            environment=environment,
            declared=False,
        )
    return address


def _legacy_token(model: Model, obj: K8sObject, options: ExtractOptions) -> None:
    """A Secret of type service-account-token: a long-lived token of its ServiceAccount."""
    account = text(obj.annotations.get(_LEGACY_TOKEN_OWNER))
    if obj.data.get("type") != _LEGACY_TOKEN_TYPE or account is None:
        return
    namespace = obj.namespace or "default"
    environment = options.environments.resolve(obj.path, namespace, obj.labels)
    credential = Credential(
        address=k8s_address(namespace, "Secret", obj.name),
        kind="legacy_sa_token",
        identity=ensure_service_account(model, namespace, account, environment),
        environment=environment,
        location=obj.location,
    )
    model.credentials.setdefault(credential.address, credential)


def _identity_line(obj: K8sObject, templates: list[PodTemplate]) -> Location | None:
    for template in templates:
        lines = getattr(template.spec, "key_lines", {})
        for key in ("serviceAccountName", "serviceAccount"):
            if key in lines:
                return Location(path=obj.path, line=lines[key])
    return None


def _workload(
    model: Model, obj: K8sObject, options: ExtractOptions, folders: set[tuple[str, str]]
) -> None:
    templates = pod_templates(obj)
    if not templates:
        return
    namespace = obj.namespace or "default"
    address = _address(obj, folders, obj.kind, obj.name)
    if address in model.workloads:
        return  # the first declaration wins
    labels = workload_labels(obj, templates)
    environment = options.environments.resolve(obj.path, namespace, labels)
    identities: dict[str, None] = {}
    for template in templates:
        name = template.service_account
        # A ServiceAccount of the same name declared in this folder and in others: the
        # one beside the workload is the one applied with it.
        own = _address(obj, folders, "ServiceAccount", name)
        if own not in model.identities:
            own = ensure_service_account(model, namespace, name, environment)
        identities[own] = None
    credentials: dict[str, None] = {}
    for template in templates:
        for credential in pod_credentials(obj, template, address, environment):
            model.credentials.setdefault(credential.address, credential)
            credentials[credential.address] = None
    reason = inference_reason(obj, templates, options.inference)
    owner_maps = [obj.labels, obj.annotations]
    owner_maps += [m for template in templates for m in (template.labels, template.annotations)]
    model.workloads[address] = Workload(
        address=address,
        kind=obj.kind,
        name=obj.name,
        namespace=namespace,
        environment=environment,
        identities=tuple(identities),
        credentials=tuple(credentials),
        inference=reason is not None,
        inference_reason=reason,
        owner=options.owner_from(*owner_maps),
        labels=labels,
        location=obj.location,
        identity_location=_identity_line(obj, templates),
    )
