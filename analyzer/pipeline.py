"""One tree → its identity-binding model: read, parse, evaluate, extract, link."""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.diagnostics import Diagnostic
from analyzer.extract.kubernetes import extract_kubernetes
from analyzer.extract.kustomize import apply_kustomizations
from analyzer.extract.link import link, merge
from analyzer.extract.options import ExtractOptions
from analyzer.extract.registry import TERRAFORM_EXTRACTORS
from analyzer.model import Model
from analyzer.parse.hcl import HclError, parse_hcl
from analyzer.parse.hcl_ast import HclFile
from analyzer.parse.yaml_docs import YamlDocument, load_yaml
from analyzer.sources.base import SourceFile, Tree
from analyzer.terraform.modules import TerraformProject

MAX_FILE_SIZE = 5 * 1024 * 1024

ParseResult = tuple[HclFile | list[YamlDocument] | None, list[Diagnostic]]


@dataclass
class ParseCache:
    """Parse results by content key, so base and head parse an unchanged file once."""

    entries: dict[tuple[str, str], ParseResult] = field(default_factory=dict)

    def parse(self, source: SourceFile) -> ParseResult:
        key = (source.key, source.path)
        if key not in self.entries:
            self.entries[key] = _parse(source)
        return self.entries[key]


def _parse(source: SourceFile) -> ParseResult:
    data = source.read()
    if len(data) > MAX_FILE_SIZE:
        size = f"{len(data) / 1024 / 1024:.1f} MiB"
        return None, [
            Diagnostic(source.path, 0, f"file is {size}, over the 5 MiB limit", "too-large")
        ]
    if source.path.endswith((".yaml", ".yml")):
        docs, diagnostics = load_yaml(source.path, data)
        return docs, diagnostics
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Diagnostic(source.path, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        ]
    if "\x00" in text:
        return None, [Diagnostic(source.path, 0, "binary file, not HCL")]
    try:
        return parse_hcl(source.path, text), []
    except HclError as exc:
        return None, [Diagnostic(source.path, exc.line, str(exc))]


@dataclass(frozen=True, slots=True)
class BuiltModel:
    model: Model
    diagnostics: list[Diagnostic]
    files: int


def build_model(tree: Tree, options: ExtractOptions, cache: ParseCache | None = None) -> BuiltModel:
    cache = cache if cache is not None else ParseCache()
    hcl_files: list[HclFile] = []
    documents: list[YamlDocument] = []
    diagnostics: list[Diagnostic] = list(getattr(tree, "skipped", []))
    count = 0
    for source in tree.files():
        count += 1
        parsed, problems = cache.parse(source)
        diagnostics.extend(problems)
        if isinstance(parsed, HclFile):
            hcl_files.append(parsed)
        elif isinstance(parsed, list):
            documents.extend(parsed)
    project = TerraformProject(hcl_files, tree.read_path, dict(options.var_files))
    instances = list(project.instances())
    models = [extract(instances, options) for extract in TERRAFORM_EXTRACTORS]
    diagnostics.extend(project.diagnostics)
    # Overlays are built from the whole set of documents, never cached per file.
    documents, problems = apply_kustomizations(documents, options.environments)
    diagnostics.extend(problems)
    models.append(extract_kubernetes(documents, options))
    model = link(merge(models))
    return BuiltModel(model, diagnostics, count)
