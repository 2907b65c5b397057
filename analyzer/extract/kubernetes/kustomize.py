"""Kustomize overlays → the objects they produce, without running kustomize.

``apply_kustomizations`` replaces, among the loaded YAML documents, the objects of
kustomize directories by the objects their root kustomizations build:

- Which objects. A directory with a ``kustomization.yaml`` (``.yml``, ``Kustomization``)
  emits nothing of its own: its files are only seen through kustomizations, as are the
  resource and patch files any kustomization names. A kustomization no other one
  includes (by ``resources``, ``bases`` or ``components``) is a root; what it builds is
  emitted. So a base used by overlays/staging and overlays/prod yields each object
  twice, once per environment, and never once more without one.
- What is applied: see :mod:`.kustomize_build` (order and fields),
  :mod:`.kustomize_patch` (the strategic-merge subset, JSON 6902) and
  :mod:`.kustomize_target` (which objects a patch selects).
- Where an object is. A document has one path, used both for its locations and for its
  environment. A built object is located in the file of the last patch that changed
  it, else in the file it was read from; mappings defined elsewhere (what the patch did
  not touch, labels a kustomization added) are put at that patch's first line (a JSON
  patch: its first op) or at the object's first line. So a value an overlay patch
  changed points at the patch, and a base value at the base. That file is kept as long
  as it yields the same environment as the root kustomization would (with the object's
  namespace and labels, through the configured environment rules): ``base/sa.yaml``
  in namespace ``ml-prod`` stays where it is. Otherwise, when only the root's path
  names the environment, the object is put in the root's kustomization file, at its
  first line (the loader does not locate the plain strings that list resources).
  Patches written inline in a kustomization keep that file's lines.
- Never outside the repository: an absolute path or one whose ``..`` climbs above the
  root is an ``unsafe-path`` diagnostic; a remote base (URL, ``github.com/...``,
  ``git@...``) a warning "remote base not fetched". Include cycles, self-inclusion and
  builds past the limits of :mod:`.kustomize_nodes` end with an error.

The input documents are never modified (they are shared by base and head parses).
"""

from __future__ import annotations

import gc
import posixpath
import re
from collections.abc import Iterable
from typing import Any

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.kubernetes.kustomize_build import (
    Builder,
    Files,
    Kustomization,
    PatchSpec,
)
from driftgate.analyzer.extract.kubernetes.kustomize_nodes import (
    MAX_ENTRIES,
    MAX_NODES,
    MAX_TOTAL_NODES,
    Budget,
    Refused,
    Resource,
)
from driftgate.analyzer.extract.kubernetes.objects import CLUSTER_SCOPED, k8s_objects
from driftgate.analyzer.extract.kubernetes.workloads import pod_templates, workload_labels
from driftgate.analyzer.model.environment import EnvironmentResolver
from driftgate.analyzer.parse.yaml_docs import LineDict, YamlDocument, load_yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_KUSTOMIZE_API = "kustomize.config.k8s.io/"
_NOT_APPLIED = (
    "replacements",
    "vars",
    "transformers",
    "generators",
    "helmCharts",
    "configurations",
)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|git::)|[?&](?:ref|version|timeout)=", re.I)
_HOST = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/", re.I)


def apply_kustomizations(
    documents: Iterable[YamlDocument],
    environments: EnvironmentResolver | None = None,
    paths: Iterable[str] = (),
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """The documents with kustomize directories replaced by what their roots build.

    ``paths`` are every file read, including those that yielded no document: the loader
    drops CustomResourceDefinitions, so a CRD file or a patch of one exists without
    documents, and must not be reported as missing.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # trees only, no cycles: collecting while copying them triples the cost
    try:
        return _apply(list(documents), environments, frozenset(paths))
    finally:
        if gc_was_enabled:
            gc.enable()


def _apply(
    documents: list[YamlDocument], environments: EnvironmentResolver | None, paths: frozenset[str]
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    files = Files.of(documents, paths)
    diagnostics: list[Diagnostic] = []
    kustomizations = _read_all(files, diagnostics)
    if not kustomizations:
        return documents, diagnostics
    resolver = environments if environments is not None else EnvironmentResolver()
    consumed = {k.path for k in kustomizations.values()}
    for k in kustomizations.values():
        consumed.update(path for kind, path in k.resources if kind == "file")
        consumed.update(spec.path for spec in k.patches)
    directories = {k.directory for k in kustomizations.values()}
    roots = _roots(kustomizations, diagnostics)
    builder = Builder(files, kustomizations, diagnostics.append)
    remaining = MAX_TOTAL_NODES
    produced: dict[str, list[YamlDocument]] = {}
    for root in roots:
        budget = Budget(limit=min(MAX_NODES, remaining))
        if remaining < MAX_NODES:
            budget.reason = f"the run's limit of {MAX_TOTAL_NODES} YAML nodes is reached"
        try:
            built = builder.build(root, budget)
        except (Refused, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, Refused) else "nested too deeply"
            message = f"kustomization not built: {reason}"
            diagnostics.append(Diagnostic(root.path, root.line, message, "evaluation"))
            continue
        finally:
            remaining = max(0, remaining - budget.spent)
        produced[root.path] = [_emit(root, r, i, resolver) for i, r in enumerate(built)]
    output: list[YamlDocument] = []
    for document in documents:
        output.extend(produced.pop(document.path, []))
        if document.path in consumed or posixpath.dirname(document.path) in directories:
            continue
        output.append(document)
    return output, list(dict.fromkeys(diagnostics))


# --- reading kustomizations --------------------------------------------------------------


def _read_all(files: Files, diagnostics: list[Diagnostic]) -> dict[str, Kustomization]:
    """One kustomization per directory, by path; their entries resolved."""
    by_directory: dict[str, Kustomization] = {}
    for path, docs in files.documents.items():
        directory, name = posixpath.split(path)
        if name not in KUSTOMIZATION_FILES:
            continue
        document = next((d for d in docs if isinstance(d.data, dict)), None)
        if document is None:
            message = "kustomization file is not a mapping; ignored"
            diagnostics.append(Diagnostic(path, docs[0].line, message, "evaluation", "warning"))
            continue
        if not _is_kustomization(document.data):
            continue
        data: dict[Any, Any] = document.data
        line = getattr(data, "line", document.line)
        existing = by_directory.get(directory)
        if existing is not None:
            message = f"several kustomization files in one directory; {existing.path} is used"
            diagnostics.append(Diagnostic(path, line, message, "evaluation", "warning"))
            continue
        by_directory[directory] = Kustomization(path, directory, line, data)
    for k in by_directory.values():
        _read_entries(k, files, by_directory, diagnostics)
    return {k.path: k for k in by_directory.values()}


def _is_kustomization(data: dict[Any, Any]) -> bool:
    """Not, for instance, a Flux ``Kustomization`` object kept in a file of that name."""
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if api_version is not None and not str(api_version).startswith(_KUSTOMIZE_API):
        return False
    return kind is None or kind in ("Kustomization", "Component")


def _read_entries(
    k: Kustomization,
    files: Files,
    by_directory: dict[str, Kustomization],
    diagnostics: list[Diagnostic],
) -> None:
    def warn(message: str, line: int = k.line, kind: Any = "evaluation") -> None:
        diagnostics.append(Diagnostic(k.path, line, message, kind, "warning"))

    def entries(key: str) -> list[Any]:
        value = k.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            warn(f"{key} is not a list; ignored")
            return []
        if len(value) > MAX_ENTRIES:
            warn(f"{key} has more than {MAX_ENTRIES} entries; the rest are ignored")
        return value[:MAX_ENTRIES]

    def local(entry: str, key: str) -> str | None:
        """The repository path an entry names, or None (reported at the key's line)."""
        lines = getattr(k.data, "key_lines", {})
        at = lines.get(key, k.line) if isinstance(lines, dict) else k.line
        if _REMOTE.search(entry):
            warn(f"remote base not fetched: {key} {entry}", at)
            return None
        if entry.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", entry):
            warn(f"absolute path in {key} not read: {entry}", at, kind="unsafe-path")
            return None
        target = posixpath.normpath(posixpath.join(k.directory, entry))
        if target == ".." or target.startswith("../"):
            warn(f"{key} entry {entry} is outside the repository; not read", at, "unsafe-path")
            return None
        target = "" if target == "." else target
        known = target in files.documents or target in files.directories
        if _HOST.match(entry) and not known:
            warn(f"remote base not fetched: {key} {entry}")
            return None
        return target

    for key in ("resources", "bases", "components"):
        for entry in entries(key):
            if not isinstance(entry, str) or not entry.strip():
                warn(f"{key} entry is not a path: {entry!r}")
                continue
            target = local(entry.strip(), key)
            if target is None:
                continue
            if target in by_directory and key == "components":
                k.components.append(by_directory[target].path)
            elif target in by_directory:
                k.resources.append(("kustomization", by_directory[target].path))
            elif key != "components" and target in files.documents:
                k.resources.append(("file", target))
            elif target in files.directories:
                warn(f"{key} entry {entry}: the directory has no kustomization file")
            elif target in files.empty:
                continue  # read, but nothing in it is an object driftgate models (a CRD)
            else:
                warn(f"{key} entry {entry} is not among the repository's YAML files")
    for entry in entries("patchesStrategicMerge"):
        if isinstance(entry, str) and ("\n" in entry or ":" in entry.split("\n", 1)[0]):
            _inline(k, "patchesStrategicMerge", entry, None, k.line, None, diagnostics)
        elif isinstance(entry, str) and (path := local(entry.strip(), "patchesStrategicMerge")):
            _patch_file(k, "patchesStrategicMerge", path, k.line, None, files, warn)
    for key in ("patches", "patchesJson6902"):
        for entry in entries(key):
            if not isinstance(entry, LineDict):
                warn(f"{key} entry is not a mapping")
                continue
            field: Any = key
            target, path, text = entry.get("target"), entry.get("path"), entry.get("patch")
            if isinstance(text, str):
                _inline(k, field, text, entry, entry.line, target, diagnostics)
            elif isinstance(path, str) and (file := local(path.strip(), key)):
                _patch_file(k, field, file, entry.line, target, files, warn)
            else:
                warn(f"{key} entry has neither a path nor a patch", entry.line)
    for key in _NOT_APPLIED:
        if k.data.get(key):
            warn(f"kustomize {key} are not applied by driftgate")


def _patch_file(
    k: Kustomization,
    field: Any,
    path: str,
    line: int,
    target: object,
    files: Files,
    warn: Any,
) -> None:
    documents = [d.data for d in files.documents.get(path, []) if d.data is not None]
    if not documents and path in files.empty:
        return  # a patch of a CRD (dropped by the loader) changes nothing modelled
    if not documents:
        warn(f"{field} file {path} is not among the repository's YAML files", line)
        return
    k.patches.append(PatchSpec(field, path, line, documents, target=target))


def _inline(
    k: Kustomization,
    field: Any,
    text: str,
    entry: LineDict | None,
    line: int,
    target: object,
    diagnostics: list[Diagnostic],
) -> None:
    """A patch written in the kustomization: its lines are the kustomization's."""
    start = _inline_start(entry, text) if entry is not None else None
    shift = start - 1 if start is not None else 0
    loaded, problems = load_yaml(k.path, text.encode())
    for problem in problems:
        at = problem.line + shift if start is not None else line
        diagnostics.append(Diagnostic(k.path, at, f"inline patch: {problem.message}"))
    documents = [d.data for d in loaded if d.data is not None]
    if entry is not None and any(d.end_line + shift > entry.end_line for d in loaded):
        start, shift = None, 0
    flat = None if start is not None else line
    k.patches.append(PatchSpec(field, k.path, line, documents, shift, flat, target))


def _inline_start(entry: LineDict, text: str) -> int | None:
    """The line an entry's inline ``patch`` text starts on, when it can be told: keys
    are taken to follow each other without blank or comment lines between them."""
    line = entry.line
    for key, value in entry.items():
        if key == "patch":
            return line + 1 if "\n" in text else line
        if isinstance(value, LineDict):
            line = max(line, value.end_line) + 1
        elif isinstance(value, (list, dict)) or (isinstance(value, str) and "\n" in value):
            return None
        else:
            line += 1
    return None


# --- which kustomizations are roots ------------------------------------------------------


def _roots(
    kustomizations: dict[str, Kustomization], diagnostics: list[Diagnostic]
) -> list[Kustomization]:
    edges = {
        path: [p for kind, p in k.resources if kind == "kustomization"] + k.components
        for path, k in kustomizations.items()
    }
    included = {target for targets in edges.values() for target in targets}
    roots = sorted(path for path in kustomizations if path not in included)
    # Iterative depth-first search: a chain of thousands of kustomizations must not
    # exhaust the interpreter's stack. Every back edge is a cycle, reported once.
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in [*roots, *sorted(kustomizations)]:
        if start in state:
            continue
        path_stack = [start]
        iterators = [iter(edges[start])]
        state[start] = 1
        while iterators:
            nxt = next(iterators[-1], None)
            if nxt is None:
                state[path_stack.pop()] = 2
                iterators.pop()
                continue
            if state.get(nxt) == 1:
                k = kustomizations[path_stack[-1]]
                cycle = [*path_stack[path_stack.index(nxt) :], nxt]
                message = (
                    "kustomization includes itself"
                    if len(cycle) == 2
                    else "kustomization include cycle: " + " → ".join(cycle)
                )
                diagnostics.append(Diagnostic(k.path, k.line, message, "evaluation"))
            elif nxt not in state:
                state[nxt] = 1
                path_stack.append(nxt)
                iterators.append(iter(edges[nxt]))
    reached = set(roots)
    pending = list(roots)
    while pending:
        for target in edges[pending.pop()]:
            if target not in reached:
                reached.add(target)
                pending.append(target)
    for path in sorted(set(kustomizations) - reached):
        k = kustomizations[path]
        message = "kustomization is only included from an include cycle; not built"
        diagnostics.append(Diagnostic(k.path, k.line, message, "evaluation", "warning"))
    return [kustomizations[path] for path in roots]


# --- emitting built objects --------------------------------------------------------------


def _emit(
    root: Kustomization, resource: Resource, index: int, environments: EnvironmentResolver
) -> YamlDocument:
    path, anchor = (
        resource.patched[-1] if resource.patched else (resource.source, resource.source_line)
    )
    if _environment(path, resource, environments) != _environment(
        root.path, resource, environments
    ):
        path, anchor = root.path, root.line
    data = _located(resource.data, path, anchor)
    return YamlDocument(path, index, data.line, data.end_line, data)


def _environment(path: str, resource: Resource, environments: EnvironmentResolver) -> str | None:
    """The environment the Kubernetes extractor will give the object at ``path``."""
    obj = next(k8s_objects([YamlDocument(path, 0, 1, 1, resource.data)]), None)
    if obj is None:
        namespace = None if resource.kind in CLUSTER_SCOPED else resource.namespace or "default"
        return environments.resolve(path, namespace, resource.labels())
    templates = pod_templates(obj)
    labels = workload_labels(obj, templates) if templates else obj.labels
    return environments.resolve(path, obj.namespace, labels)


def _located(value: Any, path: str, anchor: int) -> Any:
    """A plain copy whose mappings keep their lines when defined in ``path``, and are
    put at ``anchor`` otherwise."""
    if isinstance(value, dict):
        own = getattr(value, "path", None) == path
        line = getattr(value, "line", anchor) if own else anchor
        end = getattr(value, "end_line", line) if own else anchor
        node = LineDict(line, end)
        for key, item in value.items():
            node[key] = _located(item, path, anchor)
        return node
    if isinstance(value, list):
        return [_located(item, path, anchor) for item in value]
    return value
