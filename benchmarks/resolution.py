"""How much of a repository's IAM driftgate resolves statically, and what it costs.

    python benchmarks/resolution.py PATH [PATH ...]

For each tree: policy documents and role bindings resolved fully, partially or not at
all (a document is the set of grants one policy or binding gives one identity), the
most common reasons for Unknown, and the time spent parsing versus evaluating and
extracting. Run by hand on fetched public repositories; nothing here is a test.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import time
from pathlib import Path

from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.registry import TERRAFORM_EXTRACTORS
from driftgate.analyzer.model import Model
from driftgate.analyzer.parse.hcl_ast import HclFile
from driftgate.analyzer.pipeline import ParseCache
from driftgate.analyzer.sources.worktree import DirectoryTree
from driftgate.analyzer.terraform.modules import TerraformProject

_STATEMENT = re.compile(r" statement (\d+|\"[^\"]*\")$")
# An account/partition/region placeholder left in an otherwise known string (IAM's own
# policy variables, ${aws:username}, are not placeholders).
_CONTEXT = re.compile(r"\$\{(?![a-z0-9-]+:)[^}]+\}")
_EXPRESSION = re.compile(r"\$\{([a-z_]+(?:\.[a-z_]+)?)")


def _documents(model: Model) -> dict[tuple[str, str], list[tuple[bool, int, bool]]]:
    """(identity, policy) → per grant: (unknown parts, permissions, context placeholders)."""
    docs: dict[tuple[str, str], list[tuple[bool, int, bool]]] = collections.defaultdict(list)
    for g in model.grants:
        placeholders = any(_CONTEXT.search(p.resource) for p in g.permissions)
        docs[(g.identity, _STATEMENT.sub("", g.via))].append(
            (bool(g.unknown), len(g.permissions), placeholders)
        )
    return docs


def _reason(text: str) -> str:
    match = _EXPRESSION.search(text)
    if match:
        head = match.group(1)
        return head.split(".")[0] + "." if "." in head else head
    return text.split(":")[0][:40]


def measure(path: Path) -> None:
    tree = DirectoryTree(path)
    cache = ParseCache()
    started = time.perf_counter()
    hcl: list[HclFile] = []
    yaml_docs = []
    failed = 0
    files = 0
    for source in tree.files():
        files += 1
        parsed, problems = cache.parse(source)
        failed += any(p.level == "error" for p in problems)
        if isinstance(parsed, HclFile):
            hcl.append(parsed)
        elif isinstance(parsed, list):
            yaml_docs.extend(parsed)
    parsed_at = time.perf_counter()
    options = ExtractOptions()
    project = TerraformProject(hcl, tree.read_path)
    instances = list(project.instances())
    models = [extractor.extract(instances, options) for extractor in TERRAFORM_EXTRACTORS]
    models.append(extract_kubernetes(yaml_docs, options))
    model = link(merge(models))
    done = time.perf_counter()

    docs = _documents(model)
    full = sum(1 for grants in docs.values() if not any(u for u, _, _ in grants))
    placed = sum(
        1
        for grants in docs.values()
        if not any(u for u, _, _ in grants) and any(c for _, _, c in grants)
    )
    none = sum(1 for grants in docs.values() if all(u and n == 0 for u, n, _ in grants))
    partial = len(docs) - full - none
    reasons = collections.Counter(_reason(u) for g in model.grants for u in g.unknown).most_common(
        8
    )
    print(f"== {path}")
    print(f"files {files} (parse failures {failed}), instances {len(instances)}")
    print(
        f"identities {len(model.identities)}, grants {len(model.grants)}, "
        f"credentials {len(model.credentials)}, workloads {len(model.workloads)}"
    )
    if docs:
        n = len(docs)
        print(
            f"policy documents/bindings {n}: full {full} ({100 * full / n:.0f}%; "
            f"{placed} of them with account/partition/region placeholders), "
            f"partial {partial} ({100 * partial / n:.0f}%), none {none} ({100 * none / n:.0f}%)"
        )
    print("unknown because of:", ", ".join(f"{r} x{c}" for r, c in reasons) or "-")
    print(f"parse {parsed_at - started:.2f}s, evaluate+extract {done - parsed_at:.2f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    for path in parser.parse_args(argv).paths:
        measure(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
