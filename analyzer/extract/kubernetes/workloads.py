"""Kubernetes workloads: the pods they describe, who those pods run as, what they consume.

Every workload kind is reduced to its pod templates (a Deployment has one, a KServe
InferenceService one per component, a RayService one per group); the ServiceAccount,
containers and volumes are read from those.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from driftgate.analyzer.extract.addresses import k8s_address
from driftgate.analyzer.extract.inference import (
    gpu_reason,
    kind_reason,
    model_server_reason,
    runs_to_completion,
    selector_reason,
)
from driftgate.analyzer.extract.kubernetes.objects import (
    K8sObject,
    location,
    mapping,
    mappings,
    string_map,
    text,
)
from driftgate.analyzer.extract.literals import literal_secret, plaintext
from driftgate.analyzer.extract.options import InferenceSelectors
from driftgate.analyzer.model.entities import Credential

DEFAULT_TOKEN_TTL = 3600  # seconds, when a projected token sets no expirationSeconds

_CORE_GROUPS = frozenset({"", "apps", "batch", "extensions"})
_TEMPLATED = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
)
_KSERVE_GROUPS = frozenset({"serving.kserve.io", "serving.kubeflow.org"})
_KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
# Container-like fields of a KServe component: the model spec and the framework shortcuts.
_KSERVE_MODELS = (
    "model",
    "sklearn",
    "xgboost",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "huggingface",
    "lightgbm",
    "paddle",
    "pmml",
    "alibi",
    "art",
)


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A pod spec (or a KServe component, which is one) with its template's metadata."""

    spec: dict[Any, Any] = field(repr=False)
    labels: dict[str, str]
    annotations: dict[str, str]
    extra_containers: tuple[dict[Any, Any], ...] = ()

    @property
    def service_account(self) -> str:
        """``serviceAccountName``, else the legacy ``serviceAccount``, else ``default``."""
        return (
            text(self.spec.get("serviceAccountName"))
            or text(self.spec.get("serviceAccount"))
            or "default"
        )

    def containers(self) -> list[dict[Any, Any]]:
        found: list[dict[Any, Any]] = []
        for key in ("containers", "initContainers", "ephemeralContainers"):
            found += mappings(self.spec.get(key))
        return found + list(self.extra_containers)


def pod_templates(obj: K8sObject) -> list[PodTemplate] | None:
    """The pod templates of a workload; None when the object is not a workload kind."""
    group, kind, spec = obj.group, obj.kind, mapping(obj.data, "spec")
    if group in _CORE_GROUPS:
        if kind == "Pod":
            return [PodTemplate(spec, obj.labels, obj.annotations)] if spec else []
        if kind in _TEMPLATED:
            return _templates([spec.get("template")])
        if kind == "CronJob":
            return _templates([mapping(spec, "jobTemplate", "spec").get("template")])
        return None
    if group in _KSERVE_GROUPS and kind == "InferenceService":
        return [
            PodTemplate(
                component,
                obj.labels,
                obj.annotations,
                tuple(mappings([component.get(key) for key in _KSERVE_MODELS])),
            )
            for component in (mapping(spec, name) for name in _KSERVE_COMPONENTS)
            if component
        ]
    if group == "machinelearning.seldon.io" and kind == "SeldonDeployment":
        components = [
            component
            for predictor in mappings(spec.get("predictors"))
            for component in mappings(predictor.get("componentSpecs"))
        ]
        return _templates(components)
    if group == "ray.io" and kind in ("RayService", "RayCluster", "RayJob"):
        cluster = {
            "RayService": mapping(spec, "rayClusterConfig"),
            "RayJob": mapping(spec, "rayClusterSpec"),
        }.get(kind, spec)
        groups = [mapping(cluster, "headGroupSpec"), *mappings(cluster.get("workerGroupSpecs"))]
        return _templates([g.get("template") for g in groups])
    if group == "serving.knative.dev" and kind == "Service":
        return _templates([spec.get("template")])
    return None


def inference_reason(
    obj: K8sObject, templates: list[PodTemplate], selectors: InferenceSelectors
) -> str | None:
    """Why the workload is an inference workload, or None."""
    labels = workload_labels(obj, templates)
    containers = [c for template in templates for c in template.containers()]
    images = [image for c in containers if (image := text(c.get("image")))]
    if reason := kind_reason(obj.api_version, obj.kind):
        return reason
    if reason := selector_reason(selectors, resource_type=obj.kind, labels=labels, images=images):
        return reason
    for image in images:
        if reason := model_server_reason(image):
            return reason
    if runs_to_completion(obj.kind, obj.name):
        return None  # a training or batch job: its accelerators serve no model
    for container in containers:
        if reason := gpu_reason(container.get("resources")):
            return reason
    return None


def workload_labels(obj: K8sObject, templates: list[PodTemplate]) -> dict[str, str]:
    """The pod templates' labels overlaid with the object's own."""
    labels: dict[str, str] = {}
    for template in templates:
        labels.update(template.labels)
    labels.update(obj.labels)
    return labels


def pod_credentials(
    obj: K8sObject,
    template: PodTemplate,
    workload: str,
    environment: str | None,
) -> Iterator[Credential]:
    """Projected ServiceAccount tokens and the Secrets the pod consumes."""
    identity = k8s_address(obj.namespace, "ServiceAccount", template.service_account)
    for index, volume in enumerate(mappings(template.spec.get("volumes"))):
        volume_name = text(volume.get("name")) or str(index)
        secret = mapping(volume, "secret")
        if name := text(secret.get("secretName")):
            yield _secret(obj, name, secret, environment)
        for source in mappings(mapping(volume, "projected").get("sources")):
            secret = mapping(source, "secret")
            if name := text(secret.get("name")):
                yield _secret(obj, name, secret, environment)
            token = source.get("serviceAccountToken")
            if isinstance(token, dict):
                path = text(token.get("path")) or "token"
                yield Credential(
                    address=f"{workload}/volume/{volume_name}/{path}",
                    kind="projected_token",
                    identity=identity,
                    ttl_seconds=_ttl(token.get("expirationSeconds")),
                    environment=environment,
                    location=location(obj.path, token, obj.location),
                )
    for index, container in enumerate(template.containers()):
        container_name = text(container.get("name")) or str(index)
        for variable in mappings(container.get("env")):
            ref = mapping(variable, "valueFrom", "secretKeyRef")
            if name := text(ref.get("name")):
                yield _secret(obj, name, ref, environment)
            variable_name = text(variable.get("name"))
            value = variable.get("value")
            if variable_name and literal_secret(variable_name, value):
                yield plaintext(
                    f"{workload}/container/{container_name}/env/{variable_name}",
                    value,
                    environment,
                    location(obj.path, variable, obj.location),
                )
        for source in mappings(container.get("envFrom")):
            ref = mapping(source, "secretRef")
            if name := text(ref.get("name")):
                yield _secret(obj, name, ref, environment)


def _secret(obj: K8sObject, name: str, node: object, environment: str | None) -> Credential:
    return Credential(
        address=k8s_address(obj.namespace, "Secret", name),
        kind="static_secret",
        environment=environment,
        location=location(obj.path, node, obj.location),
    )


def _ttl(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return DEFAULT_TOKEN_TTL


def _templates(candidates: list[Any]) -> list[PodTemplate]:
    """Pod templates (``metadata`` + ``spec``) among ``candidates``; others are dropped."""
    found: list[PodTemplate] = []
    for candidate in candidates:
        spec = mapping(candidate, "spec")
        if spec:
            metadata = mapping(candidate, "metadata")
            labels = string_map(metadata.get("labels"))
            found.append(PodTemplate(spec, labels, string_map(metadata.get("annotations"))))
    return found
