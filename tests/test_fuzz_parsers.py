"""Fuzzing (hypothesis, bounded for CI) of the Terraform parser and evaluator and of the
YAML loader and Kubernetes extractor: any input gives a model and diagnostics that
name a file and a line, never an exception.

The same surfaces run unbounded under atheris: see tests/fuzz/README.md.
"""

from __future__ import annotations

from fuzz import strategies as s
from fuzz.surfaces import build, parse_one
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(text=s.HCL_FILES, module=s.HCL_FILES)
def test_generated_terraform_is_modelled_or_diagnosed(text: str, module: str) -> None:
    build({"main.tf": text.encode(), "mod/main.tf": module.encode()})


@FUZZ
@given(data=s.mutated(s.HCL_SEEDS), tfvars=st.binary(max_size=64))
def test_mutated_terraform_is_modelled_or_diagnosed(data: bytes, tfvars: bytes) -> None:
    parse_one("main.tf", data)
    build({"main.tf": data, "terraform.tfvars": tfvars})


@FUZZ
@given(data=st.binary(max_size=256))
def test_random_bytes_with_terraform_and_yaml_names(data: bytes) -> None:
    parse_one("x.tf", data)
    parse_one("x.yaml", data)


@FUZZ
@given(text=s.YAML_FILES, overlay=s.YAML_FILES)
def test_generated_manifests_are_modelled_or_diagnosed(text: str, overlay: str) -> None:
    build({"k8s/app.yaml": text.encode(), "k8s/overlay/kustomization.yaml": overlay.encode()})


@FUZZ
@given(data=s.mutated(s.YAML_SEEDS))
def test_mutated_manifests_are_modelled_or_diagnosed(data: bytes) -> None:
    parse_one("k8s/app.yaml", data)
    build({"k8s/app.yaml": data, "k8s/kustomization.yaml": b"resources: [app.yaml]\n"})
