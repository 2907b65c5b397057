"""Soak: twenty scans of the generated benchmark repository (scaled down for CI) in one
process, through the API, hold no more memory at the end than after the first scans.

A leak here (a cache without a bound, a module-level list that keeps every model)
would make a long-lived integration grow until it is killed. The full-size soak is
a manual benchmark: ``python benchmarks/soak.py --work DIR``.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.soak import make_repo, soak

SCANS = 20
# tracemalloc counts every block: allow small noise (interned strings, freelists).
TOLERANCE = 512 * 1024


def test_twenty_scans_in_one_process_do_not_grow_memory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, small=True)
    samples = soak(repo, SCANS)
    # Every scan sees the same change: the same findings, every time.
    assert len({s.findings for s in samples}) == 1 and samples[0].findings > 0
    # The first scan fills bounded module-level caches (policy_sentry's database, memoised
    # YAML scalars); from the second on, what stays allocated must not climb.
    settled = min(s.held for s in samples[1:4])
    last = max(s.held for s in samples[-5:])
    assert last - settled < TOLERANCE, [s.held for s in samples]
