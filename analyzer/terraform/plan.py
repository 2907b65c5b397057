"""Resource instances from a Terraform plan, in the shape the extractors already read.

A plan gives each resource instance's values before and after the change, resolved by
Terraform itself: module outputs from registries, data sources, everything static
evaluation cannot know. Each plan instance becomes a :class:`ResourceInstance` whose
block holds the plan's values, so the extractors (the one definition of what a resource
means) and with them addresses and fingerprints stay the same as in static mode.

Where the configuration of an instance is in the scanned tree, its block is the static
block with each argument's plan value in place of the expression. The static expression
is kept where the plan cannot help (unknown until apply) and where it names another
planned resource by reference: a reference links exactly, and the resource it names
carries plan values itself. Arguments the configuration does not set (computed ones,
provider defaults) are left out, as in static mode. Instances whose configuration is not
in the tree (inside registry modules) are built from the plan alone, keeping the
arguments the plan's ``configuration`` section says are set, and pointing at the module
call that creates them.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.model.environment import EnvironmentResolver
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.parse.plan_json import (
    Plan,
    PlanError,
    PlanResource,
    plan_diagnostic,
    read_plan,
    split_address,
)
from driftgate.analyzer.terraform import default_tags
from driftgate.analyzer.terraform.evaluate import Evaluator, ModuleScope
from driftgate.analyzer.terraform.modules import ResourceInstance, Root, TerraformProject
from driftgate.analyzer.terraform.values import (
    JsonDoc,
    ResourceRef,
    UnknownValue,
    Value,
    from_plan,
    is_known,
)

Side = Literal["head", "base"]

MAX_VALUE_DEPTH = 64
_AFTER_APPLY = "known only after apply"
_META_ARGS = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle"})
_NOT_RESOURCES = ("var", "local", "module", "each", "count", "path", "self", "terraform")
_KEY = re.compile(r"\[[^\]]*\]$")


@dataclass(frozen=True, slots=True)
class PlanValue(ast.Expr):
    """An argument's value as the plan gives it; ``text`` is the argument as written."""

    value: Any


@dataclass(frozen=True, slots=True)
class SensitiveValue(UnknownValue):
    """A value the plan marks sensitive: unknown to driftgate, named only by its path."""


class PlanEvaluator(Evaluator):
    """An evaluator that also reads plan values; other expressions evaluate as usual."""

    def eval(self, expr: ast.Expr) -> Value:
        if isinstance(expr, PlanValue):
            return expr.value
        return super().eval(expr)

    def with_bindings(self, **bindings: Value) -> Evaluator:
        return PlanEvaluator(self.scope, {**self.bindings, **bindings})


@dataclass(frozen=True, slots=True)
class PlanRoot(Root):
    """A root whose environment is named on the command line (``--plan prod=FILE``)."""

    environment: str = ""

    @property
    def env_path(self) -> str:
        # Resolved like a folder name: `prod`, `staging`, ...
        return self.environment or (self.var_file or self.dir)


@dataclass(frozen=True, slots=True)
class PlanInput:
    """A loaded plan and what the command line says about it."""

    plan: Plan
    environment: str | None = None
    # The plan file's folder relative to the tree's root; None when it lies outside.
    directory: str | None = None


def apply_plans(
    project: TerraformProject,
    instances: Sequence[ResourceInstance],
    plans: Sequence[PlanInput],
    side: Side,
    environments: EnvironmentResolver,
    unchanged: frozenset[str] | None = None,
) -> tuple[list[ResourceInstance], list[Diagnostic]]:
    """``instances`` with those of each planned root replaced by the plan's.

    ``unchanged``: the base of a change read from its own tree (``--base``), and the
    files it has in common with the head. A base instance takes the plan's prior state
    where it has one (what is deployed). One the plan creates has none: written in such
    a file it is the same at base, so it takes the plan's values as at head, and base
    and head are compared on the same footing; written otherwise, it stays as written
    (a plan that creates everything knows nothing of the base).
    """
    roots = project.roots()
    diagnostics: list[Diagnostic] = []
    planned: dict[str, list[ResourceInstance]] = {}
    for item in plans:
        root, problem = choose_root(item, roots, project, environments)
        if problem is not None:
            diagnostics.append(problem)
        if root is None:
            continue
        if root.label in planned:
            diagnostics.append(
                Diagnostic(
                    item.plan.path,
                    0,
                    f"a second plan for the Terraform root {root.label}: this one is ignored",
                    "config",
                )
            )
            continue
        static = [i for i in instances if i.root.label == root.label]
        found = list(_Builder(item.plan, root, static, project, side, unchanged).instances())
        # A data source the plan does not list (read during planning, and a plan may
        # leave those out) is still what the code says; managed resources are the plan's.
        listed = {i.address for i in found}
        found += [i for i in static if i.mode == "data" and i.address not in listed]
        planned[root.label] = found
    project.planned.update(planned)
    kept = [i for i in instances if i.root.label not in planned]
    return kept + [i for group in planned.values() for i in group], diagnostics


def choose_root(
    item: PlanInput,
    roots: Sequence[Root],
    project: TerraformProject,
    environments: EnvironmentResolver,
) -> tuple[Root | None, Diagnostic | None]:
    """The root a plan was made for.

    The plan file's folder or its nearest parent that is a root; else the root whose
    resources and module calls the plan's configuration names; else a root of its own,
    named after the plan file, whose findings point at the plan. A root evaluated once
    per variable file (``prod.tfvars``, ``staging.tfvars``) needs ``ENV=FILE``.
    """
    by_dir: dict[str, list[Root]] = {}
    for root in roots:
        by_dir.setdefault(root.dir, []).append(root)
    candidates: list[Root] = []
    directory = item.directory
    while directory is not None:
        # A root above the plan's folder (the repository's top, say) must also be the
        # one the plan describes: a plans/ folder is no part of the root above it.
        if directory in by_dir and (
            directory == item.directory or _overlap(item.plan, project, directory) >= 0.5
        ):
            candidates = by_dir[directory]
            break
        if not directory:
            break
        directory = posixpath.dirname(directory)
    if not candidates:
        matched = _by_configuration(item.plan, project, by_dir)
        candidates = by_dir.get(matched, []) if matched is not None else []
    env = environments.resolve(item.environment) or item.environment if item.environment else None
    if not candidates:
        label = item.directory if item.directory is not None else _stem(item.plan.path)
        return PlanRoot(label, None, item.environment or ""), None
    if len(candidates) > 1:
        chosen = [r for r in candidates if env is not None and _names_env(r, env, environments)]
        if len(chosen) != 1:
            files = ", ".join(posixpath.basename(r.var_file or "") for r in candidates)
            message = (
                f"the Terraform root {candidates[0].dir or '.'} is evaluated once per variable"
                f" file ({files}): name the environment this plan is for, --plan ENV=FILE"
            )
            return None, Diagnostic(item.plan.path, 0, message, "config")
        return chosen[0], None
    root = candidates[0]
    if env is not None and environments.resolve(root.env_path) != env:
        root = PlanRoot(root.dir, root.var_file, item.environment or "")
    return root, None


def _names_env(root: Root, env: str, environments: EnvironmentResolver) -> bool:
    stem = posixpath.basename(root.var_file or "").split(".")[0]
    return environments.resolve(root.env_path) == env or stem == env


def _stem(path: str) -> str:
    name = posixpath.basename(path.replace("\\", "/"))
    return name.split(".")[0] or "plan"


def _by_configuration(
    plan: Plan, project: TerraformProject, by_dir: Mapping[str, list[Root]]
) -> str | None:
    """The root folder whose blocks best match the plan's root module (None: no match)."""
    if not plan.root_resources and not plan.root_calls:
        return None
    scores = [
        (_overlap(plan, project, directory), directory)
        for directory in by_dir
        if directory in project.modules
    ]
    scores.sort(reverse=True)
    if not scores or scores[0][0] < 0.5 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return scores[0][1]


def _overlap(plan: Plan, project: TerraformProject, directory: str) -> float:
    """How much of what the plan's root module declares the folder declares (Jaccard)."""
    wanted = plan.root_resources | {f"module.{c}" for c in plan.root_calls}
    module = project.modules.get(directory)
    if not wanted or module is None:
        return 0.0
    have = set()
    for _, block in module.blocks:
        if block.type in ("resource", "data") and len(block.labels) == 2:
            prefix = "data." if block.type == "data" else ""
            have.add(f"{prefix}{block.labels[0]}.{block.labels[1]}")
        elif block.type == "module" and block.labels:
            have.add(f"module.{block.labels[0]}")
    return len(wanted & have) / len(wanted | have)


def _modules(module_address: str) -> tuple[str, ...]:
    """``module.a["x"].module.b`` → ("a", "b")."""
    parts = split_address(module_address) if module_address else []
    return tuple(_KEY.sub("", parts[i + 1]) for i in range(0, len(parts) - 1, 2))


def _config_key(prefix: str, mode: str, type_: str, name: str) -> tuple[tuple[str, ...], str]:
    local = f"{'data.' if mode == 'data' else ''}{type_}.{name}"
    return _modules(prefix.rstrip(".")), local


def _sub(tree: Any, key: str | int) -> Any:
    """The part of an unknown/sensitive marker tree under ``key`` (True covers all)."""
    if tree is True:
        return True
    if isinstance(tree, dict) and isinstance(key, str):
        return tree.get(key)
    if isinstance(tree, list) and isinstance(key, int) and 0 <= key < len(tree):
        return tree[key]
    return None


def convert(raw: Any, unknown: Any, sensitive: Any, where: str, depth: int = 0) -> Value:
    """A plan value with its unknown and sensitive parts replaced by Unknowns."""
    if sensitive is True:
        return SensitiveValue(where, "sensitive value (not shown)")
    if unknown is True:
        return UnknownValue(where, _AFTER_APPLY)
    if depth > MAX_VALUE_DEPTH:
        return UnknownValue(where, "value nested too deeply")
    if isinstance(raw, dict):
        out: dict[str, Value] = {
            k: convert(v, _sub(unknown, k), _sub(sensitive, k), f"{where}.{k}", depth + 1)
            for k, v in raw.items()
        }
        if isinstance(unknown, dict):
            for k, flag in unknown.items():
                if flag is True and out.get(k) is None:
                    out[k] = UnknownValue(f"{where}.{k}", _AFTER_APPLY)
        return out
    if isinstance(raw, list):
        items = [
            convert(v, _sub(unknown, i), _sub(sensitive, i), f"{where}[{i}]", depth + 1)
            for i, v in enumerate(raw)
        ]
        if isinstance(unknown, list):
            items.extend(
                UnknownValue(f"{where}[{i}]", _AFTER_APPLY) for i in range(len(items), len(unknown))
            )
        return items
    return raw


@dataclass(frozen=True, slots=True)
class _Ref:
    """The first resource an argument's configuration refers to."""

    text: str  # as Terraform lists it: aws_iam_role.this[0].name
    address: str  # aws_iam_role.this[0] / data.aws_x.y
    steps: tuple[str, ...]  # ("name",) / ("metadata[0]", "name")

    @property
    def attribute(self) -> str:
        # As the static evaluator names it: the first step after the resource.
        return _KEY.sub("", self.steps[0]) if self.steps else ""

    def value(self, prefix: str) -> ResourceRef:
        return ResourceRef(self.text, _AFTER_APPLY, self.address, self.attribute, prefix)


def _first_reference(expression: Any) -> _Ref | None:
    refs = expression.get("references") if isinstance(expression, dict) else None
    for ref in refs if isinstance(refs, list) else []:
        if not isinstance(ref, str):
            continue
        parts = split_address(ref)  # keys stay: `aws_iam_policy.extra[0]` is one instance
        if _KEY.sub("", parts[0]) in _NOT_RESOURCES:
            continue
        size = 3 if parts[0] == "data" else 2
        if len(parts) >= size:
            return _Ref(ref, ".".join(parts[:size]), tuple(parts[size:]))
    return None


def _lookup(values: Any, steps: Sequence[str]) -> Any:
    """``metadata[0]``, ``name`` → values["metadata"][0]["name"] (None when absent)."""
    for step in steps:
        name, _, rest = step.partition("[")
        values = values.get(name) if isinstance(values, dict) else None
        for key in re.findall(r"\[([^\]]*)\]", "[" + rest if rest else ""):
            key = key.strip('"')
            if (
                isinstance(values, list)
                and key.isascii()
                and key.isdigit()
                and int(key) < len(values)
            ):
                values = values[int(key)]
            elif isinstance(values, dict):
                values = values.get(key)
            else:
                return None
    return values


def _is_block(expression: Any, raw: Any) -> bool:
    """Whether an argument is a nested block: the configuration says so, else its shape."""
    if isinstance(expression, list):
        return True
    if isinstance(expression, dict) and expression:
        return not set(expression) <= {"constant_value", "references"}
    return (
        expression is None
        and isinstance(raw, list)
        and bool(raw)
        and all(isinstance(v, dict) for v in raw)
    )


# Functions that only reshape what they are given: constant in, constant out.
_PURE = frozenset(
    {"jsonencode", "yamlencode", "tolist", "toset", "tomap", "tostring", "merge", "concat"}
)


def _nth_marker(marker: Any, raw: Any, i: int) -> Any:
    """The unknown/sensitive marker of the ``i``-th nested block: a block given as one
    object (single nesting) is marked by an object of the same shape, not a list."""
    return marker if isinstance(raw, dict) else _sub(marker, i)


def _is_constant(expr: ast.Expr) -> bool:
    """Whether an argument is written out whole: no variable, reference or call in it."""
    if isinstance(expr, ast.Literal):
        return True
    if isinstance(expr, ast.Template):
        return all(isinstance(part, str) for part in expr.parts)
    if isinstance(expr, ast.TupleExpr):
        return all(_is_constant(item) for item in expr.items)
    if isinstance(expr, ast.ObjectExpr):
        # A bare key (HF_TOKEN = ...) is a name, not a variable.
        return all(
            (isinstance(k, ast.Variable) or _is_constant(k)) and _is_constant(v)
            for k, v in expr.items
        )
    if isinstance(expr, ast.Call) and expr.name in _PURE:
        return all(_is_constant(arg) for arg in expr.args)
    return False


def _items(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, dict):
        return [raw]
    return [v for v in raw if isinstance(v, dict)] if isinstance(raw, list) else []


def _nth(expression: Any, i: int) -> Any:
    if isinstance(expression, list):
        return expression[min(i, len(expression) - 1)] if expression else None
    return expression


class _Builder:
    """Plan instances of one root, on one side of the change."""

    def __init__(
        self,
        plan: Plan,
        root: Root,
        static: Sequence[ResourceInstance],
        project: TerraformProject,
        side: Side,
        unchanged: frozenset[str] | None = None,
    ) -> None:
        self.plan = plan
        self.root = root
        self.project = project
        self.side = side
        self.unchanged = unchanged
        self.by_address = {i.address: i for i in static}
        self.by_config: dict[tuple[tuple[str, ...], str], ResourceInstance] = {}
        for inst in static:
            key = _config_key(inst.module_prefix, inst.mode, inst.type, inst.name)
            self.by_config.setdefault(key, inst)
        self.tags = next((i.provider_tags for i in static if i.provider_tags), None)
        self.values: dict[str, dict[str, Any]] = {}
        self.present: set[tuple[tuple[str, ...], str]] = set()
        for r in plan.resources:
            values = self._values(r)
            if values is not None:
                self.values[r.address] = values
                self.present.add(_config_key(r.module_address, _mode(r), r.type, r.name))

    def _static(self, r: PlanResource) -> ResourceInstance | None:
        prefix = f"{r.module_address}." if r.module_address else ""
        key = _config_key(prefix, _mode(r), r.type, r.name)
        return self.by_address.get(r.address) or self.by_config.get(key)

    def _after(self, r: PlanResource) -> bool:
        """Whether ``r`` takes the plan's values after the change on this side."""
        if self.side == "head":
            return True
        if self.unchanged is None or r.before is not None:
            return False  # what is deployed is the base
        static = self._static(r)
        return static is not None and static.path in self.unchanged

    def _values(self, r: PlanResource) -> dict[str, Any] | None:
        return r.after if self._after(r) else r.before

    def instances(self) -> Iterator[ResourceInstance]:
        listed: set[str] = set()
        for resource in self.plan.resources:
            after = self._after(resource)
            values = resource.after if after else resource.before
            if values is None:
                static = self._static(resource)
                if self.unchanged is not None and static is not None:
                    # Created by the plan, written differently at base: as written.
                    listed.add(static.address)
                    yield static
                continue
            unknown = resource.after_unknown if after else None
            sensitive = resource.after_sensitive if after else resource.before_sensitive
            made = self._instance(resource, values, unknown, sensitive)
            listed.add(made.address)
            yield made
        if self.unchanged is not None:
            # The base's own resources the plan does not mention are as written.
            yield from (i for i in self.by_address.values() if i.address not in listed)

    def _instance(
        self, r: PlanResource, values: dict[str, Any], unknown: Any, sensitive: Any
    ) -> ResourceInstance:
        prefix = f"{r.module_address}." if r.module_address else ""
        mode = _mode(r)
        key = _config_key(prefix, mode, r.type, r.name)
        static = self.by_address.get(r.address) or self.by_config.get(key)
        if static is not None:
            evaluator = PlanEvaluator(static.evaluator.scope, static.evaluator.bindings)
            block = self._merge(
                static.block, static.evaluator, values, unknown, sensitive, r.address
            )
            return ResourceInstance(
                self.root, prefix, mode, r.type, r.name, r.index, block,
                static.path, evaluator, static.provider_tags,
            )  # fmt: skip
        path, line, end = self._where(key[0])
        scope = ModuleScope(
            self.root.dir, {}, {}, {}, root_dir=self.root.dir, prefix=prefix,
            root_label=self.root.label,
        )  # fmt: skip
        config = self.plan.config.get(key)
        expressions = config.expressions if config is not None else None
        body = self._build(values, unknown, sensitive, expressions, r.address, prefix, line)
        block = ast.Block(mode, (r.type, r.name), body.attributes, body.blocks, line, end)
        tags = self.tags if self.tags is not None else default_tags.from_plan(values)
        return ResourceInstance(
            self.root, prefix, mode, r.type, r.name, r.index, block, path,
            PlanEvaluator(scope), tags,
        )  # fmt: skip

    # ---- configuration in the tree: plan values in the static block -------------------

    def _merge(
        self,
        block: ast.Block,
        evaluator: Evaluator,
        values: Mapping[str, Any],
        unknown: Any,
        sensitive: Any,
        where: str,
    ) -> ast.Block:
        attributes: dict[str, ast.Attribute] = {}
        for name, attr in block.attributes.items():
            # The expression stays where the plan cannot say more (unknown until apply),
            # must not be read (sensitive: static mode shows what the code says, no more),
            # where it names a planned resource, and where it means what the plan's value
            # does (it keeps what the value lost: the lines of policy statements).
            if (
                name in _META_ARGS
                or name not in values
                or _sub(unknown, name) is True
                or _sub(sensitive, name) is True
                or self._keeps_reference(attr.expr, evaluator)
                or _agrees(evaluator.eval(attr.expr), values.get(name))
            ):
                attributes[name] = attr
                continue
            value = convert(
                values.get(name), _sub(unknown, name), _sub(sensitive, name), f"{where}.{name}"
            )
            if not _is_constant(attr.expr):
                # Resolved by the plan, not written here: never a literal in the repository.
                value = from_plan(value)
            if value is not None:
                expr = PlanValue(attr.expr.text, value)
                attributes[name] = ast.Attribute(name, expr, attr.line, attr.end_line)
        children: list[ast.Block] = []
        for type_ in dict.fromkeys(_child_type(b) for b in block.blocks):
            written = [b for b in block.blocks if _child_type(b) == type_]
            u = _sub(unknown, type_)
            if type_ in _META_ARGS or type_ not in values or u is True:
                children.extend(written)
                continue
            templates = [_template(b) for b in written]
            raw = values.get(type_)
            for i, item in enumerate(_items(raw)):
                template = templates[min(i, len(templates) - 1)]
                children.append(
                    self._merge(
                        template,
                        evaluator,
                        item,
                        _nth_marker(u, raw, i),
                        _nth_marker(_sub(sensitive, type_), raw, i),
                        f"{where}.{type_}[{i}]",
                    )
                )
        return ast.Block(
            block.type, block.labels, attributes, tuple(children), block.line, block.end_line
        )

    def _computed(self, ref: _Ref, prefix: str, raw: Any) -> bool:
        """Whether ``raw`` is a computed attribute of the managed resource ``ref`` names:
        static evaluation knows it only as a reference, which links exactly."""
        if ref.address.startswith("data.") or not isinstance(raw, str) or not ref.steps:
            return False
        target = self.values.get(f"{prefix}{ref.address}")
        parts = split_address(ref.address)
        config = self.plan.config.get(
            (_modules(prefix.rstrip(".")), _KEY.sub("", parts[0]) + "." + _KEY.sub("", parts[1]))
        )
        if config is not None and ref.attribute in config.expressions:
            return False
        return target is not None and _lookup(target, ref.steps) == raw

    def _keeps_reference(self, expr: ast.Expr, evaluator: Evaluator) -> bool:
        """A whole-value reference to a resource of the plan links better than its value."""
        if not isinstance(expr, ast.GetAttr | ast.Index):
            return False
        value = evaluator.eval(expr)
        if not isinstance(value, ResourceRef):
            return False
        parts = [_KEY.sub("", p) for p in split_address(value.address)]
        mode = "data" if parts[0] == "data" else "resource"
        type_, name = (parts[1], parts[2]) if mode == "data" else (parts[0], parts[1])
        return _config_key(value.module, mode, type_, name) in self.present

    # ---- configuration not in the tree: the plan alone ---------------------------------

    def _build(
        self,
        values: Mapping[str, Any],
        unknown: Any,
        sensitive: Any,
        expressions: Mapping[str, Any] | None,
        where: str,
        prefix: str,
        line: int,
        type_: str = "",
        depth: int = 0,
    ) -> ast.Block:
        attributes: dict[str, ast.Attribute] = {}
        children: list[ast.Block] = []
        marked = list(unknown) if isinstance(unknown, dict) else []
        for name in dict.fromkeys([*values, *marked]):
            if expressions is not None and name not in expressions:
                continue  # computed or defaulted: static mode would not see it either
            expression = expressions.get(name) if expressions is not None else None
            raw, u, s = values.get(name), _sub(unknown, name), _sub(sensitive, name)
            if u is not True and _is_block(expression, raw) and depth < MAX_VALUE_DEPTH:
                for i, item in enumerate(_items(raw)):
                    children.append(
                        self._build(
                            item, _nth_marker(u, raw, i), _nth_marker(s, raw, i),
                            _nth(expression, i),
                            f"{where}.{name}[{i}]", prefix, line, name, depth + 1,
                        )
                    )  # fmt: skip
                continue
            ref = _first_reference(expression)
            if u is True and s is not True:
                value: Value = (
                    ref.value(prefix) if ref else UnknownValue(f"{where}.{name}", _AFTER_APPLY)
                )
            elif ref is not None and s is not True and self._computed(ref, prefix, raw):
                value = ref.value(prefix)
            else:
                value = convert(raw, u, s, f"{where}.{name}")
                if not (isinstance(expression, dict) and "constant_value" in expression):
                    # Not a constant in the configuration: resolved by the plan.
                    value = from_plan(value)
            if value is None or (expressions is None and value in ([], {}, "")):
                continue
            attributes[name] = ast.Attribute(name, PlanValue(name, value), line, line)
        return ast.Block(type_, (), attributes, tuple(children), line, line)

    def _where(self, modules: tuple[str, ...]) -> tuple[str, int, int]:
        """The deepest module call in the tree on the way to a module's resources."""
        found: tuple[str, int, int] | None = None
        module = self.project.modules.get(self.root.dir)
        for name in modules:
            if module is None:
                break
            call = next(
                (
                    (p, b)
                    for p, b in module.blocks
                    if b.type == "module" and b.labels[:1] == (name,)
                ),
                None,
            )
            if call is None:
                break
            found = (call[0], call[1].line, call[1].end_line)
            module = self.project.modules.get(_local_dir(module.dir, call[1]) or "\x00")
        return found or (self.plan.path, 1, 1)


def _agrees(static: Value, planned: Any) -> bool:
    """Whether a fully known static value means what the plan's value does."""
    return is_known(static) and _normal(static) == _normal(planned)


def _normal(value: Any, depth: int = 0) -> Any:
    """A value as compared: JSON text parsed, lists of scalars as sets, a list of one
    scalar as that scalar (how providers normalise policy documents), scalars as text."""
    if depth > MAX_VALUE_DEPTH:
        return object()  # equal to nothing
    if isinstance(value, JsonDoc):
        value = value.value  # one layer at a time: plain_value would recurse unbounded
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            try:
                return _normal(json.loads(text), depth + 1)
            except (ValueError, RecursionError):
                return value
        return value
    if isinstance(value, dict):
        return {k: _normal(v, depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        items = [_normal(v, depth + 1) for v in value]
        if all(not isinstance(v, dict | list) for v in items):
            return items[0] if len(items) == 1 else sorted(items, key=repr)
        return items
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int) else value


def _mode(r: PlanResource) -> str:
    return "data" if r.mode == "data" else "resource"


def _child_type(block: ast.Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _template(block: ast.Block) -> ast.Block:
    """A written nested block, or the content of a ``dynamic`` one, at the dynamic's line."""
    if block.type != "dynamic":
        return block
    content = block.blocks_of("content")
    inner = content[0] if content else ast.Block("content", ())
    type_ = block.labels[0] if block.labels else block.type
    return ast.Block(type_, (), inner.attributes, inner.blocks, block.line, block.end_line)


def _local_dir(directory: str, call: ast.Block) -> str | None:
    attr = call.attributes.get("source")
    if attr is None or not isinstance(attr.expr, ast.Literal):
        return None
    source = attr.expr.value
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    target = posixpath.normpath(posixpath.join(directory, source))
    if target.startswith("..") or posixpath.isabs(target):
        return None
    return "" if target == "." else target


class PlanArgumentError(ValueError):
    """A ``--plan`` argument that names no readable file (a usage error, not bad input)."""


def load_plans(arguments: Sequence[str], root: Path) -> tuple[list[PlanInput], list[Diagnostic]]:
    """``--plan [ENV=]FILE`` arguments → loaded plans; a malformed plan is a diagnostic
    naming the file (and line), the other plans and files are still analysed."""
    inputs: list[PlanInput] = []
    diagnostics: list[Diagnostic] = []
    for argument in arguments:
        env, name = split_plan_argument(argument)
        file = Path(name)
        if not file.is_file():
            raise PlanArgumentError(f"--plan {argument}: {name} is not a file")
        try:
            relative: str | None = file.resolve().relative_to(root).as_posix()
        except ValueError:
            relative = None
        shown = relative or name
        try:
            plan = read_plan(file, shown)
        except PlanError as exc:
            diagnostics.append(plan_diagnostic(shown, exc))
            continue
        directory = posixpath.dirname(relative) if relative is not None else None
        inputs.append(PlanInput(plan, env, directory))
    return inputs, diagnostics


_ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def split_plan_argument(argument: str) -> tuple[str | None, str]:
    """``prod=plans/prod.json`` → ("prod", "plans/prod.json"); a bare file → (None, file)."""
    env, sep, name = argument.partition("=")
    if sep and _ENV_NAME.match(env) and name and not Path(argument).is_file():
        return env, name
    return None, argument
