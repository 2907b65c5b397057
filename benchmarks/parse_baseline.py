"""How long the HCL parsers alone take on a tree: the yardstick of the cold-scan target.

    python benchmarks/parse_baseline.py TREE [--parser hcl2|driftgate-hcl2|tree-sitter]

Reads every ``.tf``/``.tfvars`` under TREE (``.git`` and ``.terraform`` left out) and
parses each once, in this one process, printing the seconds spent parsing (reading the
files is not counted). ``hcl2`` is python-hcl2's own ``hcl2.loads``, what a tool built on
python-hcl2 calls; ``driftgate-hcl2`` and ``tree-sitter`` are driftgate's two front ends
(``--hcl-parser``), building its syntax tree.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

_SKIP = {".git", ".terraform"}


def _texts(tree: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(tree.rglob("*")):
        if path.suffix not in (".tf", ".tfvars") or _SKIP & set(path.parts):
            continue
        if path.is_file() and not path.is_symlink():
            found.append((path.as_posix(), path.read_text(encoding="utf-8", errors="replace")))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", type=Path)
    parser.add_argument("--parser", choices=["hcl2", "driftgate-hcl2", "tree-sitter"])
    args = parser.parse_args()
    texts = _texts(args.tree)
    errors = 0
    started = time.perf_counter()
    if args.parser == "hcl2":
        import hcl2

        for _, text in texts:
            try:
                hcl2.loads(text)
            except Exception:
                errors += 1
    else:
        from driftgate.analyzer.parse.hcl import HclError, parse_hcl

        which = "hcl2" if args.parser == "driftgate-hcl2" else "tree-sitter"
        for path, text in texts:
            try:
                parse_hcl(path, text, which)
            except HclError:
                errors += 1
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.3f} {len(texts)} {errors}")


if __name__ == "__main__":
    main()
