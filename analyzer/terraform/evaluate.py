"""Evaluation of HCL expressions within one module instance.

A :class:`ModuleScope` knows the module's variables (already resolved from the caller's
inputs, tfvars and defaults), its locals (evaluated lazily, with cycle detection), the
resources it declares, and the data sources it can read: those a provider room taught it
through :func:`register_rendered` and :func:`register_context_source`, so that this module
knows no provider.
"""

from __future__ import annotations

import dataclasses
import operator
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.functions import MAX_COLLECTION, MAX_STRING, call, encode_if_known
from driftgate.analyzer.terraform.values import (
    ContextValue,
    EvalError,
    JsonDoc,
    LocatedDict,
    PartialStr,
    ResourceRef,
    UnknownTemplate,
    UnknownValue,
    Value,
    is_known,
    plain_value,
    stamp_path,
    to_str,
)

MAX_DEPTH = 64
CYCLE = "local values refer to each other in a cycle"
NO_VALUE = "variable has no value"

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


_FILE_FUNCTIONS = frozenset({"file", "fileexists", "templatefile"})


def _rewrap(value: UnknownValue, text: str) -> UnknownValue:
    """The unknown shown as the expression that produced it, keeping what it means:
    an error stays an error (try() moves past it), a context value stays a placeholder."""
    kind = type(value) if isinstance(value, EvalError | ContextValue) else UnknownValue
    return kind(text, value.reason)


# What computes a data source's attributes from its block, in its module instance.
Renderer = Callable[[ast.Block, "Evaluator"], Value]
# Data sources that only tell where the configuration is applied, by type.
_CONTEXT_SOURCES: set[str] = set()
# Data sources whose attributes the configuration alone determines: type → (attributes,
# how to compute them).
_RENDERED: dict[str, dict[str, Renderer]] = {}
# Rendered data sources whose value does not depend on any instance existing (the
# partition): ``x[0]`` reads the same under ``count = 0``, as in a feature flag's
# documents evaluated as if it were on. A policy document is not one: its ``[*]`` under
# ``count = 0`` is genuinely empty.
_INSTANCE_FREE: set[str] = set()


def register_context_source(*data_types: str) -> None:
    """Data sources read as the account, partition or region: known at plan time."""
    _CONTEXT_SOURCES.update(data_types)


def register_rendered(
    data_type: str, attributes: Sequence[str], render: Renderer, *, instance_free: bool = False
) -> None:
    """A data source whose ``attributes`` ``render`` computes from its block.

    Its other attributes are references read at plan time: the block's arguments are
    what it is computed from, not what it exports. ``instance_free``: see
    :data:`_INSTANCE_FREE`.
    """
    _RENDERED.setdefault(data_type, {}).update(dict.fromkeys(attributes, render))
    if instance_free:
        _INSTANCE_FREE.add(data_type)


def _data_type(address: str) -> str | None:
    """``aws_partition`` of ``data.aws_partition.current``."""
    return address.split(".", 2)[1] if address.startswith("data.") else None


@dataclass(frozen=True, slots=True)
class _Key:
    """An index step (``x["k"]``, ``x[0]``), told apart from an attribute step (``x.k``)."""

    value: Value


@dataclass(frozen=True, slots=True)
class _Instance:
    """A reference to one instance of another resource or data block, read lazily."""

    address: str  # local address: aws_iam_role.this, data.aws_iam_policy_document.x
    key: str  # "", "[0]", '["k"]'
    block: ast.Block
    evaluator: Evaluator


# Marks an attribute being read, so that one that reads itself is unknown, not endless.
_RENDERING = UnknownValue("", "being read")


@dataclass(frozen=True, slots=True)
class _Uncounted(UnknownValue):
    """The instances of a data source whose count or for_each is unknown.

    Unknown as a whole, but one instance of a data source the configuration alone
    determines (a policy document, the partition) is the same whichever instances
    exist: ``data.aws_partition.current[0].partition`` is ``aws`` even when ``count``
    depends on an input driftgate cannot resolve.
    """

    address: str = ""
    block: ast.Block | None = None
    evaluator: Evaluator | None = None

    def instance(self, key: Value) -> Value:
        if self.block is None or self.evaluator is None:
            return self
        if isinstance(key, int) and not isinstance(key, bool):
            bindings: dict[str, Value] = {"count": {"index": key}}
            suffix = f"[{key}]"
        else:
            each = UnknownValue(f"{self.address}.each.value", "for_each unknown")
            bindings = {"each": {"key": key, "value": each}}
            suffix = f'["{key}"]'
        return _Instance(self.address, suffix, self.block, self.evaluator.with_bindings(**bindings))


class ModuleResolver(Protocol):
    """Gives the scope of a child module instance (memoised by its owner)."""

    def child(self, scope: ModuleScope, name: str, key: Value | None) -> ModuleScope | Value: ...


@dataclass(frozen=True, slots=True)
class Site:
    """Where something is written, for diagnostics about it."""

    path: str
    line: int


@dataclass
class ModuleScope:
    """What names mean inside one instance of a module."""

    module_dir: str
    variables: Mapping[str, Value]
    locals: Mapping[str, ast.Expr]
    # "type.name" → block, for resources and (with "data." prefix) data sources.
    resources: Mapping[str, ast.Block]
    root_dir: str = ""
    prefix: str = ""  # this module instance's address prefix: "module.a."
    outputs: Mapping[str, ast.Expr] = field(default_factory=dict)
    module_calls: Mapping[str, ast.Block] = field(default_factory=dict)
    resolver: ModuleResolver | None = None
    local_sites: Mapping[str, Site] = field(default_factory=dict)
    # (site, message) of problems met while evaluating: cycles, for diagnostics.
    problems: list[tuple[Site, str]] = field(default_factory=list)
    # (site, message) of variables used without a value.
    unresolved: list[tuple[Site, str]] = field(default_factory=list)
    # The locals of each cycle evaluation met (said in ``problems`` too).
    cycles: list[frozenset[str]] = field(default_factory=list)
    variable_sites: Mapping[str, Site] = field(default_factory=dict)
    # "type.name" (as in ``resources``) → the file the block is written in.
    resource_paths: Mapping[str, str] = field(default_factory=dict)
    # (address, instance key, attribute) → its value, once read (see Evaluator._attribute).
    attribute_values: dict[tuple[str, str, str], Value] = field(default_factory=dict)
    # The module directories on the call path to this instance (cycle detection).
    stack: tuple[str, ...] = ()
    root_label: str = ""
    # Reads a repo-relative file of the tree being analysed (never outside its root).
    read_file: Callable[[str], bytes | None] | None = None
    _local_values: dict[str, Value] = field(default_factory=dict)
    _evaluating: list[str] = field(default_factory=list)

    def local(self, name: str, evaluator: Evaluator) -> Value:
        if name in self._local_values:
            return self._local_values[name]
        expr = self.locals.get(name)
        if expr is None:
            return UnknownValue(f"local.{name}", "no such local value")
        if name in self._evaluating:
            names = [*self._evaluating, name][self._evaluating.index(name) :]
            self.cycles.append(frozenset(names))
            cycle = " → ".join(f"local.{n}" for n in names)
            site = self.local_sites.get(name, Site(self.module_dir, 1))
            self.problems.append((site, f"{CYCLE}: {cycle}"))
            return UnknownValue(f"local.{name}", "local value refers to itself (cycle)")
        self._evaluating.append(name)
        try:
            value = evaluator.eval(expr)
        finally:
            self._evaluating.pop()
        if name in self.local_sites:
            stamp_path(value, self.local_sites[name].path)
        self._local_values[name] = value
        return value


class Evaluator:
    """Evaluates expressions in a module scope, with optional extra bindings.

    Bindings are ``each``, ``count`` and for-expression variables.
    """

    def __init__(self, scope: ModuleScope, bindings: Mapping[str, Value] | None = None):
        self.scope = scope
        self.bindings: dict[str, Value] = dict(bindings or {})
        self._depth = 0
        self._trying = 0

    def with_bindings(self, **bindings: Value) -> Evaluator:
        return Evaluator(self.scope, {**self.bindings, **bindings})

    def eval(self, expr: ast.Expr) -> Value:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                return UnknownValue(expr.text, "expression nested too deeply")
            return self._eval(expr)
        except RecursionError:
            return UnknownValue(expr.text, "expression nested too deeply")
        finally:
            self._depth -= 1

    def eval_str(self, expr: ast.Expr) -> str | UnknownValue:
        value = self.eval(expr)
        result = to_str(value)
        if isinstance(result, UnknownValue) and not isinstance(value, UnknownValue):
            return UnknownValue(expr.text, result.reason)
        if isinstance(result, UnknownValue) and not isinstance(result, ResourceRef):
            return UnknownValue(expr.text, result.reason)
        return result

    # ---- dispatch -----------------------------------------------------------------

    def _eval(self, expr: ast.Expr) -> Value:
        # One dict lookup by the node's exact type: a chain of isinstance tests was a
        # tenth of a model's build (every attribute read goes through here).
        kind = type(expr)
        if kind is ast.Literal:
            return expr.value  # type: ignore[attr-defined]
        handler = _HANDLERS.get(kind)
        if handler is None:
            return UnknownValue(expr.text, "unsupported expression")
        return handler(self, expr)

    def _tuple(self, expr: ast.TupleExpr) -> Value:
        return [self.eval(item) for item in expr.items]

    def _conditional(self, expr: ast.Conditional) -> Value:
        cond = self.eval(expr.cond)
        if isinstance(cond, bool):
            return self.eval(expr.true if cond else expr.false)
        return UnknownValue(expr.text, "condition cannot be decided statically")

    def _unary(self, expr: ast.UnaryOp) -> Value:
        value = self.eval(expr.operand)
        if expr.op == "!" and isinstance(value, bool):
            return not value
        if expr.op == "-" and isinstance(value, int | float) and not isinstance(value, bool):
            return -value
        return UnknownValue(expr.text, "operand unknown")

    def _unparsed(self, expr: ast.Unparsed) -> Value:
        return UnknownValue(expr.text, expr.reason)

    def _template(self, expr: ast.Template) -> Value:
        out: list[str] = []
        partial = False
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = to_str(encode_if_known(self.eval(part)))
            if isinstance(value, ContextValue):
                out.append("${" + part.text + "}")
                partial = True
                continue
            if isinstance(value, UnknownValue):
                # The whole string is unknown, shown as written (quotes dropped).
                return UnknownTemplate(expr.text.strip('"'), value.reason)
            partial = partial or isinstance(value, PartialStr)
            out.append(value)
        if sum(map(len, out)) > MAX_STRING:
            return UnknownValue(expr.text, "string longer than the 8 MiB limit")
        text = "".join(out)
        return PartialStr(text) if partial else text

    def _object(self, expr: ast.ObjectExpr) -> Value:
        result = LocatedDict()
        result.line = expr.line
        result.end_line = expr.end_line
        for key_expr, value_expr in expr.items:
            key = self.eval_str(key_expr)
            if isinstance(key, UnknownValue):
                return UnknownValue(expr.text, f"object key {key_expr.text} unknown")
            result[key] = self.eval(value_expr)
        return result

    def _call(self, expr: ast.Call) -> Value:
        if expr.name in _FILE_FUNCTIONS:
            return self._file_call(expr)
        if expr.name in ("try", "can"):
            # An argument Terraform would reject moves on to the next; a genuinely unknown
            # one makes the result unknown (it may or may not fail at apply time).
            self._trying += 1
            try:
                for arg in expr.args:
                    value = self.eval(arg)
                    if isinstance(value, EvalError):
                        continue
                    if isinstance(value, ResourceRef) and expr.name == "try":
                        # An attribute of a declared instance, read at apply: it will not
                        # fail, and it still names the resource (``try(x.this[0].name,
                        # null)`` is a module's usual output of a role it may create).
                        return value
                    if isinstance(value, UnknownValue):
                        kind = ContextValue if isinstance(value, ContextValue) else UnknownValue
                        return kind(expr.text, value.reason)
                    return True if expr.name == "can" else value
            finally:
                self._trying -= 1
            if expr.name == "can":
                return False
            return EvalError(expr.text, "no argument of try() could be evaluated")
        args = [self.eval(a) for a in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if not isinstance(last, list):
                return UnknownValue(expr.text, "expanded argument is not a list")
            args.extend(last)
        result = call(expr.name, args)
        if isinstance(result, UnknownValue):
            return _rewrap(result, expr.text)
        return result

    def _file_call(self, expr: ast.Call) -> Value:
        """``file``, ``fileexists`` and ``templatefile`` over files of the tree itself."""
        args = [self.eval(a) for a in expr.args]
        if not args or not isinstance(args[0], str) or self.scope.read_file is None:
            return UnknownValue(expr.text, "file path unknown")
        # Relative paths are relative to the root module's directory, as in Terraform.
        data = self.scope.read_file(posixpath.join(self.scope.root_dir, args[0]))
        if expr.name == "fileexists":
            return data is not None
        if data is None:
            return UnknownValue(expr.text, f"{args[0]} is not a file inside the repository")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return UnknownValue(expr.text, f"{args[0]} is not UTF-8 text")
        if expr.name == "file":
            return text
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            return UnknownValue(expr.text, "templatefile variables unknown")
        from driftgate.analyzer.parse.hcl import parse_template

        # A template sees only the variables passed to it (Terraform semantics).
        inner = Evaluator(ModuleScope(self.scope.module_dir, {}, {}, {}), variables)
        inner._depth = self._depth
        value = inner.eval(parse_template(text))
        if isinstance(value, UnknownValue):
            return UnknownValue(expr.text, value.reason or "template has unknown parts")
        return value

    def _binary(self, expr: ast.BinaryOp) -> Value:
        left = self.eval(expr.left)
        if expr.op in ("&&", "||") and isinstance(left, bool):
            if (expr.op == "&&" and not left) or (expr.op == "||" and left):
                return left
            right = self.eval(expr.right)
            return right if isinstance(right, bool) else UnknownValue(expr.text, "unknown")
        right = self.eval(expr.right)
        if not (is_known(left) and is_known(right)):
            return UnknownValue(expr.text, "operand unknown")
        fn = _COMPARE.get(expr.op)
        if fn is None:
            return UnknownValue(expr.text, f"operator {expr.op}")
        try:
            return fn(plain_value(left), plain_value(right))
        except (TypeError, ZeroDivisionError):
            return UnknownValue(expr.text, f"cannot apply {expr.op}")

    def _for(self, expr: ast.ForExpr) -> Value:
        if isinstance(expr.collection, ast.Variable | ast.GetAttr | ast.Index):
            # Unsettled, so that `r.name` reads each resource's own attribute.
            collection = self._traversal(expr.collection, settle=False)
        else:
            collection = self.eval(expr.collection)
        if isinstance(collection, dict):
            pairs: list[tuple[Value, Value]] = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            return UnknownValue(expr.text, "for expression over an unknown collection")
        if len(pairs) > MAX_COLLECTION:
            return UnknownValue(expr.text, "for expression over a collection too large")
        items: list[Value] = []
        mapping: dict[str, Value] = {}
        for key, value in pairs:
            names = {expr.value_var: value}
            if expr.key_var:
                names[expr.key_var] = key
            inner = self.with_bindings(**names)
            if expr.cond is not None:
                keep = inner.eval(expr.cond)
                if not isinstance(keep, bool):
                    return UnknownValue(expr.text, "for condition unknown")
                if not keep:
                    continue
            if expr.key is None:
                items.append(self._settle(inner.eval(expr.value)))
                continue
            k = inner.eval_str(expr.key)
            if isinstance(k, UnknownValue):
                return UnknownValue(expr.text, "for key unknown")
            v = inner.eval(expr.value)
            if expr.grouping:
                mapping.setdefault(k, []).append(v)
            else:
                mapping[k] = v
        return items if expr.key is None else mapping

    def _splat(self, expr: ast.Splat, more: Sequence[Any] = ()) -> Value:
        """``x[*].a`` applies ``.a`` (and the steps after the splat) to every element."""
        if isinstance(expr.obj, ast.Variable | ast.GetAttr | ast.Index):
            base = self._traversal(expr.obj, settle=False)
        else:
            base = self.eval(expr.obj)
        if base is None:
            return []
        if isinstance(base, UnknownValue):
            return UnknownValue(expr.text, "splat over an unknown value")
        items = list(base.values()) if isinstance(base, dict) else base
        items = items if isinstance(items, list) else [items]
        steps = [a if isinstance(a, str) else _Key(self.eval(a)) for a in expr.attrs]
        out = []
        for item in items:
            value = item
            for step in [*steps, *more]:
                value = self._step(value, step)
            out.append(self._settle(value))
        return out

    # ---- references ---------------------------------------------------------------

    def _traversal(self, expr: ast.Expr, settle: bool = True) -> Value:
        steps: list[str | Value] = []
        node = expr
        while isinstance(node, ast.GetAttr | ast.Index):
            if isinstance(node, ast.GetAttr):
                steps.append(node.name)
            else:
                steps.append(_Key(self.eval(node.key)))
            node = node.obj
        steps.reverse()
        if isinstance(node, ast.Splat):
            # Attribute steps after a splat apply to each element (`x[*].a.b`).
            attrs = [s for s in steps if isinstance(s, str)]
            if len(attrs) == len(steps):
                return self._splat(node, attrs)
        if not isinstance(node, ast.Variable):
            value = self.eval(node)
        else:
            value, steps = self._root(node.name, steps, expr.text)
        for number, step in enumerate(steps, start=1):
            value = self._step(value, step)
            if isinstance(value, ResourceRef):
                # What is read from it (``outputs.role_arn``) stays part of the reference.
                if number < len(steps):
                    value = dataclasses.replace(value, expression=expr.text)
                return value
            if isinstance(value, UnknownValue):
                return _rewrap(value, expr.text)
        return self._settle(value) if settle else value

    def _settle(self, value: Value) -> Value:
        """A whole resource used as a value (``aws_iam_role.this``) is a reference to it."""
        if isinstance(value, _Instance):
            address = value.address + value.key
            return ResourceRef(address, "a resource object", address, "", self.scope.prefix)
        if isinstance(value, list) and value and isinstance(value[0], _Instance):
            return [self._settle(v) for v in value]
        if isinstance(value, dict) and value and isinstance(next(iter(value.values())), _Instance):
            return {k: self._settle(v) for k, v in value.items()}
        return value

    def _root(self, name: str, steps: list[str | Value], text: str) -> tuple[Value, list[Any]]:
        """The value a reference's first name(s) denote, and the steps left to apply."""
        if name in self.bindings:
            return self.bindings[name], steps
        first = steps[0] if steps and isinstance(steps[0], str) else None
        if name == "var" and first is not None:
            if first not in self.scope.variables:
                return UnknownValue(f"var.{first}", "no such variable"), []
            value = self.scope.variables[first]
            if isinstance(value, UnknownValue) and value.reason == NO_VALUE:
                site = self.scope.variable_sites.get(first, Site(self.scope.module_dir, 1))
                problem = (
                    site,
                    f"var.{first} has no value (no default, not set by tfvars "
                    "or the caller): what uses it is unknown",
                )
                if problem not in self.scope.unresolved:
                    self.scope.unresolved.append(problem)
            return value, steps[1:]
        if name == "local" and first is not None:
            return self.scope.local(first, self), steps[1:]
        if name == "path" and first in ("module", "root", "cwd"):
            # As Terraform has them: relative to the root module's directory.
            if first != "module":
                return ".", []
            module = posixpath.relpath(self.scope.module_dir or ".", self.scope.root_dir or ".")
            return module, []
        if name == "terraform":
            return UnknownValue(text, "terraform.workspace is chosen at run time"), []
        if name == "module" and first is not None:
            return self._module_output(first, steps[1:], text)
        if name == "data" and len(steps) >= 2:
            return self._data(str(steps[0]), str(steps[1]), steps[2:], text)
        if first is not None and f"{name}.{first}" in self.scope.resources:
            return self._resource_attr(f"{name}.{first}", steps[1:], text)
        return UnknownValue(text, f"unknown reference {name}"), []

    def _module_output(self, name: str, steps: list[Any], text: str) -> tuple[Value, list[Any]]:
        """``module.NAME[KEY].OUTPUT``: the output evaluated in the child's own scope."""
        call = self.scope.module_calls.get(name)
        if call is None or self.scope.resolver is None:
            return UnknownValue(text, f"no module call {name} here"), []
        key: Value | None = None
        if steps and isinstance(steps[0], _Key):
            key, steps = steps[0].value, steps[1:]
        elif "count" in call.attributes or "for_each" in call.attributes:
            return UnknownValue(text, f"module {name} has several instances"), []
        child = self.scope.resolver.child(self.scope, name, key)
        if not isinstance(child, ModuleScope):
            reason = child.reason if isinstance(child, UnknownValue) else "module unknown"
            return UnknownValue(text, reason), []
        if not steps or not isinstance(steps[0], str):
            return UnknownValue(text, "a whole module object"), []
        output = child.outputs.get(steps[0])
        if output is None:
            return UnknownValue(text, f"module {name} has no output {steps[0]}"), []
        inner = Evaluator(child)
        inner._depth = self._depth
        return inner.eval(output), steps[1:]

    def _instances(self, address: str, block: ast.Block) -> Value:
        """Every instance of another block: one, a list (count) or a map (for_each).

        Another block's attributes are evaluated without our each/count bindings, with
        its own for each instance.
        """
        inner = Evaluator(self.scope)
        inner._depth = self._depth
        if "count" in block.attributes:
            count = inner.eval(block.attributes["count"].expr)
            if not isinstance(count, int) or isinstance(count, bool):
                return self._uncounted(address, block, inner, "count unknown")
            if count == 0 and _data_type(address) in _INSTANCE_FREE | _CONTEXT_SOURCES:
                return _Uncounted(f"{address}[*]", "count is 0", address, block, inner)
            return [
                _Instance(address, f"[{i}]", block, inner.with_bindings(count={"index": i}))
                for i in range(min(count, MAX_COLLECTION))
            ]
        if "for_each" in block.attributes:
            collection = inner.eval(block.attributes["for_each"].expr)
            if isinstance(collection, list) and all(isinstance(v, str) for v in collection):
                collection = {v: v for v in collection}
            if not isinstance(collection, dict):
                return self._uncounted(address, block, inner, "for_each unknown")
            return {
                k: _Instance(
                    address, f'["{k}"]', block, inner.with_bindings(each={"key": k, "value": v})
                )
                for k, v in list(collection.items())[:MAX_COLLECTION]
            }
        return _Instance(address, "", block, inner)

    @staticmethod
    def _uncounted(address: str, block: ast.Block, inner: Evaluator, reason: str) -> Value:
        data_type = _data_type(address)
        if data_type in _RENDERED or data_type in _CONTEXT_SOURCES:
            return _Uncounted(f"{address}[*]", reason, address, block, inner)
        return UnknownValue(f"{address}[*]", reason)

    def _resource_attr(self, address: str, steps: list[Any], text: str) -> tuple[Value, list[Any]]:
        return self._instances(address, self.scope.resources[address]), steps

    def _data(self, type_: str, name: str, steps: list[Any], text: str) -> tuple[Value, list[Any]]:
        address = f"data.{type_}.{name}"
        block = self.scope.resources.get(address)
        if block is None:
            return UnknownValue(text, "data source not declared in this module"), []
        return self._instances(address, block), steps

    def _attribute(self, instance: _Instance, attribute: str) -> Value:
        """An attribute of another resource: its configured value when known, else a ref."""
        block = instance.block
        data_type = _data_type(instance.address)
        text = f"{instance.address}{instance.key}.{attribute}"
        if data_type in _CONTEXT_SOURCES:
            return ContextValue(text, "account, partition or region: known at plan time")
        # Read once per module instance: documents built from documents (and from
        # themselves) would otherwise be rendered once per path that reaches them.
        memo = self.scope.attribute_values
        key = (instance.address, instance.key, attribute)
        if key in memo:
            found = memo[key]
            return UnknownValue(text, "refers to itself") if found is _RENDERING else found
        memo[key] = _RENDERING
        try:
            value = self._configured(instance, attribute, data_type)
        finally:
            del memo[key]
        if value is None:
            reason = "read at plan time" if block.type == "data" else "computed by the provider"
            value = ResourceRef(
                text, reason, instance.address + instance.key, attribute, self.scope.prefix
            )
        memo[key] = value
        return value

    def rendered(self, address: str, key: str, attribute: str) -> Value | None:
        """What reading ``address`` (local) ``key``'s ``attribute`` from elsewhere in
        this module gave, when something read it (None otherwise)."""
        found = self.scope.attribute_values.get((address, key, attribute))
        return None if found is None or found is _RENDERING else found

    def _configured(self, instance: _Instance, attribute: str, data_type: str | None) -> Value:
        """The attribute as the configuration determines it; None when it does not."""
        block = instance.block
        path = self.scope.resource_paths.get(instance.address, "")
        if data_type in _RENDERED:
            render = _RENDERED[data_type].get(attribute)
            if render is not None:
                return stamp_path(render(block, instance.evaluator), path)
        elif attribute in block.attributes:
            value = instance.evaluator.eval(block.attributes[attribute].expr)
            # null means "computed" (a name from name_prefix): keep the reference.
            if value is not None and not isinstance(value, UnknownValue):
                return stamp_path(value, path)
        return None

    def _step(self, value: Value, step: Value) -> Value:
        indexed = isinstance(step, _Key)
        if isinstance(step, _Key):
            step = step.value
        if isinstance(value, _Uncounted) and indexed:
            return value.instance(step)
        if isinstance(value, UnknownValue):
            return value
        if isinstance(value, _Instance):
            if indexed:
                return EvalError(str(step), "this resource has no count or for_each")
            return self._attribute(value, str(step))
        if isinstance(value, JsonDoc):
            value = value.value
        if isinstance(value, dict):
            key = to_str(step)
            if isinstance(key, str) and key in value:
                return value[key]
            if not indexed and not self._trying:
                # An optional object attribute left out is null (`optional(list(string))`);
                # without the type constraint, that is the likelier reading - except
                # inside try(), where the author expects the attribute may be missing.
                return None
            return EvalError(str(step), "no such key")
        if (
            isinstance(value, list)
            and isinstance(step, int)
            and not isinstance(step, bool)
            and -len(value) <= step < len(value)
        ):
            return value[step]
        if isinstance(value, list) and isinstance(step, str) and step.isdigit():
            return self._step(value, int(step))
        return EvalError(str(step), "cannot index this value")


_HANDLERS: dict[type[ast.Expr], Callable[[Evaluator, Any], Value]] = {
    ast.Template: Evaluator._template,
    ast.Variable: Evaluator._traversal,
    ast.GetAttr: Evaluator._traversal,
    ast.Index: Evaluator._traversal,
    ast.TupleExpr: Evaluator._tuple,
    ast.ObjectExpr: Evaluator._object,
    ast.Call: Evaluator._call,
    ast.Conditional: Evaluator._conditional,
    ast.BinaryOp: Evaluator._binary,
    ast.UnaryOp: Evaluator._unary,
    ast.ForExpr: Evaluator._for,
    ast.Splat: Evaluator._splat,
    ast.Unparsed: Evaluator._unparsed,
}
