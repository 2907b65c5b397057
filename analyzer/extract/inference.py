"""Is a workload an inference workload, and why (DESIGN.md §3, "Inference workload").

Small pure functions over plain values, shared by the Kubernetes and Terraform
extractors. Each returns the reason as a short sentence, or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

from driftgate.analyzer.extract.options import InferenceSelectors

# Repository names (the last path segment of an image) of model servers.
_MODEL_SERVERS = frozenset(
    {
        "vllm",
        "vllm-openai",
        "tritonserver",
        "text-generation-inference",
        "text-embeddings-inference",
        "tgi",
        "torchserve",
        "ollama",
        "sglang",
        "mlserver",
        "huggingfaceserver",
        # TPU builds and servers: JetStream (with its MaxEngine and PyTorch engines),
        # TF Serving, TorchServe and vLLM built for Cloud TPU.
        "vllm-tpu",
        "jetstream",
        "jetstream-http",
        "jetstream-pytorch-server",
        "maxengine",
        "maxengine-server",
        "tf-serving-tpu",
        "torchserve-tpu",
    }
)
# Model servers whose last segment alone is too generic to name them.
_MODEL_SERVER_PATHS = frozenset({"tensorflow/serving"})
# (repository name, tag prefix): llama.cpp ships its server as a tag of its image.
_MODEL_SERVER_TAGS = (("llama.cpp", "server"),)

# Accelerators: GPUs and Cloud TPUs (``google.com/tpu``), which serve models as GPUs do.
_GPU_RESOURCES = frozenset({"nvidia.com/gpu", "amd.com/gpu", "google.com/tpu"})
_GPU_PREFIXES = ("gpu.intel.com/", "nvidia.com/mig-")
# Kinds that run to completion: an accelerator there trains or runs a batch, it serves
# nothing (DESIGN §3); only a model server makes such a workload inference.
_RUN_TO_COMPLETION = frozenset({"Job", "CronJob", "RayJob", "PyTorchJob", "TFJob", "MPIJob"})
_TRAINING_WORD = re.compile(r"(?:^|[-_.])(?:train|training|finetune|fine-tune)(?:$|[-_.])")

# (API group, kind) of the custom resources that are inference by definition.
_INFERENCE_KINDS = {
    ("serving.kserve.io", "InferenceService"): "KServe InferenceService",
    ("serving.kserve.io", "ServingRuntime"): "KServe ServingRuntime",
    ("serving.kserve.io", "ClusterServingRuntime"): "KServe ClusterServingRuntime",
    ("serving.kubeflow.org", "InferenceService"): "KServe InferenceService",
    ("machinelearning.seldon.io", "SeldonDeployment"): "Seldon SeldonDeployment",
    ("ray.io", "RayService"): "KubeRay RayService",
}


def image_repository(image: str) -> tuple[str, str]:
    """The repository path without registry, and the tag: ``("vllm/vllm-openai", "v0.6")``."""
    reference = image.strip().lower().split("@", 1)[0]
    path, _, last = reference.rpartition("/")
    name, _, tag = last.partition(":")
    segments = [*path.split("/"), name] if path else [name]
    first = segments[0]
    if len(segments) > 1 and ("." in first or ":" in first or first == "localhost"):
        segments = segments[1:]
    return "/".join(segments), tag


def model_server_reason(image: str) -> str | None:
    """``image vllm/vllm-openai:v0.6.0 is a known model server``, matched on the repository."""
    repository, tag = image_repository(image)
    name = repository.rsplit("/", 1)[-1]
    known = (
        name in _MODEL_SERVERS
        or any(repository == p or repository.endswith("/" + p) for p in _MODEL_SERVER_PATHS)
        or any(name == server and tag.startswith(prefix) for server, prefix in _MODEL_SERVER_TAGS)
    )
    return f"image {image} is a known model server" if known else None


def gpu_reason(resources: object) -> str | None:
    """``requests nvidia.com/gpu`` when a container's ``limits``/``requests`` ask for a GPU."""
    if not isinstance(resources, Mapping):
        return None
    for section in ("limits", "requests"):
        amounts = resources.get(section)
        if not isinstance(amounts, Mapping):
            continue
        for key, amount in amounts.items():
            if isinstance(key, str) and _is_gpu(key) and _positive(amount):
                return f"requests {key}"
    return None


def runs_to_completion(kind: str, name: str) -> bool:
    """A Job-like workload, or a pod named for training: accelerators there do not serve."""
    return kind in _RUN_TO_COMPLETION or bool(_TRAINING_WORD.search(name.lower()))


def kind_reason(api_version: str, kind: str) -> str | None:
    """``KServe InferenceService`` for the custom resources that serve models."""
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return _INFERENCE_KINDS.get((group, kind))


def selector_reason(
    selectors: InferenceSelectors,
    *,
    resource_type: str | None = None,
    labels: Mapping[str, str] | None = None,
    images: Iterable[str] = (),
) -> str | None:
    """Whether the configuration's inference selectors pick this workload."""
    if resource_type is not None:
        for pattern in selectors.resource_types:
            if fnmatchcase(resource_type, pattern):
                return f"{resource_type} is selected as inference by the configuration"
    for key, wanted in selectors.labels:
        value = (labels or {}).get(key)
        if isinstance(value, str) and (wanted == "*" or value == wanted):
            return f"label {key}={value} is selected as inference by the configuration"
    for image in images:
        for pattern in selectors.images:
            if fnmatchcase(image, pattern):
                return f"image {image} matches the configured inference image {pattern}"
    return None


def _is_gpu(resource: str) -> bool:
    return resource in _GPU_RESOURCES or resource.startswith(_GPU_PREFIXES)


def _positive(amount: object) -> bool:
    """A quantity above zero; text quantities other than zero count (``"1"``, ``"2k"``)."""
    if isinstance(amount, bool):
        return False
    if isinstance(amount, (int, float)):
        return amount > 0
    if isinstance(amount, str):
        return amount.strip() not in ("", "0", "0.0")
    return False
