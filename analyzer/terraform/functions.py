"""Terraform's built-in functions that can be computed statically.

Each function receives already-evaluated arguments; any Unknown argument makes the
result Unknown (except where Terraform itself tolerates it, e.g. ``try``, which the
evaluator handles because it needs unevaluated arguments). A function not listed here
yields Unknown with its name, never a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import regex

from driftgate.analyzer.terraform.values import (
    EvalError,
    JsonDoc,
    TfSet,
    UnknownValue,
    Value,
    is_known,
    plain_value,
    to_json_text,
    to_str,
)

MAX_COLLECTION = 10_000
# No string a configuration means is this long; doubling templates reach it in a few
# steps (l1 = "${l0}${l0}", l2 = "${l1}${l1}", ...) and would exhaust memory.
MAX_STRING = 8 * 1024 * 1024
# Terraform's regular expressions are RE2 (linear time); Python's backtrack, so a
# hostile pattern could run for hours. Each match gets this long, then is Unknown.
REGEX_TIMEOUT = 0.25
_SLOW_PATTERNS: set[str] = set()


class FunctionError(Exception):
    """Bad arguments for a function: the result becomes Unknown with this reason."""


def _strs(args: list[Value]) -> list[str]:
    out = []
    for a in args:
        s = to_str(a)
        if not isinstance(s, str):
            raise FunctionError("argument is not a string")
        out.append(s)
    return out


def _list(value: Value) -> list[Value]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    raise FunctionError("argument is not a list")


def _format(args: list[Value]) -> Value:
    spec, *rest = args
    if not isinstance(spec, str):
        raise FunctionError("format spec is not a string")
    out: list[str] = []
    i = 0
    n = 0
    while i < len(spec):
        ch = spec[i]
        if ch == "%" and i + 1 < len(spec):
            verb = spec[i + 1]
            if verb == "%":
                out.append("%")
            else:
                if n >= len(rest):
                    raise FunctionError("too few arguments for format")
                arg = rest[n]
                n += 1
                if verb == "d":
                    out.append(str(int(arg)))
                elif verb in "sv":
                    out.append(_strs([arg])[0] if not isinstance(arg, list | dict) else "")
                    if isinstance(arg, list | dict):
                        out[-1] = json.dumps(plain_value(arg))
                elif verb == "q":
                    out.append(json.dumps(_strs([arg])[0]))
                else:
                    raise FunctionError(f"format verb %{verb} not supported")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _merge(args: list[Value]) -> Value:
    result: dict[str, Value] = {}
    for a in args:
        if a is None:
            continue
        if not isinstance(a, dict):
            raise FunctionError("merge of a non-map")
        result.update(a)
    return result


def _lookup(args: list[Value]) -> Value:
    mapping, key, *default = args
    if not isinstance(mapping, dict) or not isinstance(key, str):
        raise FunctionError("lookup needs a map and a string key")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"key {key!r} not in map")


def _flatten(value: Value) -> list[Value]:
    out: list[Value] = []
    for item in _list(value):
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _distinct(value: Value) -> list[Value]:
    out: list[Value] = []
    for item in _list(value):
        if item not in out:
            out.append(item)
    return out


def _range(args: list[Value]) -> list[Value]:
    ints = [int(a) for a in args]
    result = range(*ints)
    if len(result) > MAX_COLLECTION:
        raise FunctionError(f"range of {len(result)} elements is over the limit")
    return list(result)


def _jsondecode(args: list[Value]) -> Value:
    (text,) = args
    if isinstance(text, JsonDoc):
        return text.value
    if not isinstance(text, str):
        raise FunctionError("jsondecode of a non-string")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FunctionError(f"invalid JSON: {exc}") from None


def _toset(value: Value) -> TfSet:
    """Terraform orders a set of strings lexically; other elements keep their order."""
    items = _distinct(value)
    if all(isinstance(v, str) for v in items):
        items.sort()
    return TfSet(items)


_GO_GROUP = re.compile(r"\$\{?(\d+)\}?")


def _replace(text: str, search: str, replacement: str) -> str:
    """``replace``: a search string wrapped in slashes is a regular expression."""
    if len(search) >= 2 and search.startswith("/") and search.endswith("/"):
        if search in _SLOW_PATTERNS:
            raise FunctionError("regular expression too slow (backtracking); not evaluated")
        try:
            pattern = regex.compile(search[1:-1])
            template = _GO_GROUP.sub(r"\\\1", replacement.replace("\\", "\\\\"))
            matches = sum(1 for _ in pattern.finditer(text, timeout=REGEX_TIMEOUT))
            # Each group reference adds at most the matched text, once over all matches.
            references = len(_GO_GROUP.findall(replacement))
            _bound(len(text) * (1 + references) + matches * len(replacement))
            result: str = pattern.sub(template, text, timeout=REGEX_TIMEOUT)
        except regex.error as exc:
            raise FunctionError(f"invalid regular expression: {exc}") from None
        except TimeoutError:
            _SLOW_PATTERNS.add(search)
            raise FunctionError(
                "regular expression too slow (backtracking); not evaluated"
            ) from None
        return result
    if search:
        _bound(len(text) + text.count(search) * len(replacement))
    return text.replace(search, replacement)


def _bound(size: int) -> None:
    """Refuse a string result over MAX_STRING before building it."""
    if size > MAX_STRING:
        raise FunctionError("result longer than the 8 MiB string limit")


def _join(args: list[Value]) -> str:
    separator, items = _strs(args[:1])[0], _strs(_list(args[1]))
    _bound(sum(map(len, items)) + len(separator) * len(items))
    return separator.join(items)


def _element(args: list[Value]) -> Value:
    items, index = args
    items = _list(items)
    if not items:
        raise FunctionError("element of an empty list")
    return items[int(index) % len(items)]


def _zipmap(args: list[Value]) -> Value:
    keys, values = args
    return dict(zip(_strs(_list(keys)), _list(values), strict=False))


def _substr(args: list[Value]) -> Value:
    text, offset, length = _strs(args[:1])[0], int(args[1]), int(args[2])
    end = None if length < 0 else offset + length
    return text[offset:end]


def _formatlist(args: list[Value]) -> Value:
    spec, *rest = args
    lengths = {len(a) for a in rest if isinstance(a, list)}
    if len(lengths) > 1:
        raise FunctionError("formatlist lists of different lengths")
    count = lengths.pop() if lengths else 1
    return [
        _format([spec, *[a[i] if isinstance(a, list) else a for a in rest]]) for i in range(count)
    ]


def _one(value: Value) -> Value:
    items = _list(value)
    if len(items) > 1:
        raise FunctionError("one() of several elements")
    return items[0] if items else None


FUNCTIONS: dict[str, Callable[[list[Value]], Value]] = {
    "jsonencode": lambda a: JsonDoc(a[0]),
    "jsondecode": _jsondecode,
    "format": _format,
    "formatlist": _formatlist,
    "join": _join,
    "concat": lambda a: [x for lst in a for x in _list(lst)],
    "merge": _merge,
    "lookup": _lookup,
    "coalesce": lambda a: next(x for x in a if x not in (None, "")),
    "coalescelist": lambda a: next(x for x in a if isinstance(x, list) and x),
    "tostring": lambda a: _strs(a)[0] if a[0] is not None else None,
    "tonumber": lambda a: float(a[0]) if "." in str(a[0]) else int(a[0]),
    "tobool": lambda a: a[0] if isinstance(a[0], bool) else a[0] == "true",
    "tolist": lambda a: _list(a[0]),
    "toset": lambda a: _toset(a[0]),
    "tomap": lambda a: dict(a[0]),
    "list": lambda a: list(a),
    "map": lambda a: dict(zip(_strs(a[0::2]), a[1::2], strict=False)),
    "length": lambda a: len(a[0]),
    "upper": lambda a: _strs(a)[0].upper(),
    "lower": lambda a: _strs(a)[0].lower(),
    "title": lambda a: _strs(a)[0].title(),
    "trimspace": lambda a: _strs(a)[0].strip(),
    "trimprefix": lambda a: _strs(a)[0].removeprefix(_strs(a)[1]),
    "trimsuffix": lambda a: _strs(a)[0].removesuffix(_strs(a)[1]),
    "replace": lambda a: _replace(*_strs(a)),
    "split": lambda a: _strs(a)[1].split(_strs(a)[0]),
    "substr": _substr,
    "startswith": lambda a: _strs(a)[0].startswith(_strs(a)[1]),
    "endswith": lambda a: _strs(a)[0].endswith(_strs(a)[1]),
    "element": _element,
    "flatten": lambda a: _flatten(a[0]),
    "distinct": lambda a: _distinct(a[0]),
    "compact": lambda a: [x for x in _list(a[0]) if x not in (None, "")],
    "keys": lambda a: sorted(a[0]) if isinstance(a[0], dict) else _list(a[0]),
    "values": lambda a: [a[0][k] for k in sorted(a[0])],
    "contains": lambda a: a[1] in _list(a[0]),
    "sort": lambda a: sorted(_strs(_list(a[0]))),
    "reverse": lambda a: list(reversed(_list(a[0]))),
    "zipmap": _zipmap,
    "range": _range,
    "min": lambda a: min(a),
    "max": lambda a: max(a),
    "abs": lambda a: abs(a[0]),
    "one": lambda a: _one(a[0]),
    "setunion": lambda a: _toset([x for lst in a for x in _list(lst)]),
}


def _unknown_in_lists(value: Value) -> bool:
    if isinstance(value, UnknownValue):
        return True
    if isinstance(value, list):
        return any(_unknown_in_lists(v) for v in value)
    return False


_SHAPE_ONLY = frozenset(
    {"length", "concat", "merge", "keys", "tolist", "lookup", "element", "coalescelist", "one"}
)


def call(name: str, args: list[Value]) -> Value:
    """Apply ``name`` to known arguments; unknown in, unknown out."""
    if name == "jsonencode":
        # Structure is kept even with unknown parts; see JsonDoc.
        return JsonDoc(args[0]) if len(args) == 1 else UnknownValue(name, "bad arguments")
    fn = FUNCTIONS.get(name)
    if fn is None:
        return UnknownValue(name + "(...)", f"function {name} is not evaluated statically")
    # These only look at the shape of their arguments: unknown elements stay unknown
    # in the result (length([x, unknown]) is 2).
    shallow = name in _SHAPE_ONLY and not any(isinstance(a, UnknownValue) for a in args)
    if name in ("flatten", "compact", "distinct", "toset"):
        # Known list structure is enough when no list element itself is unknown
        # (an unknown element could be a list to flatten, empty, or a duplicate).
        shallow = not any(_unknown_in_lists(a) for a in args)
    if not shallow and not all(is_known(a) for a in args):
        return UnknownValue(name + "(...)", "unknown argument")
    try:
        result = fn([plain_value(a) if not isinstance(a, JsonDoc) else a for a in args])
    except (FunctionError, ValueError, TypeError, KeyError, IndexError, StopIteration) as exc:
        return EvalError(name + "(...)", str(exc) or type(exc).__name__)
    if isinstance(result, list | dict) and len(result) > MAX_COLLECTION:
        return UnknownValue(name + "(...)", "collection over the size limit")
    if isinstance(result, str) and len(result) > MAX_STRING:
        return UnknownValue(name + "(...)", "result longer than the 8 MiB string limit")
    return result


def encode_if_known(value: Value) -> Value:
    """``jsonencode`` results as text when fully known (for string contexts)."""
    if isinstance(value, JsonDoc):
        return to_json_text(value)
    return value
