"""Helm charts rendered with the ``helm`` binary, read as the manifests they become.

A chart's templates are not YAML until rendered. When ``helm`` is on PATH (and the
configuration does not say ``helm: {render: off}``), each top-level chart of the tree
(a folder with a ``Chart.yaml`` that is not another chart's subchart) is copied out of
the tree being scanned — a git revision is not on disk — and rendered with ``helm
template``: no cluster, no plugins, no post-renderer, no dependency download, a bounded
time and output. Each rendered object is attributed to its template through the
``# Source:`` comment helm writes before it. Without helm, each chart is one warning.

Its lines are those of the rendered object, which a template's own lines need not match.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.options import HelmChart, HelmOptions
from driftgate.analyzer.parse.yaml_docs import LineDict, YamlDocument, load_yaml

CHART_FILE = "Chart.yaml"
TIMEOUT_SECONDS = 60
MAX_OUTPUT = 32 * 1024 * 1024
_SOURCE = "# Source: "


@dataclass
class Rendered:
    documents: list[YamlDocument] = dataclasses.field(default_factory=list)
    diagnostics: list[Diagnostic] = dataclasses.field(default_factory=list)
    # Top-level chart folders: their templates' own parse results are replaced by what
    # is said here (one warning per chart); those rendered, by the rendered objects.
    charts: list[str] = dataclasses.field(default_factory=list)
    rendered: list[str] = dataclasses.field(default_factory=list)


Read = Callable[[str], bytes | None]
ListUnder = Callable[[str], list[str]]


def top_level_charts(paths: Iterable[str]) -> list[str]:
    """Folders holding a ``Chart.yaml``, without the subcharts vendored inside others."""
    folders = sorted(posixpath.dirname(p) for p in paths if posixpath.basename(p) == CHART_FILE)
    tops: list[str] = []
    for folder in folders:
        if not any(folder.startswith(f"{top}/") or not top for top in tops):
            tops.append(folder)
    return tops


def render_charts(
    paths: Sequence[str],
    read: Read,
    list_under: ListUnder | None,
    options: HelmOptions,
) -> Rendered:
    """Every top-level chart among ``paths``, rendered, or one warning saying why not."""
    result = Rendered(charts=top_level_charts(paths))
    configured = {posixpath.normpath(c.path).removeprefix("./"): c for c in options.charts}
    helm = shutil.which("helm")
    for chart in result.charts:
        where = posixpath.join(chart, CHART_FILE) if chart else CHART_FILE
        settings = configured.get(chart or ".", HelmChart(chart))
        why = None
        if options.render == "off":
            why = "rendering is off in the configuration (helm.render)"
        elif helm is None:
            why = "helm is not on PATH (install it to read the chart, or set helm.render: off)"
        elif list_under is None or not chart:
            why = "a chart at the root of the scanned folder is not copied out to render"
        if why is not None:
            message = f"Helm chart {chart or '.'} not rendered: {why}; its templates are skipped"
            result.diagnostics.append(Diagnostic(where, 1, message, level="warning"))
            continue
        assert helm is not None and list_under is not None
        documents, problems, ok = _render(helm, chart, settings, read, list_under)
        result.documents.extend(documents)
        result.diagnostics.extend(problems)
        if ok:
            result.rendered.append(chart)
    return result


def _render(
    helm: str, chart: str, settings: HelmChart, read: Read, list_under: ListUnder
) -> tuple[list[YamlDocument], list[Diagnostic], bool]:
    where = posixpath.join(chart, CHART_FILE) if chart else CHART_FILE
    with tempfile.TemporaryDirectory(prefix="driftgate-helm-") as scratch:
        root = Path(scratch)
        copy = root / "chart"
        for rel in list_under(chart):
            data = read(rel)
            if data is None:
                continue
            target = copy / rel[len(chart) + 1 :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        values: list[str] = []
        for index, path in enumerate(settings.values):
            data = read(path)
            if data is None:
                message = f"Helm values file {path} is not a file of the tree; not used"
                return [], [Diagnostic(where, 1, message, "config")], False
            file = root / f"values-{index}.yaml"
            file.write_bytes(data)
            values += ["--values", str(file)]
        command = [
            helm, "template", settings.release, str(copy),
            "--namespace", settings.namespace, *values,
        ]  # fmt: skip
        home = root / "home"
        home.mkdir()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            # Nothing of the user's helm: no plugins, repositories or cluster.
            "HELM_PLUGINS": str(home / "plugins"),
            "HELM_CONFIG_HOME": str(home / "config"),
            "HELM_CACHE_HOME": str(home / "cache"),
            "HELM_DATA_HOME": str(home / "data"),
            "KUBECONFIG": os.devnull,
        }
        output, problem = _bounded_run(command, env, root)
    if problem is not None:
        message = f"Helm chart {chart or '.'} could not be rendered: {problem}; skipped"
        return [], [Diagnostic(where, 1, message, level="warning")], False
    return (*_documents(chart, output, settings.namespace), True)


def _bounded_run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[str, str | None]:
    """helm's standard output, or why there is none (its error, time or size)."""
    out_file = cwd / "out.yaml"
    with out_file.open("wb") as out:
        try:
            process = subprocess.Popen(  # a fixed argv, no shell
                command, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                env=env, cwd=cwd,
            )  # fmt: skip
        except OSError as exc:
            return "", f"helm could not start ({exc.strerror})"
        try:
            _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return "", f"helm took more than {TIMEOUT_SECONDS} s"
    if out_file.stat().st_size > MAX_OUTPUT:
        return "", f"its output is larger than {MAX_OUTPUT // (1024 * 1024)} MiB"
    if process.returncode != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        return "", (lines[-1] if lines else f"helm exited with {process.returncode}")[:300]
    return out_file.read_text("utf-8", "replace"), None


def _documents(
    chart: str, output: str, namespace: str
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """The rendered stream, split at helm's ``# Source:`` comments, one file per template."""
    documents: list[YamlDocument] = []
    problems: list[Diagnostic] = []
    counts: dict[str, int] = {}
    for chunk in _chunks(output):
        source = next((line for line in chunk.splitlines() if line.startswith(_SOURCE)), None)
        if source is None:
            continue
        # `<chart name>/templates/x.yaml`, or `<chart>/charts/<sub>/templates/x.yaml`.
        inside = source[len(_SOURCE) :].strip().split("/", 1)[-1]
        path = posixpath.normpath(posixpath.join(chart, inside)) if chart else inside
        found, trouble = load_yaml(path, chunk.encode("utf-8"))
        problems.extend(trouble)
        for document in found:
            index = counts.get(path, 0)
            counts[path] = index + 1
            _default_namespace(document.data, namespace)
            documents.append(dataclasses.replace(document, index=index))
    return documents, problems


def _chunks(output: str) -> list[str]:
    chunks: list[list[str]] = [[]]
    for line in output.splitlines():
        if line.rstrip() == "---":
            chunks.append([])
        else:
            chunks[-1].append(line)
    return ["\n".join(lines) + "\n" for lines in chunks if any(line.strip() for line in lines)]


def _default_namespace(data: object, namespace: str) -> None:
    """What ``helm install --namespace`` does for objects that name none."""
    if not isinstance(data, LineDict):
        return
    metadata = data.get("metadata")
    if isinstance(metadata, LineDict) and "namespace" not in metadata:
        if _cluster_scoped(data.get("kind")):
            return
        metadata["namespace"] = namespace
        metadata.key_lines["namespace"] = metadata.line


def _cluster_scoped(kind: object) -> bool:
    return kind in {
        "ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition",
        "PersistentVolume", "StorageClass", "PriorityClass", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "APIService", "IngressClass", "RuntimeClass",
    }  # fmt: skip
