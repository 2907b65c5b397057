"""atheris: .driftgate.yaml and pyproject.toml loading.

python tests/fuzz/fuzz_config.py tests/fuzz/corpus/config -max_total_time=600
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the repository and tests/ importable.
sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from fuzz._harness import run  # noqa: E402


def one_input(data: bytes) -> None:
    from fuzz.surfaces import config

    config(".driftgate.yaml", data)
    config("pyproject.toml", data)


if __name__ == "__main__":
    run(one_input)
