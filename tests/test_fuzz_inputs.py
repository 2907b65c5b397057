"""Fuzzing (hypothesis, bounded for CI) of the other surfaces a pull request controls:
the permission algebra (actions and resource patterns come from the repository),
configuration loading (.driftgate.yaml and pyproject.toml are files of the pull
request too) and inline-suppression comments. Any input gives a result or a clear
error naming the file, never an exception; and nothing takes long.
"""

from __future__ import annotations

import time

import yaml
from fuzz import strategies as s
from fuzz.surfaces import PROVIDERS, algebra, config, inline
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from driftgate.analyzer.model import Permission

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_PATTERN_CHARS = st.sampled_from([*"*?ab:/-_.${}[]", "arn:aws:s3:::", "roles/", "*/*"])
_PATTERNS = st.lists(_PATTERN_CHARS, max_size=40).map("".join) | st.text(max_size=30)
_PERMISSIONS = st.builds(Permission, action=_PATTERNS, resource=_PATTERNS, scope=_PATTERNS)


@FUZZ
@given(provider=st.sampled_from(PROVIDERS), broad=_PERMISSIONS, narrow=_PERMISSIONS)
@example(
    provider="aws",
    broad=Permission(action="*a*a*a*a*a*a*a*a*a*a*a*a*b", resource="*", scope=""),
    narrow=Permission(action="a" * 40, resource="*", scope=""),
)
def test_the_permission_algebra_is_total_and_fast(
    provider: str, broad: Permission, narrow: Permission
) -> None:
    started = time.perf_counter()
    algebra(provider, broad, narrow)
    assert time.perf_counter() - started < 1.0


@FUZZ
@given(data=st.one_of(s.mutated(s.CONFIG_SEEDS), st.binary(max_size=200)))
def test_any_config_file_loads_or_is_one_config_error(data: bytes) -> None:
    config(".driftgate.yaml", data)
    config("pyproject.toml", data)


@FUZZ
@given(value=s.CONFIG_VALUES)
def test_config_shapes_load_or_name_the_key(value: object) -> None:
    config(".driftgate.yaml", yaml.safe_dump(value).encode())


@FUZZ
@given(text=s.INLINE_FILES, suffix=st.sampled_from(("main.tf", "k8s/app.yaml")))
def test_inline_directives_are_read_from_any_text(text: str, suffix: str) -> None:
    inline(suffix, text.encode())


@FUZZ
@given(data=st.binary(max_size=200))
def test_inline_directives_in_random_bytes(data: bytes) -> None:
    inline("main.tf", data)
    inline("app.yaml", b"# driftgate:ignore[DG1] " + data)
