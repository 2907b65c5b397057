"""YAML files → documents whose mappings know their lines.

The documents are built from the parser's event stream, not with PyYAML's composer or
constructor: the C composer recurses on the C stack (a deeply nested file crashes the
interpreter) and the constructor expands aliases without bound (billion laughs).
Here nesting depth and alias expansion are bounded, every mapping becomes a
:class:`LineDict` carrying its first and last line, scalars are plain Python values,
and tags other than the YAML core ones are ignored (``!Ref x`` is the string ``x``).
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from typing import Any, Protocol

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from driftgate.analyzer.diagnostics import Diagnostic

MAX_DEPTH = 200
MAX_ALIAS_NODES = 10_000

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE = SafeConstructor()
_CORE = "tag:yaml.org,2002:"
_MERGE = _CORE + "merge"
_TYPED = frozenset(_CORE + name for name in ("null", "bool", "int", "float"))
# Plain scalars repeat (keys, kinds, images): their resolved values are memoised.
_PLAIN: dict[str, Any] = {}
_PLAIN_LIMIT = 4096
_SKIPPED_KIND = "CustomResourceDefinition"
HELM_MESSAGE = "Helm template not rendered; skipped"
# Placeholders of other template languages: format strings, shell and Terraform.
_PLACEHOLDER = re.compile(r"\$\{[^}\n]{1,200}\}|%\{[^}\n]{1,200}\}|\{[A-Za-z_][\w.-]{0,100}\}")
_HELM_LINE = re.compile(r"^[ \t]*(?:\{\{.*?\}\}[ \t]*)+$", re.MULTILINE)
_HELM_ACTION = re.compile(r"\{\{.*?\}\}")


class _Mark(Protocol):
    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


class _EventSource(Protocol):
    """What is used of a PyYAML loader (C or pure Python): its parser and resolver."""

    def get_event(self) -> Event | None: ...

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str: ...

    def dispose(self) -> None: ...


class LineDict(dict[Any, Any]):
    """A YAML mapping with its first and last line in the file (1-based).

    ``key_lines`` gives the line of each key, so a finding can point at the one line a
    change touched (``serviceAccountName: x``), not at the start of the object.
    """

    __slots__ = ("end_line", "key_lines", "line")

    def __init__(self, line: int = 1, end_line: int = 1) -> None:
        super().__init__()
        self.line = line
        self.end_line = end_line
        self.key_lines: dict[Any, int] = {}


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One non-empty document of a file; ``index`` counts every document from 0.

    ``line`` is where the document starts (its ``---`` when explicit) and ``end_line``
    its last line with content.
    """

    path: str
    index: int
    line: int
    end_line: int
    data: Any


class _DocumentError(Exception):
    def __init__(self, line: int, message: str, *, from_parser: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.from_parser = from_parser


class _Skip(Exception):
    """The document is a CustomResourceDefinition: its events were consumed."""


def load_yaml(path: str, data: bytes) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """Parse every document of ``data``; problems are diagnostics, never exceptions."""
    if _in_templates_dir(path) and b"{{" in data:
        return [], [_helm(path, 1)]
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        return [], [Diagnostic(path, line, f"not UTF-8 text (byte 0x{byte:02x})")]
    documents, error = _parse(path, text)
    if error is not None and error.from_parser and _dense_flow_line(text):
        # libyaml looks ahead up to a line (1024 characters) for a simple key and stops a
        # deep flow collection there with a limit of its own, before the builder has
        # seen 200 levels. The pure-Python parser has no such limit, so MAX_DEPTH decides
        # and the message is ours, whatever the C library's version does.
        documents, error = _parse(path, text, yaml.SafeLoader)
    if error is None:
        return documents, []
    if "{{" in text and (_helm_on_line(text, error.line) or _parses_without_helm(text)):
        return [], [_helm(path, text[: text.index("{{")].count("\n") + 1)]
    placeholder = _template_placeholder(text, error.line)
    if placeholder is not None:
        line, token = placeholder
        message = (
            f"a template, not a manifest: placeholders such as {token} make it invalid "
            "YAML; not read"
        )
        return [], [Diagnostic(path, line, message, level="warning")]
    return documents, [Diagnostic(path, error.line, error.message)]


def _parse(
    path: str, text: str, loader_type: type[yaml.SafeLoader] = _Loader
) -> tuple[list[YamlDocument], _DocumentError | None]:
    documents: list[YamlDocument] = []
    loader = None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # nothing built here has cycles; collecting during a load doubles its cost
    try:
        loader = _open(text, loader_type)
        index = 0
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                break
            if not isinstance(event, DocumentStartEvent):
                continue
            start = _line(event.start_mark)
            try:
                value, end = _Builder(loader).document()
            except _Skip:
                value = None
            if value is not None:
                documents.append(YamlDocument(path, index, start, max(start, end), value))
            index += 1
    except _DocumentError as exc:
        return documents, exc
    except yaml.YAMLError as exc:
        line = _error_line(exc, text)
        return documents, _DocumentError(line, _syntax_message(exc), from_parser=True)
    except Exception as exc:  # untrusted input: report, never crash the run
        return documents, _DocumentError(1, f"YAML could not be read: {exc!r}")
    finally:
        if gc_was_enabled:
            gc.enable()
        if loader is not None:
            loader.dispose()
    return documents, None


def _open(text: str, loader_type: type[yaml.SafeLoader]) -> _EventSource:
    return loader_type(text)


def _dense_flow_line(text: str) -> bool:
    """Whether one line opens more flow collections than MAX_DEPTH allows levels."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    return any(line.count("[") + line.count("{") > MAX_DEPTH for line in text.splitlines())


class _Frame:
    """A mapping or sequence under construction."""

    __slots__ = (
        "anchor",
        "end_line",
        "flow",
        "has_key",
        "height",
        "key",
        "key_line",
        "merges",
        "size",
    )

    def __init__(self, anchor: str | None, flow: bool, line: int) -> None:
        self.anchor = anchor
        self.flow = flow
        self.end_line = line
        self.size = 1
        self.height = 1
        self.has_key = False
        self.key: Any = None
        self.key_line = line
        self.merges: list[LineDict] = []


class _Builder:
    """Builds one document from the events between its start and its end."""

    def __init__(self, loader: _EventSource) -> None:
        self.loader = loader
        # anchor → (value, node count, nesting height)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.expanded = 0
        self.stack: list[tuple[_Frame, LineDict | list[Any]]] = []

    def document(self) -> tuple[Any, int]:
        result: Any = None
        end = 0
        while True:
            event = self.loader.get_event()
            if event is None or isinstance(event, DocumentEndEvent):
                return result, end
            built = self._event(event)
            if built is None:
                continue
            value, size, height, end = built
            if not self.stack:
                result = value
            else:
                self._add(value, size, height, end, event)

    def _event(self, event: Event) -> tuple[Any, int, int, int] | None:
        line = _line(event.start_mark)
        if isinstance(event, ScalarEvent):
            value = _scalar(self.loader, event)
            end = _end_line(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1, 0)
            return value, 1, 0, end
        if isinstance(event, AliasEvent):
            return self._alias(event, line)
        if isinstance(event, CollectionStartEvent):
            if self.stack and isinstance(self.stack[-1][1], dict) and not self.stack[-1][0].has_key:
                raise _DocumentError(line, "YAML error: a mapping key is not a scalar")
            if len(self.stack) >= MAX_DEPTH:
                raise _DocumentError(line, f"YAML nesting deeper than {MAX_DEPTH} levels")
            container: LineDict | list[Any]
            container = LineDict(line, line) if isinstance(event, MappingStartEvent) else []
            flow = bool(getattr(event, "flow_style", False))
            self.stack.append((_Frame(event.anchor, flow, line), container))
            return None
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            frame, container = self.stack.pop()
            end = max(frame.end_line, _end_line(event)) if frame.flow else frame.end_line
            if isinstance(container, LineDict):
                container.end_line = end
                for source in frame.merges:
                    for key, item in source.items():
                        container.setdefault(key, item)
            if frame.anchor:
                self.anchors[frame.anchor] = (container, frame.size, frame.height)
            return container, frame.size, frame.height, end
        return None

    def _alias(self, event: AliasEvent, line: int) -> tuple[Any, int, int, int]:
        name = event.anchor or ""
        if any(frame.anchor == name for frame, _ in self.stack):
            raise _DocumentError(line, f"YAML error: alias *{name} refers to itself")
        if name not in self.anchors:
            raise _DocumentError(line, f"YAML error: undefined alias *{name}")
        value, size, height = self.anchors[name]
        self.expanded += size
        if self.expanded > MAX_ALIAS_NODES:
            raise _DocumentError(
                line, f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes; refused"
            )
        if len(self.stack) + height > MAX_DEPTH:
            raise _DocumentError(line, f"YAML nesting deeper than {MAX_DEPTH} levels")
        return _copy(value), size, height, line

    def _add(self, value: Any, size: int, height: int, end: int, event: Event) -> None:
        frame, container = self.stack[-1]
        frame.size += size
        frame.height = max(frame.height, height + 1)
        frame.end_line = max(frame.end_line, end)
        if isinstance(container, list):
            container.append(value)
            return
        if not frame.has_key:
            if isinstance(event, ScalarEvent) and _is_merge(event):
                value = _MergeKey
            elif isinstance(value, (dict, list)):
                raise _DocumentError(end, "YAML error: a mapping key is not a scalar")
            frame.key, frame.has_key = value, True
            frame.key_line = _line(event.start_mark)
            return
        key, frame.key, frame.has_key = frame.key, None, False
        if key is _MergeKey:
            sources = value if isinstance(value, list) else [value]
            if not all(isinstance(source, LineDict) for source in sources):
                raise _DocumentError(end, "YAML error: << merges only mappings")
            frame.merges.extend(sources)
            return
        container[key] = value
        container.key_lines[key] = frame.key_line
        if key == "kind" and value == _SKIPPED_KIND and len(self.stack) == 1:
            self._skip_rest()

    def _skip_rest(self) -> None:
        depth = len(self.stack)
        while depth:
            event = self.loader.get_event()
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = _line(event.start_mark)
                    raise _DocumentError(line, f"YAML nesting deeper than {MAX_DEPTH} levels")
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
            elif event is None or isinstance(event, DocumentEndEvent):
                break
        while not isinstance(event, DocumentEndEvent) and event is not None:
            event = self.loader.get_event()
        raise _Skip


def _is_merge(event: ScalarEvent) -> bool:
    return event.value == "<<" and (
        event.tag == _MERGE or (event.tag is None and event.implicit[0])
    )


class _MergeKey:
    """Marks a ``<<`` key while its value is read."""


def _scalar(loader: _EventSource, event: ScalarEvent) -> Any:
    """Null, bool, int and float as Python values; everything else is its text."""
    value: str = event.value
    if event.tag is None or event.tag == "!":
        if not event.implicit[0]:
            return value  # quoted: a string
        cached = _PLAIN.get(value, _PLAIN)
        if cached is not _PLAIN:
            return cached
        result = _construct(loader.resolve(yaml.ScalarNode, value, event.implicit), value)
        if len(_PLAIN) >= _PLAIN_LIMIT:
            _PLAIN.clear()
        _PLAIN[value] = result
        return result
    return _construct(event.tag, value)


def _construct(tag: str, value: str) -> Any:
    if tag in _TYPED:
        try:
            return _SAFE.yaml_constructors[tag](_SAFE, yaml.ScalarNode(tag, value))
        except (ValueError, KeyError, yaml.YAMLError):
            return value
    return value


def _copy(value: Any) -> Any:
    """A copy of an anchored value, so that the result is a tree, never a graph."""
    if isinstance(value, LineDict):
        copy = LineDict(value.line, value.end_line)
        for key, item in value.items():
            copy[key] = _copy(item)
        copy.key_lines.update(value.key_lines)
        return copy
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _line(mark: _Mark | None) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def _end_line(event: Event) -> int:
    """The last line with content: a mark at column 0 belongs to the line before it."""
    start, end = event.start_mark, event.end_mark
    if end is None or start is None:
        return _line(start)
    if end.column == 0 and end.line > start.line:
        return int(end.line)
    return int(end.line) + 1


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return 1


def _syntax_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    return f"YAML syntax error: {problem}"


def _in_templates_dir(path: str) -> bool:
    return "templates" in path.split("/")[:-1]


def _helm(path: str, line: int) -> Diagnostic:
    return Diagnostic(path, line, HELM_MESSAGE, level="warning")


def _helm_on_line(text: str, line: int) -> bool:
    lines = text.splitlines()
    return 0 < line <= len(lines) and "{{" in lines[line - 1]


def _template_placeholder(text: str, error_line: int) -> tuple[int, str] | None:
    """The first placeholder (``{name}``, ``${name}``, ``%{ if }``) of a file that is a
    template rather than YAML: one on the line the parser stopped at, or placeholders
    without which the file parses. None when the file is simply broken."""
    found = _PLACEHOLDER.search(text)
    if found is None:
        return None
    lines = text.splitlines()
    on_line = 0 < error_line <= len(lines) and _PLACEHOLDER.search(lines[error_line - 1])
    if not on_line and _parse("", _PLACEHOLDER.sub("x", text))[1] is not None:
        return None
    first = on_line or found
    line = error_line if on_line else text.count("\n", 0, found.start()) + 1
    return line, first.group(0)


def _parses_without_helm(text: str) -> bool:
    """True when the text is valid YAML once its ``{{ }}`` actions are taken out."""
    text = _HELM_LINE.sub("", text)
    text = _HELM_ACTION.sub("x", text)
    return "{{" not in text and _parse("", text)[1] is None
