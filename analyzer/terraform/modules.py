"""From parsed files to evaluated resource instances: roots, tfvars, local module calls.

A directory of ``.tf`` files is a module. A root is a module no other module calls
locally, or one with a backend, provider block or tfvars of its own. Each root is
evaluated once per variable file that selects an environment (``prod.tfvars``) or once
with its auto-loaded tfvars; local module calls are evaluated once per call with the
caller's inputs, so a shared module's resources take the environment of the root that
instantiates them. Registry, git and http modules are never fetched: they are read from
what ``terraform init`` downloaded into the root's ``.terraform/modules/`` when its
manifest is in the tree (see :mod:`downloaded`), and are otherwise one
``module-not-read`` warning per call.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from driftgate.analyzer.diagnostics import Diagnostic, DiagnosticKind
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform import default_tags, downloaded
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.evaluate import (
    CYCLE,
    NO_VALUE,
    Evaluator,
    ModuleScope,
    Site,
)
from driftgate.analyzer.terraform.functions import MAX_COLLECTION
from driftgate.analyzer.terraform.types import apply_defaults
from driftgate.analyzer.terraform.values import (
    ResourceRef,
    UnknownValue,
    Value,
    display,
    stamp_path,
)

MAX_MODULE_DEPTH = 16
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_META_ARGS = {"source", "version", "count", "for_each", "providers", "depends_on"}


@dataclass(frozen=True, slots=True)
class Root:
    """One evaluation of a root module: its folder and the variable file chosen."""

    dir: str
    var_file: str | None = None  # repo-relative path of the variable file chosen

    @property
    def label(self) -> str:
        """How addresses name the root: ``envs/prod`` or ``app[prod.tfvars]``."""
        base = self.dir or "."
        return f"{base}[{posixpath.basename(self.var_file)}]" if self.var_file else base

    @property
    def env_path(self) -> str:
        """The path whose segments name the root's environment (the var file's, if any)."""
        return self.var_file or self.dir


@dataclass(slots=True)
class ResourceInstance:
    """One instance of a ``resource`` or ``data`` block, ready to evaluate lazily."""

    root: Root
    module_prefix: str  # "module.inference." (with trailing dot) or ""
    mode: str  # "resource" | "data"
    type: str
    name: str
    key: Value | None  # count index / for_each key / None
    block: ast.Block
    path: str
    evaluator: Evaluator
    provider_tags: Mapping[str, Value] = field(default_factory=dict)
    # An instance of a block no configuration here creates (``count = 0`` everywhere, a
    # feature flag left off): evaluated as if enabled, for what it would hold, never as
    # a resource that exists (see :meth:`TerraformProject.dormant_instances`).
    dormant: bool = False
    # (path, line, end line) of the module calls that instantiate it, outermost first:
    # a module input the change edited is where a finding about it points.
    calls: tuple[tuple[str, int, int], ...] = ()

    @property
    def local_address(self) -> str:
        """``aws_iam_role.this`` as references inside its module name it."""
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    @property
    def key_suffix(self) -> str:
        """The instance key as addresses write it: ``""``, ``[0]``, ``["x"]``."""
        return _key_suffix(self.key)

    @property
    def address(self) -> str:
        """Terraform's address: ``module.a.aws_iam_role.this["x"]``."""
        return f"{self.module_prefix}{self.local_address}{self.key_suffix}"

    @property
    def full_address(self) -> str:
        """driftgate's address: the root's label, a colon, the Terraform address."""
        return f"{self.root.label}:{self.address}"

    def address_of(self, ref: ResourceRef) -> str:
        """The full address of the resource a reference names (in whichever module)."""
        return f"{self.root.label}:{ref.module}{ref.address}"

    @property
    def view(self) -> BlockView:
        return BlockView(self.block, self.evaluator)

    def get(self, name: str) -> Value | None:
        return self.view.get(name)

    def line_of(self, name: str) -> int:
        return self.view.line_of(name)

    def children(self, type_: str) -> list[BlockView]:
        """Nested blocks (``inline_policy``, ``identity``, ...), dynamic ones expanded."""
        return self.view.children(type_)


def _key_suffix(key: Value | None) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, UnknownValue):
        return "[*]"
    return f'["{display(key)}"]'


@dataclass(slots=True)
class _Module:
    dir: str
    blocks: list[tuple[str, ast.Block]] = field(default_factory=list)  # (path, block)

    def of_type(self, type_: str) -> Iterator[tuple[str, ast.Block]]:
        return ((p, b) for p, b in self.blocks if b.type == type_)


class TerraformProject:
    """All Terraform of one tree, evaluated root by root.

    Each module instance (a root, or a call path from it) gets one scope, memoised, so
    its locals are evaluated once whether its resources or its outputs are read first.
    """

    def __init__(
        self,
        files: list[ast.HclFile],
        read_file: Callable[[str], bytes | None] | None = None,
        var_files: Mapping[str, Sequence[str]] | None = None,
        list_folder: Callable[[str], list[str] | None] | None = None,
        parse: downloaded.ParseHcl = downloaded.parse_hcl_file,
    ) -> None:
        self._read_file = read_file
        # Reading modules Terraform downloaded: folder listing, and the parser to use.
        self._list_folder = list_folder
        self._parse = parse
        self._manifests: dict[str, downloaded.Manifest | None] = {}
        self._downloaded: set[str] = set()  # module folders read from .terraform/modules
        # (root label, module prefix) → the call's key in the manifest ("eks.kms").
        self._call_keys: dict[tuple[str, str], str] = {}
        # Each module call not read (path, line, what it is) → why, per root label it was
        # met in; roots a plan covers (``planned``) read every call from the plan instead.
        self._not_read: dict[tuple[str, int, str], dict[str, tuple[str, str]]] = {}
        self.planned: set[str] = set()
        # Root folder → its variable files, from the configuration (-var-file mapping).
        self.var_file_map = {k.strip("/"): list(v) for k, v in (var_files or {}).items()}
        self._diagnostics: list[Diagnostic] = []
        self.modules: dict[str, _Module] = {}
        self.tfvars: dict[str, list[ast.HclFile]] = defaultdict(list)
        self._tfvars_by_path: dict[str, ast.HclFile] = {}
        self._scopes: dict[tuple[str, str], ModuleScope] = {}
        self._roots: dict[str, Root] = {}
        self._tags: dict[str, dict[str, Value]] = {}
        # (module folder, mode, type, name) of the blocks some root created, and of those
        # none has so far, with the first scope that met them.
        self._live: set[tuple[str, str, str, str]] = set()
        self._dormant: dict[
            tuple[str, str, str, str], tuple[Root, ModuleScope, ast.Block, str]
        ] = {}
        for f in sorted(files, key=lambda f: f.path):
            directory = posixpath.dirname(f.path)
            if f.path.endswith(".tfvars"):
                self.tfvars[directory].append(f)
                self._tfvars_by_path[f.path] = f
                continue
            module = self.modules.setdefault(directory, _Module(directory))
            module.blocks.extend((f.path, b) for b in f.blocks)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Problems found so far, evaluation problems included (evaluation is lazy)."""
        found = list(self._diagnostics)
        for (path, line, what), reasons in self._not_read.items():
            unplanned = dict(why for r, why in reasons.items() if r not in self.planned)
            if unplanned:
                message = (
                    f"{what}; {_why_not_read(unplanned)}; the identities it declares are unknown"
                )
                found.append(Diagnostic(path, line, message, "module-not-read", "warning"))
        seen = set()
        kinds: tuple[tuple[DiagnosticKind, str], ...] = (
            ("evaluation", "problems"),
            ("unresolved", "unresolved"),
        )
        for scope in self._scopes.values():
            for kind, field_name in kinds:
                for site, message in getattr(scope, field_name):
                    if (site, message) not in seen:
                        seen.add((site, message))
                        found.append(Diagnostic(site.path, site.line, message, kind, "warning"))
        found.extend(self._unread_cycles())
        return found

    def _unread_cycles(self) -> list[Diagnostic]:
        """Cycles among locals that evaluation never met, because nothing reads them."""
        met: dict[str, list[frozenset[str]]] = defaultdict(list)
        for scope in self._scopes.values():
            met[scope.module_dir].extend(scope.cycles)
        found: list[Diagnostic] = []
        for directory, module in sorted(self.modules.items()):
            if directory in self._downloaded:
                continue
            locals_, sites = _locals(module)
            for cycle in local_cycles(locals_):
                if any(frozenset(cycle) <= names for names in met[directory]):
                    continue
                chain = " → ".join(f"local.{n}" for n in [*cycle, cycle[0]])
                site = sites[cycle[0]]
                message = f"{CYCLE}: {chain}"
                found.append(Diagnostic(site.path, site.line, message, "evaluation", "warning"))
        return found

    def roots(self) -> list[Root]:
        called = {
            child
            for module in self.modules.values()
            for _, call in module.of_type("module")
            if (child := self._local_source(module.dir, call)) is not None
        }
        roots: list[Root] = []
        for directory, module in sorted(self.modules.items()):
            if directory in self._downloaded:
                continue
            standalone = any(
                b.type in ("provider", "terraform") or b.type == "backend" for _, b in module.blocks
            )
            var_files = self._var_files(directory)
            if (
                directory in called
                and not standalone
                and not var_files
                and not (self.tfvars.get(directory))
            ):
                continue
            if var_files:
                roots.extend(Root(directory, path) for path in var_files)
            else:
                roots.append(Root(directory))
        return roots

    def _var_files(self, directory: str) -> list[str]:
        """The variable files that each make one environment instance of a root.

        The configuration's mapping wins. Otherwise: non-auto-loaded tfvars in the root
        itself, and tfvars in folders without .tf files that belong to it: below it
        (``app/env/prod.tfvars``), or beside it when it is the only module there
        (``envs/prod.tfvars`` next to ``app/``).
        """
        if directory in self.var_file_map:
            return list(self.var_file_map[directory])
        found = [f.path for f in self.tfvars.get(directory, []) if not _auto_loaded(f.path)]
        for folder, files in sorted(self.tfvars.items()):
            if folder in self.modules or self._owner_of(folder) != directory:
                continue
            found.extend(f.path for f in files if not _auto_loaded(f.path))
        return found

    def _owner_of(self, folder: str) -> str | None:
        """The module a tfvars-only folder belongs to, when the layout says so."""
        parts = folder.split("/") if folder else []
        for i in range(len(parts) - 1, -1, -1):
            ancestor = "/".join(parts[:i])
            if ancestor in self.modules:
                return ancestor
        parent = posixpath.dirname(folder)
        siblings = [m for m in self.modules if m and posixpath.dirname(m) == parent]
        return siblings[0] if len(siblings) == 1 else None

    def instances(self) -> Iterator[ResourceInstance]:
        for root in self.roots():
            self._roots[root.label] = root
            inputs = {k: _constant(v) for k, v in self._root_variables(root).items()}
            scope = self._scope(root, root.dir, inputs, "", (root.dir,))
            self._tags[root.label] = default_tags.from_providers(
                (b for _, b in self.modules[root.dir].of_type("provider")), Evaluator(scope).eval
            )
            yield from self._module_instances(root, scope)

    # ---- variables ----------------------------------------------------------------

    def _root_variables(self, root: Root) -> dict[str, Value]:
        """Auto-loaded tfvars first, then the chosen variable file (Terraform's order)."""
        values: dict[str, Value] = {}
        empty = Evaluator(ModuleScope(root.dir, {}, {}, {}, root.dir))
        # terraform.tfvars, then *.auto.tfvars in lexical order of their names.
        auto = sorted(
            (f for f in self.tfvars.get(root.dir, []) if _auto_loaded(f.path)),
            key=lambda f: (
                not f.path.endswith("/terraform.tfvars") and f.path != "terraform.tfvars",
                f.path,
            ),
        )
        for f in auto:
            values.update(_tfvars_values(f, empty))
        if root.var_file is not None:
            chosen = self._tfvars_by_path.get(root.var_file)
            if chosen is not None:
                values.update(_tfvars_values(chosen, empty))
        return values

    # ---- module instances ---------------------------------------------------------

    def _scope(
        self,
        root: Root,
        directory: str,
        inputs: Mapping[str, Callable[[], Value]],
        prefix: str,
        stack: tuple[str, ...],
    ) -> ModuleScope:
        memo = (root.label, prefix)
        if memo in self._scopes:
            return self._scopes[memo]
        module = self.modules[directory]
        sources: dict[str, Callable[[], Value]] = {}
        defaults = Evaluator(ModuleScope(directory, {}, {}, {}))
        variable_sites: dict[str, Site] = {}
        for path, block in module.of_type("variable"):
            if not block.labels:
                continue
            name = block.labels[0]
            variable_sites[name] = Site(path, block.line)
            if name in inputs:
                sources[name] = inputs[name]
            elif "default" in block.attributes:
                sources[name] = _deferred(defaults, block.attributes["default"].expr, path)
            else:
                sources[name] = _constant(UnknownValue(f"var.{name}", NO_VALUE))
            if "type" in block.attributes:
                sources[name] = _typed(sources[name], block.attributes["type"].expr, defaults)
        variables = _Variables(sources)
        locals_, sites = _locals(module)
        resources: dict[str, ast.Block] = {}
        resource_paths: dict[str, str] = {}
        outputs: dict[str, ast.Expr] = {}
        calls: dict[str, ast.Block] = {}
        for path, block in module.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                local = ("data." if block.type == "data" else "") + ".".join(block.labels)
                resources[local] = block
                resource_paths[local] = path
            elif block.type == "output" and block.labels and "value" in block.attributes:
                outputs[block.labels[0]] = block.attributes["value"].expr
            elif block.type == "module" and block.labels:
                calls[block.labels[0]] = block
        scope = ModuleScope(
            directory,
            variables,
            locals_,
            resources,
            root_dir=root.dir,
            prefix=prefix,
            outputs=outputs,
            module_calls=calls,
            resolver=self,
            local_sites=sites,
            stack=stack,
            root_label=root.label,
            read_file=self._read_file,
            variable_sites=variable_sites,
            resource_paths=resource_paths,
        )
        self._scopes[memo] = scope
        return scope

    def child(self, scope: ModuleScope, name: str, key: Value | None) -> ModuleScope | Value:
        """The scope of ``module.NAME[KEY]`` called from ``scope`` (ModuleResolver)."""
        call = scope.module_calls[name]
        root = self._roots[scope.root_label]
        parent_key = self._call_keys.get((root.label, scope.prefix), "")
        call_key = f"{parent_key}.{name}" if parent_key else name
        directory = self._local_source(scope.module_dir, call)
        if scope.module_dir in self._downloaded or (
            directory is None and not _absolute_source(call)
        ):
            # A remote call, or any call inside a downloaded module: the manifest says.
            directory = self._downloaded_dir(root, scope.module_dir, name, call_key, call)
        if directory is None or directory not in self.modules:
            source = call.attributes.get("source")
            text = source.expr.text if source is not None else "?"
            return UnknownValue(f"module.{name}", f"module source {text} is not read")
        site = f"{scope.module_dir}/" if scope.module_dir else ""
        if directory in scope.stack or len(scope.stack) >= MAX_MODULE_DEPTH:
            why = "circular module call" if directory in scope.stack else "modules nested too deep"
            chain = " → ".join(d or "." for d in (*scope.stack, directory))
            problem = (
                Site(self._call_path(scope.module_dir, call) or site, call.line),
                f"{why}: {chain}; not evaluated further",
            )
            if problem not in scope.problems:
                scope.problems.append(problem)
            return UnknownValue(f"module.{name}", why)
        prefix = f"{scope.prefix}module.{name}{_key_suffix(key)}."
        if (root.label, prefix) in self._scopes:
            return self._scopes[(root.label, prefix)]
        self._call_keys[(root.label, prefix)] = call_key
        for k, inner in self._expand(call, Evaluator(scope)):
            if k != key:
                continue
            # Inputs are evaluated when the child reads them, once: a module reading one
            # output of another must not evaluate all of that module's inputs.
            written = self._call_path(scope.module_dir, call) or ""
            inputs = {
                arg: _deferred(inner, a.expr, written)
                for arg, a in call.attributes.items()
                if arg not in _META_ARGS
            }
            return self._scope(root, directory, inputs, prefix, (*scope.stack, directory))
        return UnknownValue(f"module.{name}{_key_suffix(key)}", "no such module instance")

    # ---- modules terraform init downloaded ----------------------------------------

    def _downloaded_dir(
        self, root: Root, directory: str, name: str, key: str, call: ast.Block
    ) -> str | None:
        """The folder a remote call (or a call inside a download) is read from, if any.

        A call inside a downloaded module that the manifest does not record, with a
        local source, is read from its path when that stays in the download.
        """
        source, version = _call_text(call, "source"), _call_text(call, "version")
        manifest = self._manifest(root.dir)
        local = downloaded.is_local(source)
        path = downloaded.manifest_path(root.dir)
        if manifest is None:
            reason = _NO_MANIFEST
        elif manifest.problem is not None:
            reason = f"{path} could not be read"
        elif key not in manifest.entries:
            reason = f"{path} does not record it (run terraform init again)"
        elif not downloaded.same_source(source, manifest.entries[key].source):
            recorded = manifest.entries[key].source
            reason = f"{path} records source {recorded} for it (run terraform init again)"
        else:
            target, reason = downloaded.entry_dir(root.dir, manifest.entries[key])
            if target is None:
                self._add(
                    Diagnostic(
                        path, 1, f"module {key}: {reason}; not read", "unsafe-path", "warning"
                    )
                )
            elif self._load_downloaded(target):
                return target
            else:
                reason = f"its folder {target} is missing, holds no .tf files, or is a symlink"
        if local:
            target = self._local_source(directory, call)
            if target is not None and target in self.modules:
                return target
            if (
                target is not None
                and downloaded.in_downloads(root.dir, target)
                and self._load_downloaded(target)
            ):
                return target
            if directory not in self._downloaded:
                return None
        call_path = self._call_path(directory, call) or directory or "."
        shown = f"version {version}" if version else "no version"
        what = f"module call module.{name} not read: source {source or '(none)'}, {shown}"
        self._not_read.setdefault((call_path, call.line, what), {})[root.label] = (root.dir, reason)
        return None

    def _manifest(self, root_dir: str) -> downloaded.Manifest | None:
        if root_dir in self._manifests:
            return self._manifests[root_dir]
        path = downloaded.manifest_path(root_dir)
        data = self._read_file(path) if self._read_file is not None else None
        manifest = downloaded.read_manifest(root_dir, data)
        if manifest is not None and manifest.problem is not None:
            message = f"{path} is malformed: {manifest.problem}; the modules it lists are not read"
            self._add(Diagnostic(path, manifest.line, message, "parse-error", "warning"))
        self._manifests[root_dir] = manifest
        return manifest

    def _load_downloaded(self, directory: str) -> bool:
        """Read a downloaded module's folder into ``modules``; False when it cannot be."""
        if directory in self.modules:
            return True
        files, problems = downloaded.read_folder(
            directory, self._list_folder, self._read_file, self._parse
        )
        for problem in problems:
            self._add(problem)
        if not files:
            return False
        module = _Module(directory)
        for f in sorted(files, key=lambda f: f.path):
            module.blocks.extend((f.path, b) for b in f.blocks)
        self.modules[directory] = module
        self._downloaded.add(directory)
        return True

    def _add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self._diagnostics:
            self._diagnostics.append(diagnostic)

    def _call_path(self, directory: str, call: ast.Block) -> str | None:
        module = self.modules.get(directory)
        if module is None:
            return None
        return next((p for p, b in module.blocks if b is call), None)

    def dormant_instances(self) -> Iterator[ResourceInstance]:
        """One instance of each block that :meth:`instances` never created (its count or
        for_each is empty in every root), evaluated in the first scope that saw it with
        ``count.index`` 0: what a feature flag left off would hold once turned on."""
        for key, (root, scope, block, path) in self._dormant.items():
            if key in self._live:
                continue
            evaluator = Evaluator(scope)
            if "for_each" in block.attributes:
                unknown = UnknownValue("each", "for_each is empty here")
                evaluator = evaluator.with_bindings(each={"key": unknown, "value": unknown})
                instance_key: Value = unknown
            else:
                evaluator = evaluator.with_bindings(count={"index": 0})
                instance_key = 0
            yield self._instance(root, scope, block, path, instance_key, evaluator, dormant=True)

    def _instance(
        self,
        root: Root,
        scope: ModuleScope,
        block: ast.Block,
        path: str,
        key: Value | None,
        evaluator: Evaluator,
        calls: tuple[tuple[str, int, int], ...] = (),
        dormant: bool = False,
    ) -> ResourceInstance:
        type_, name = block.labels
        tags = self._tags.get(root.label, {})
        return ResourceInstance(
            root, scope.prefix, block.type, type_, name, key, block, path, evaluator, tags,
            dormant=dormant, calls=calls,
        )  # fmt: skip

    def _module_instances(
        self, root: Root, scope: ModuleScope, calls: tuple[tuple[str, int, int], ...] = ()
    ) -> Iterator[ResourceInstance]:
        module = self.modules[scope.module_dir]
        evaluator = Evaluator(scope)
        for path, block in module.blocks:
            if block.type in ("resource", "data") and len(block.labels) == 2:
                type_, name = block.labels
                key_of_block = (scope.module_dir, block.type, type_, name)
                created = False
                for key, inner in self._expand(block, evaluator):
                    created = True
                    yield self._instance(root, scope, block, path, key, inner, calls)
                if created:
                    self._live.add(key_of_block)
                elif key_of_block not in self._dormant or len(scope.prefix) < len(
                    self._dormant[key_of_block][1].prefix
                ):
                    # The module's own root, when it is one, over its callers.
                    self._dormant[key_of_block] = (root, scope, block, path)
            elif block.type == "module" and block.labels:
                for key, _ in self._expand(block, evaluator):
                    child = self.child(scope, block.labels[0], key)
                    if isinstance(child, ModuleScope):
                        site = (path, block.line, block.end_line)
                        yield from self._module_instances(root, child, (*calls, site))

    def _expand(
        self, block: ast.Block, evaluator: Evaluator
    ) -> Iterator[tuple[Value | None, Evaluator]]:
        """Instances of a block under ``count`` / ``for_each``."""
        if "count" in block.attributes:
            count = evaluator.eval(block.attributes["count"].expr)
            if isinstance(count, int) and not isinstance(count, bool):
                for i in range(min(count, MAX_COLLECTION)):
                    yield i, evaluator.with_bindings(count={"index": i})
                return
            yield (
                UnknownValue("count"),
                evaluator.with_bindings(count={"index": UnknownValue("count.index")}),
            )
            return
        if "for_each" in block.attributes:
            collection = evaluator.eval(block.attributes["for_each"].expr)
            if isinstance(collection, dict):
                pairs = list(collection.items())
            elif isinstance(collection, list) and all(isinstance(v, str) for v in collection):
                pairs = [(v, v) for v in collection]
            else:
                unknown = UnknownValue("each", "for_each over an unknown collection")
                yield unknown, evaluator.with_bindings(each={"key": unknown, "value": unknown})
                return
            for k, v in pairs[:MAX_COLLECTION]:
                yield k, evaluator.with_bindings(each={"key": k, "value": v})
            return
        yield None, evaluator

    def _local_source(self, directory: str, block: ast.Block) -> str | None:
        attr = block.attributes.get("source")
        if attr is None or not isinstance(attr.expr, ast.Literal):
            return None
        source = attr.expr.value
        if not isinstance(source, str):
            return None
        if source.startswith(("/", "\\")) or _DRIVE.match(source):
            self._unsafe_source(
                directory, block, f"module source {source} is an absolute path; not read"
            )
            return None
        if not source.startswith(("./", "../")):
            return None
        target = posixpath.normpath(posixpath.join(directory, source.replace("\\", "/")))
        # Never outside the repository root.
        if target.startswith("..") or posixpath.isabs(target):
            self._unsafe_source(
                directory,
                block,
                f"module source {source} leads outside the repository root; not read",
            )
            return None
        return "" if target == "." else target

    def _unsafe_source(self, directory: str, block: ast.Block, message: str) -> None:
        path = self._call_path(directory, block) or directory or "."
        found = Diagnostic(path, block.line, message, "unsafe-path", "warning")
        if found not in self._diagnostics:
            self._diagnostics.append(found)


# The commonest reason a registry module is not read, said once for every root it holds in.
_NO_MANIFEST = "no manifest"


def _why_not_read(reasons: Mapping[str, str]) -> str:
    """Why a module call was not read, in each root (folder) that calls it, said once."""
    roots = sorted(reasons)
    shown = ", ".join(r or "." for r in roots[:3]) + (
        f" and {len(roots) - 3} more" if len(roots) > 3 else ""
    )
    if all(why == _NO_MANIFEST for why in reasons.values()):
        where = (
            f"{downloaded.manifest_path(roots[0])} in this tree"
            if len(roots) == 1
            else f".terraform/modules/modules.json in any of the {len(roots)} roots that call it"
            f" ({shown})"
        )
        root = (roots[0] or ".") if len(roots) == 1 else "a root"
        return (
            f"no {where} (terraform init or terraform get in {root} writes it; a git revision"
            " usually has no .terraform/)"
        )
    first = roots[0]
    others = f" (and in {len(roots) - 1} more roots: {shown})" if len(roots) > 1 else ""
    return f"{reasons[first]}{others}"


def _call_text(call: ast.Block, name: str) -> str:
    """A module call's ``source`` or ``version`` as written ("" when absent)."""
    attr = call.attributes.get(name)
    if attr is None:
        return ""
    if isinstance(attr.expr, ast.Literal) and isinstance(attr.expr.value, str):
        return attr.expr.value
    return attr.expr.text


def _absolute_source(call: ast.Block) -> bool:
    return downloaded.is_absolute(_call_text(call, "source"))


def _deferred(evaluator: Evaluator, expr: ast.Expr, path: str) -> Callable[[], Value]:
    """``expr`` evaluated when first read; what it builds is marked as written in ``path``."""
    return lambda: stamp_path(evaluator.eval(expr), path)


def _typed(
    source: Callable[[], Value], type_expr: ast.Expr, evaluator: Evaluator
) -> Callable[[], Value]:
    return lambda: apply_defaults(source(), type_expr, evaluator)


def _constant(value: Value) -> Callable[[], Value]:
    return lambda: value


class _Variables(Mapping[str, Value]):
    """A module instance's variables, each evaluated on first use, once."""

    def __init__(self, sources: dict[str, Callable[[], Value]]) -> None:
        self._sources = sources
        self._values: dict[str, Value] = {}
        self._pending: set[str] = set()

    def __getitem__(self, name: str) -> Value:
        if name in self._values:
            return self._values[name]
        source = self._sources[name]
        if name in self._pending:  # an input that reads the module's own outputs
            return UnknownValue(f"var.{name}", "input refers to its own module (cycle)")
        self._pending.add(name)
        try:
            value = source()
        finally:
            self._pending.discard(name)
        self._values[name] = value
        return value

    # Without these, Mapping's own ``in`` and ``get`` go through ``__getitem__`` and a
    # KeyError: every ``var.x`` is read that way.
    def __contains__(self, name: object) -> bool:
        return name in self._sources

    def get(self, name: str, default: Value | None = None) -> Value | None:
        return self[name] if name in self._sources else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)


def _auto_loaded(path: str) -> bool:
    name = posixpath.basename(path)
    return name == "terraform.tfvars" or name.endswith(".auto.tfvars")


def _tfvars_values(f: ast.HclFile, evaluator: Evaluator) -> dict[str, Value]:
    # python-hcl2 presents top-level attributes of a tfvars file as a pseudo block.
    values: dict[str, Value] = {}
    for block in f.blocks:
        if block.type == "__attributes__":
            values.update({k: evaluator.eval(a.expr) for k, a in block.attributes.items()})
    return values


def _locals(module: _Module) -> tuple[dict[str, ast.Expr], dict[str, Site]]:
    """A module's locals: each name's expression, and where it is written."""
    exprs: dict[str, ast.Expr] = {}
    sites: dict[str, Site] = {}
    for path, block in module.of_type("locals"):
        for name, attribute in block.attributes.items():
            exprs[name] = attribute.expr
            sites[name] = Site(path, attribute.line)
    return exprs, sites


def _local_reads(expr: ast.Expr) -> set[str]:
    """The names of the ``local.NAME`` an expression reads, without evaluating it."""
    found: set[str] = set()
    todo: list[object] = [expr]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.GetAttr) and isinstance(node.obj, ast.Variable):
            if node.obj.name == "local":
                found.add(node.name)
            continue
        if isinstance(node, ast.Expr):
            for name in getattr(node, "__dataclass_fields__", {}):
                value = getattr(node, name)
                if isinstance(value, ast.Expr):
                    todo.append(value)
                elif isinstance(value, tuple):
                    for item in value:
                        if isinstance(item, ast.Expr):
                            todo.append(item)
                        elif isinstance(item, tuple):
                            todo.extend(i for i in item if isinstance(i, ast.Expr))
    return found


def local_cycles(locals_: Mapping[str, ast.Expr]) -> list[list[str]]:
    """Cycles among a module's locals, found from what each reads (read or not)."""
    graph = {name: sorted(_local_reads(expr) & locals_.keys()) for name, expr in locals_.items()}
    cycles: list[list[str]] = []
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        # Depth-first from each name; a name met again on the current path closes a cycle.
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            name, i = stack.pop()
            if i == 0:
                path.append(name)
                on_path.add(name)
            nexts = graph[name]
            if i < len(nexts):
                stack.append((name, i + 1))
                child = nexts[i]
                if child in on_path:
                    cycle = path[path.index(child) :]
                    if not any(set(cycle) == set(c) for c in cycles):
                        cycles.append(cycle)
                elif child not in done:
                    stack.append((child, 0))
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)
    return cycles
