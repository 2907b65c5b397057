"""Soak: scan the generated benchmark repository many times in one process through the
API (as a long-lived service or an editor integration would) and report whether the
memory held after each scan grows.

    python benchmarks/soak.py --work /tmp/driftgate-soak [--scans 20] [--small]

Full size (the benchmark's default repository, ~5,000 files) takes minutes per scan
under tracemalloc, so CI runs the scaled-down version in tests/test_soak.py instead.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate
from driftgate.analyzer.engine.run import EngineOptions, run_checks
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.pipeline import ParseCache, build_model
from driftgate.analyzer.sources.select import open_trees
from driftgate.checks import ALL_CHECKS

SMALL = {"envs": 2, "services": 4, "teams": 2, "per_team": 2}
FULL = {"envs": 6, "services": 83, "teams": 37, "per_team": 3}


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    findings: int
    held: int  # bytes still allocated after the scan, once garbage is collected


def scan_once(repo: Path) -> int:
    """One diff scan of the last commit, as `driftgate scan --base HEAD~1 --no-cache`."""
    trees = open_trees(repo, "HEAD~1", None, False)
    cache = ParseCache()
    head = build_model(trees.head, ExtractOptions(), cache)
    base = build_model(trees.base, ExtractOptions(), cache) if trees.base else None
    findings = run_checks(
        ALL_CHECKS,
        head.model,
        base.model if base else None,
        EngineOptions(),
        read_head=trees.head.read_path,
        read_base=trees.base.read_path if trees.base else None,
    )
    return len(findings)


def soak(repo: Path, scans: int) -> list[Sample]:
    """``scans`` scans; memory is measured with tracemalloc after a full collection."""
    samples: list[Sample] = []
    tracemalloc.start()
    try:
        for _ in range(scans):
            started = time.perf_counter()
            findings = scan_once(repo)
            elapsed = time.perf_counter() - started
            gc.collect()
            samples.append(Sample(elapsed, findings, tracemalloc.get_traced_memory()[0]))
    finally:
        tracemalloc.stop()
    return samples


def make_repo(work: Path, *, small: bool) -> Path:
    repo = work / ("small" if small else "full")
    if not (repo / ".git").exists():
        size = SMALL if small else FULL
        generate(repo, size["envs"], size["services"], size["teams"], size["per_team"])
    return repo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--scans", type=int, default=20)
    parser.add_argument("--small", action="store_true", help="the CI-sized repository")
    args = parser.parse_args()
    repo = make_repo(args.work, small=args.small)
    samples = soak(repo, args.scans)
    for i, sample in enumerate(samples, start=1):
        print(
            f"scan {i:2}: {sample.seconds:6.2f}s  {sample.findings} findings"
            f"  held {sample.held / 1024 / 1024:7.1f} MiB"
        )
    early = min(s.held for s in samples[1:4])
    late = max(s.held for s in samples[-5:])
    print(
        f"held after scans 2-4: {early / 1024 / 1024:.1f} MiB; last 5: {late / 1024 / 1024:.1f} MiB"
    )


if __name__ == "__main__":
    main()
