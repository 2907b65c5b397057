"""atheris: inline suppression directives (comments and annotations) in any text.

python tests/fuzz/fuzz_inline.py -max_total_time=600
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the repository and tests/ importable.
sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from fuzz._harness import run  # noqa: E402


def one_input(data: bytes) -> None:
    from fuzz.surfaces import inline

    inline("main.tf", data)
    inline("k8s/app.yaml", data)


if __name__ == "__main__":
    run(one_input)
