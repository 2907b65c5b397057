"""atheris: the permission algebra over actions and resource patterns from the input.

python tests/fuzz/fuzz_permissions.py -max_total_time=600
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the repository and tests/ importable.
sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from fuzz._harness import run  # noqa: E402


def one_input(data: bytes) -> None:
    import atheris  # type: ignore

    from driftgate.analyzer.model import Permission
    from fuzz.surfaces import PROVIDERS, algebra

    fdp = atheris.FuzzedDataProvider(data)
    provider = PROVIDERS[fdp.ConsumeIntInRange(0, len(PROVIDERS) - 1)]
    texts = [fdp.ConsumeUnicodeNoSurrogates(48) for _ in range(6)]
    broad = Permission(action=texts[0], resource=texts[1], scope=texts[2])
    narrow = Permission(action=texts[3], resource=texts[4], scope=texts[5])
    algebra(provider, broad, narrow)


if __name__ == "__main__":
    run(one_input)
