"""Parsed files → a tree's model: evaluate Terraform, extract every provider, link.

Imported when a model is built, not when one is reused from the cache
(:mod:`driftgate.analyzer.model_cache`): the extractors are most of driftgate's import
time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.kubernetes.helm import render_charts
from driftgate.analyzer.extract.kubernetes.kustomize import apply_kustomizations
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.registry import TERRAFORM_EXTRACTORS
from driftgate.analyzer.extract.unmodelled import unmodelled
from driftgate.analyzer.model_cache import RecordingTree
from driftgate.analyzer.parse.hcl_ast import HclFile
from driftgate.analyzer.parse.yaml_docs import HELM_MESSAGE, YamlDocument
from driftgate.analyzer.pipeline import BuiltModel, ParseCache
from driftgate.analyzer.sources.base import SourceFile, Tree
from driftgate.analyzer.terraform.file_inputs import file_inputs
from driftgate.analyzer.terraform.modules import TerraformProject
from driftgate.analyzer.terraform.plan import PlanInput, Side, apply_plans


def _cached_hcl(
    cache: ParseCache,
) -> Callable[[str, bytes], tuple[HclFile | None, list[Diagnostic]]]:
    """Parse a file Terraform downloaded (``.terraform/modules``) through the cache."""

    def parse(path: str, data: bytes) -> tuple[HclFile | None, list[Diagnostic]]:
        key = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
        parsed, problems = cache.parse(SourceFile(path, key, lambda: data, len(data)))
        return (parsed if isinstance(parsed, HclFile) else None), problems

    return parse


def assemble(
    tree: Tree | RecordingTree,
    sources: list[SourceFile],
    skipped: list[Diagnostic],
    excluded: int,
    options: ExtractOptions,
    cache: ParseCache,
    plans: Sequence[PlanInput],
    side: Side,
    unchanged: frozenset[str] | None = None,
) -> tuple[BuiltModel, bool]:
    """The model, and whether it depends on its inputs alone (no helm, no plan)."""
    hcl_files: list[HclFile] = []
    documents: list[YamlDocument] = []
    diagnostics: list[Diagnostic] = list(skipped)
    count = len(sources)
    problems_of: list[Diagnostic] = []
    for parsed, problems in cache.parse_all(sources):
        problems_of.extend(problems)
        if isinstance(parsed, HclFile):
            hcl_files.append(parsed)
        elif isinstance(parsed, list):
            documents.extend(parsed)
    # YAML and JSON that Terraform reads (file(), templatefile()) is its input: a
    # template's placeholders are no syntax error. What parses is kept, since Terraform
    # may apply it as a manifest (kubectl_manifest, kubernetes_manifest).
    inputs = file_inputs(hcl_files)
    problems_of = [p for p in problems_of if not (p.path in inputs and _is_yaml(p.path))]
    # A chart's templates are read as what helm renders them into, or said once per chart.
    charts = render_charts(
        [s.path for s in sources],
        tree.read_path,
        getattr(tree, "files_under", None),
        options.helm,
    )
    if charts.charts:
        rendered = tuple(f"{c}/" for c in charts.rendered)
        charted = tuple(f"{c}/" for c in charts.charts)
        documents = [d for d in documents if not d.path.startswith(rendered)]
        documents.extend(charts.documents)
        problems_of = [
            p
            for p in problems_of
            if not p.path.startswith(rendered)
            and not (p.path.startswith(charted) and p.message == HELM_MESSAGE)
        ]
        problems_of.extend(charts.diagnostics)
    diagnostics.extend(problems_of)
    project = TerraformProject(
        hcl_files,
        tree.read_path,
        dict(options.var_files),
        list_folder=getattr(tree, "list_folder", None),
        parse=_cached_hcl(cache),
    )
    instances = list(project.instances())
    if plans:
        instances, problems = apply_plans(
            project, instances, plans, side, options.environments, unchanged
        )
        # Both sides map the plans the same way: say what went wrong once.
        diagnostics.extend(problems if side == "head" else [])
    # Last, and skipped by every reader of resources: blocks no root creates, for the
    # definitions (policies) a feature flag left off.
    instances.extend(project.dormant_instances())
    models = [
        extractor.extract(instances, options, diagnostics.append)
        for extractor in TERRAFORM_EXTRACTORS
    ]
    diagnostics.extend(project.diagnostics)
    diagnostics.extend(unmodelled(instances))
    # What was looked at: Terraform, Kubernetes objects and kustomizations, and the files
    # that could not be read (already errors of their own).
    analysed = {f.path for f in hcl_files} | {d.path for d in documents if _is_object(d)}
    analysed |= {d.path for d in diagnostics if d.level == "error" and d.path}
    # Overlays are built from the whole set of documents, never cached per file.
    read = (source.path for source in sources)
    documents, problems = apply_kustomizations(documents, options.environments, read)
    diagnostics.extend(problems)
    models.append(extract_kubernetes(documents, options))
    model = link(merge(models)).seal()
    silent = {s.path for s in sources if not cache.may_hold_directives(s)}
    built = BuiltModel(
        model,
        diagnostics,
        count,
        len(analysed) + len(plans),
        excluded,
        frozenset(analysed - silent),
        len(hcl_files),
        tuple((f.path, f.fallback) for f in hcl_files if f.fallback),
    )
    # A chart's model depends on whether helm is on PATH, and which: never stored.
    return built, not charts.charts and not plans


def _is_yaml(path: str) -> bool:
    return path.endswith((".yaml", ".yml", ".json"))


def _is_object(document: YamlDocument) -> bool:
    """A Kubernetes object (or a kustomization): what a manifest is, not any YAML."""
    data = document.data
    return isinstance(data, dict) and isinstance(data.get("kind"), str)
