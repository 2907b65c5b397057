"""One tree → its identity-binding model: read, parse, evaluate, extract, link."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pathspec

from driftgate.analyzer.cache import DiskCache
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.kubernetes.helm import render_charts
from driftgate.analyzer.extract.kubernetes.kustomize import apply_kustomizations
from driftgate.analyzer.extract.kubernetes.manifests import extract_kubernetes
from driftgate.analyzer.extract.link import link, merge
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.extract.registry import TERRAFORM_EXTRACTORS
from driftgate.analyzer.extract.unmodelled import unmodelled
from driftgate.analyzer.model import Model
from driftgate.analyzer.model_cache import ModelCache, RecordingTree
from driftgate.analyzer.parse.files import (
    MAX_FILE_SIZE,
    ParseResult,
    cache_kind,
    parse_file,
    parse_many,
    too_large,
)
from driftgate.analyzer.parse.hcl import DEFAULT_PARSER
from driftgate.analyzer.parse.hcl_ast import HclFile
from driftgate.analyzer.parse.yaml_docs import HELM_MESSAGE, YamlDocument
from driftgate.analyzer.sources.base import SourceFile, Tree
from driftgate.analyzer.terraform.file_inputs import file_inputs
from driftgate.analyzer.terraform.modules import TerraformProject
from driftgate.analyzer.terraform.plan import PlanInput, Side, apply_plans

__all__ = ["MAX_FILE_SIZE", "BuiltModel", "ParseCache", "ParseResult", "build_model"]

# Above this many files to parse, a process pool pays for its start-up.
PARALLEL_THRESHOLD = 200
_BATCH = 32


@dataclass
class ParseCache:
    """Parse results by content key, so base and head parse an unchanged file once.

    With ``disk``, results are also read from and written to the on-disk cache. A file
    over ``max_file_size`` bytes is never read: its result is the too-large diagnostic,
    kept in memory only, so a later run with a higher limit parses it.
    """

    entries: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    disk: DiskCache | None = None
    max_file_size: int = MAX_FILE_SIZE
    parallel_threshold: int = PARALLEL_THRESHOLD
    workers: int = field(default_factory=lambda: min(os.cpu_count() or 1, 4))
    # Which front end reads HCL (``--hcl-parser``): tree-sitter, or python-hcl2 throughout.
    hcl_parser: str = DEFAULT_PARSER

    def parse(self, source: SourceFile) -> ParseResult:
        return self.parse_all([source])[0]

    def parse_all(self, sources: list[SourceFile]) -> list[ParseResult]:
        """Each source's parse result, in order; misses in parallel when there are many."""
        missing: dict[tuple[str, str], SourceFile] = {}
        for source in sources:
            key = (source.key, source.path)
            if key in self.entries or key in missing:
                continue
            skipped = source.size is not None and too_large(
                source.path, source.size, self.max_file_size
            )
            if skipped:
                self.entries[key] = (None, [skipped])
                continue
            stored = self._load(source)
            if stored is not None:
                self.entries[key] = stored
            else:
                missing[key] = source
        if missing:
            items: list[tuple[str, bytes]] = []
            for key, source in list(missing.items()):
                data = source.read()
                # A tree that does not know sizes in advance: the bytes are read, still
                # never parsed.
                skipped = too_large(source.path, len(data), self.max_file_size)
                if skipped:
                    self.entries[key] = (None, [skipped])
                    del missing[key]
                else:
                    items.append((source.path, data))
            # Results arrive batch by batch; each is stored while the workers go on.
            results = self._run(items)
            for source, result in zip(missing.values(), results, strict=True):
                self.entries[(source.key, source.path)] = result
                if self.disk is not None:
                    self.disk.put(
                        cache_kind(source.path, self.hcl_parser), source.key, source.path, result
                    )
        return [self.entries[(s.key, s.path)] for s in sources]

    def _load(self, source: SourceFile) -> ParseResult | None:
        if self.disk is None:
            return None
        value = self.disk.get(cache_kind(source.path, self.hcl_parser), source.key, source.path)
        if (
            isinstance(value, tuple)
            and len(value) == 2
            and isinstance(value[0], HclFile | list | None)
            and isinstance(value[1], list)
        ):
            return value
        return None

    def _run(self, items: list[tuple[str, bytes]]) -> Iterator[ParseResult]:
        if len(items) <= self.parallel_threshold or self.workers < 2:
            for path, data in items:
                yield parse_file(path, data, self.hcl_parser)
            return
        batches = [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            parsers = [self.hcl_parser] * len(batches)
            for batch in pool.map(parse_many, batches, parsers):
                yield from batch

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()


@dataclass(frozen=True, slots=True)
class BuiltModel:
    model: Model
    diagnostics: list[Diagnostic]
    files: int
    # Files that held Terraform or Kubernetes objects: 0 means nothing was looked at.
    analysed: int = 0
    # Files left out by the exclude patterns, before parsing.
    excluded: int = 0
    # The files read as Terraform or Kubernetes: every one may hold inline suppressions.
    paths: frozenset[str] = frozenset()
    # HCL files parsed, and those python-hcl2 read for tree-sitter: (path, why).
    hcl_files: int = 0
    fallbacks: tuple[tuple[str, str], ...] = ()


def _cached_hcl(
    cache: ParseCache,
) -> Callable[[str, bytes], tuple[HclFile | None, list[Diagnostic]]]:
    """Parse a file Terraform downloaded (``.terraform/modules``) through the cache."""

    def parse(path: str, data: bytes) -> tuple[HclFile | None, list[Diagnostic]]:
        key = hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()
        parsed, problems = cache.parse(SourceFile(path, key, lambda: data, len(data)))
        return (parsed if isinstance(parsed, HclFile) else None), problems

    return parse


def build_model(
    tree: Tree,
    options: ExtractOptions,
    cache: ParseCache | None = None,
    plans: Sequence[PlanInput] = (),
    side: Side = "head",
    exclude: Sequence[str] = (),
    models: ModelCache | None = None,
) -> BuiltModel:
    """The model of ``tree``; the Terraform roots ``plans`` cover are read from them
    (their ``side`` of the change) instead of being evaluated statically. With
    ``models``, a model built before from the same inputs is reused (see
    :mod:`driftgate.analyzer.model_cache`)."""
    cache = cache if cache is not None else ParseCache()
    skipped: list[Diagnostic] = list(getattr(tree, "skipped", []))
    sources = list(tree.files())
    excluded = 0
    if exclude:
        # Before parsing: an excluded sample costs nothing and cannot fail the run.
        spec = pathspec.GitIgnoreSpec.from_lines(exclude)
        kept = [source for source in sources if not spec.match_file(source.path)]
        excluded, sources = len(sources) - len(kept), kept
    if models is None or plans:
        return _build(tree, sources, skipped, excluded, options, cache, plans, side)[0]
    key = models.key(sources, skipped, excluded, options, cache.max_file_size, cache.hcl_parser)
    stored = models.get(key, tree)
    if isinstance(stored, BuiltModel):
        return stored
    recording = RecordingTree(tree)
    built, cacheable = _build(recording, sources, skipped, excluded, options, cache, plans, side)
    if cacheable:
        models.put(key, recording.record(), built)
    return built


def _build(
    tree: Tree | RecordingTree,
    sources: list[SourceFile],
    skipped: list[Diagnostic],
    excluded: int,
    options: ExtractOptions,
    cache: ParseCache,
    plans: Sequence[PlanInput],
    side: Side,
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
        instances, problems = apply_plans(project, instances, plans, side, options.environments)
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
    built = BuiltModel(
        model,
        diagnostics,
        count,
        len(analysed) + len(plans),
        excluded,
        frozenset(analysed),
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
