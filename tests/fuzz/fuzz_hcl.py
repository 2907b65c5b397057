"""atheris: Terraform files through parse, evaluate, extract and link.

python tests/fuzz/fuzz_hcl.py tests/fuzz/corpus/hcl -max_total_time=600
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script: make the repository and tests/ importable.
sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[1])]

from fuzz._harness import run  # noqa: E402


def one_input(data: bytes) -> None:
    from fuzz.surfaces import build, parse_one

    # Half of the input is the root module, half a module it may call.
    middle = len(data) // 2
    parse_one("main.tf", data)
    build({"main.tf": data[:middle], "mod/main.tf": data[middle:], "terraform.tfvars": data[:64]})


if __name__ == "__main__":
    run(one_input)
