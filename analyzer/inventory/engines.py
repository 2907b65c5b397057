"""Who runs the per-repository map: this process, or Ray.

The default engine reads the repositories one after another in this process; a second
core goes to parsing anyway (the parse pool). ``ray`` submits one task per repository to
a Ray cluster (a local one by default) and gathers their tables here, so the tables are
written in one place whatever the cluster's file systems are. No scheduler of our own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from driftgate.analyzer import lifetime
from driftgate.analyzer.inventory.collect import CacheSettings, Collected, Target, collect

ENGINES = ("local", "ray")


class EngineError(Exception):
    """The engine itself cannot run (Ray not installed, no cluster at the address)."""


def run_local(targets: Sequence[Target], cache: CacheSettings) -> Iterator[Collected]:
    for target in targets:
        yield collect(target, cache)
        lifetime.between_units()


def run_ray(
    targets: Sequence[Target],
    cache: CacheSettings,
    *,
    address: str | None = None,
    num_cpus: int | None = None,
) -> Iterator[Collected]:
    """One Ray task per repository; results in the order they finish. Workers need
    driftgate installed and the repositories at the same paths (see docs/inventory.md)."""
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(
                address=address,
                num_cpus=num_cpus if address is None else None,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise EngineError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from exc
    try:
        task = ray.remote(_collect_task)
        pending = [task.remote(t, cache) for t in targets]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                yield ray.get(ref)
    finally:
        if started_here:
            ray.shutdown()


def _collect_task(target: Target, cache: CacheSettings) -> Collected:
    return collect(target, cache)


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise EngineError("--engine ray needs Ray: pip install 'driftgate[ray]'") from exc
    return ray
