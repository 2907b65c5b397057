"""One tree → its identity-binding model: read, parse, evaluate, extract, link."""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from driftgate.analyzer import forked
from driftgate.analyzer.cache import DiskCache
from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Model, derived
from driftgate.analyzer.model_cache import ModelCache, Record, RecordingTree
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
from driftgate.analyzer.sources.base import SourceFile, Tree

if TYPE_CHECKING:
    # Plans are rare; their reader (and the evaluator) load only when one is given.
    from driftgate.analyzer.terraform.plan import PlanInput, Side

# Every inline directive (driftgate:ignore[...], driftgate.io/ignore) holds this.
_DIRECTIVE_MARK = b"driftgate"

__all__ = [
    "MAX_FILE_SIZE",
    "BaseStart",
    "BuiltModel",
    "Listed",
    "ParseCache",
    "ParseResult",
    "build_model",
    "build_pair",
    "list_tree",
    "model_key",
    "start_base",
]

# Above this many files to parse, a process pool pays for its start-up and for pickling
# every result across: with tree-sitter, 5,000 files parse in 1.0 s in one process and
# took 2.1 s with two workers (2-core machine). Only a far larger tree gains.
PARALLEL_THRESHOLD = 10_000
_BATCH = 32
# From this many files on, where a child may be forked (it starts with the interpreter
# and the imports this process paid for), half of them are parsed there: on two cores
# 5,000 files took 0.35 s instead of 0.56 s, sending the child's results back included.
FORK_SPLIT_MIN = 400


@dataclass
class ParseCache:
    """Parse results by content key, so base and head parse an unchanged file once.

    With ``disk``, results are also read from and written to the on-disk cache. A file
    over ``max_file_size`` bytes is never read: its result is the too-large diagnostic,
    kept in memory only, so a later run with a higher limit parses it.
    """

    entries: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    # Files whose bytes do not name driftgate, so hold no inline directive: the engine
    # need not read them again for suppressions (5,000 reads were 0.5 s of a warm run).
    silent: set[tuple[str, str]] = field(default_factory=set)
    disk: DiskCache | None = None
    max_file_size: int = MAX_FILE_SIZE
    parallel_threshold: int = PARALLEL_THRESHOLD
    workers: int = field(default_factory=lambda: min(os.cpu_count() or 1, 4))
    # Which front end reads HCL (``--hcl-parser``): tree-sitter, or python-hcl2 throughout.
    hcl_parser: str = DEFAULT_PARSER
    # Parsed here and kept, but left to another process to store (see record).
    _unstored: dict[tuple[str, str], None] = field(default_factory=dict, repr=False)

    def parse(self, source: SourceFile) -> ParseResult:
        return self.parse_all([source])[0]

    def parse_all(self, sources: list[SourceFile]) -> list[ParseResult]:
        """Each source's parse result, in order; misses in parallel when there are many."""
        missing, items = self.unparsed(sources)
        if items:
            # Results arrive batch by batch; each is stored while the workers go on.
            self.record(missing, self._run(items))
        return [self.entries[(s.key, s.path)] for s in sources]

    def unparsed(
        self, sources: list[SourceFile]
    ) -> tuple[list[SourceFile], list[tuple[str, bytes]]]:
        """The sources neither known here nor stored, with (path, bytes) of each to parse:
        what :meth:`record` then takes the results of, in the same order."""
        missing: dict[tuple[str, str], SourceFile] = {}
        for source in sources:
            key = (source.key, source.path)
            if key in self.entries or key in missing:
                continue
            size = source.known_size()
            skipped = size is not None and too_large(source.path, size, self.max_file_size)
            if skipped:
                self.entries[key] = (None, [skipped])
                continue
            missing[key] = source
        for key, stored in zip(list(missing), self._load(list(missing.values())), strict=True):
            if stored is not None:
                self.entries[key], silent = stored
                if silent:
                    self.silent.add(key)
                del missing[key]
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
                if _DIRECTIVE_MARK not in data:
                    self.silent.add(key)
        return list(missing.values()), items

    def record(
        self, parsed: list[SourceFile], results: Iterable[ParseResult], *, store: bool = True
    ) -> None:
        """Keep the results of parsing ``parsed`` (from :meth:`unparsed`), and store
        them unless another process does (then :meth:`store_fresh` stores them, if it
        does not after all)."""
        keys = []
        for source, result in zip(parsed, results, strict=True):
            key = (source.key, source.path)
            self.entries[key] = result
            keys.append(key)
        self._keep(keys, store=store)

    def adopt(self, shared: _Shared, *, store: bool) -> None:
        """Keep what another process parsed (see :meth:`record`)."""
        self.entries.update(shared.entries)
        self.silent.update(shared.silent)
        self._keep(list(shared.entries), store=store)

    def store_fresh(self) -> None:
        """Store what was kept without storing it."""
        keys, self._unstored = list(self._unstored), {}
        self._keep(keys, store=True)

    def _keep(self, keys: list[tuple[str, str]], *, store: bool) -> None:
        if self.disk is None:
            return
        if not store:
            self._unstored.update(dict.fromkeys(keys))
            return
        with self.disk.batch():
            for key in keys:
                self._unstored.pop(key, None)
                entry = (*self.entries[key], key in self.silent)
                self.disk.put(cache_kind(key[1], self.hcl_parser), key[0], key[1], entry)

    def _load(self, sources: list[SourceFile]) -> list[tuple[ParseResult, bool] | None]:
        """Each source's stored parse result and whether its file names no directive."""
        if self.disk is None or not sources:
            return [None] * len(sources)
        wanted = [(cache_kind(s.path, self.hcl_parser), s.key, s.path) for s in sources]
        return [_stored_parse(value) for value in self.disk.get_many(wanted)]

    def _run(self, items: list[tuple[str, bytes]]) -> Iterator[ParseResult]:
        splits = FORK_SPLIT_MIN <= len(items) <= self.parallel_threshold and self.workers >= 2
        if splits and forked.available():
            # Not a generator: the child is forked and done before the caller opens a
            # cache transaction to store the results.
            return iter(self._split(items))
        return self._pooled(items)

    def _split(self, items: list[tuple[str, bytes]]) -> list[ParseResult]:
        """About half of the work parsed in a forked child, the rest here."""
        mine, theirs = _halves(items)
        theirs_items = [items[i] for i in theirs]
        child = forked.Forked(lambda: parse_many(theirs_items, self.hcl_parser))
        try:
            parsed_here = parse_many([items[i] for i in mine], self.hcl_parser)
        finally:
            parsed_there = child.result()
        if parsed_there is None or len(parsed_there) != len(theirs_items):
            parsed_there = parse_many(theirs_items, self.hcl_parser)
        return _merged((mine, parsed_here), (theirs, parsed_there))

    def _pooled(self, items: list[tuple[str, bytes]]) -> Iterator[ParseResult]:
        if len(items) <= self.parallel_threshold or self.workers < 2:
            for path, data in items:
                yield parse_file(path, data, self.hcl_parser)
            return
        # Imported for trees this large only: a process's start-up pays for its imports.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        batches = [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            parsers = [self.hcl_parser] * len(batches)
            for batch in pool.map(parse_many, batches, parsers):
                yield from batch

    def may_hold_directives(self, source: SourceFile) -> bool:
        return (source.key, source.path) not in self.silent

    def close(self, *, behind: bool = False) -> None:
        """Store what was parsed; ``behind``: see :meth:`DiskCache.close`."""
        if self.disk is not None:
            self.disk.close(behind=behind)


@dataclass(frozen=True, slots=True)
class BuiltModel:
    model: Model
    diagnostics: list[Diagnostic]
    files: int
    # Files that held Terraform or Kubernetes objects: 0 means nothing was looked at.
    analysed: int = 0
    # Files left out by the exclude patterns, before parsing.
    excluded: int = 0
    # The files read as Terraform or Kubernetes that may hold inline suppressions (the
    # others do not name driftgate at all).
    paths: frozenset[str] = frozenset()
    # HCL files parsed, and those python-hcl2 read for tree-sitter: (path, why).
    hcl_files: int = 0
    fallbacks: tuple[tuple[str, str], ...] = ()
    # For a model the cache may hold: its key, and what it read beyond its files.
    key: str | None = None
    record: Record = ()


@dataclass(frozen=True, slots=True)
class Listed:
    """A tree's files as the build reads them: listed and hashed once per run."""

    sources: list[SourceFile]
    # Symlinks, special files and submodules not read (warnings).
    skipped: list[Diagnostic]
    # Files left out by the exclude patterns.
    excluded: int


def _stored_parse(value: object) -> tuple[ParseResult, bool] | None:
    if (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], HclFile | list | None)
        and isinstance(value[1], list)
        and isinstance(value[2], bool)
    ):
        return (value[0], value[1]), value[2]
    return None


def _halves(items: list[tuple[str, bytes]]) -> tuple[list[int], list[int]]:
    """The items' indexes in two parts of about equal cost: each file goes to the part
    with fewer bytes of its kind so far (HCL and YAML cost differently per byte, and a
    listing's order repeats kinds and sizes, so every other file is no fair half)."""
    parts: tuple[list[int], list[int]] = ([], [])
    sizes: dict[str, list[int]] = {}
    for index, (path, data) in enumerate(items):
        kind = path.rsplit(".", 1)[-1]
        totals = sizes.setdefault(kind, [0, 0])
        side = 0 if totals[0] <= totals[1] else 1
        totals[side] += len(data)
        parts[side].append(index)
    return parts


def _merged(*parts: tuple[list[int], list[ParseResult]]) -> list[ParseResult]:
    """The results of :func:`_halves`' parts, back in the order of their items."""
    merged: list[ParseResult | None] = [None] * sum(len(indexes) for indexes, _ in parts)
    for indexes, results in parts:
        for index, result in zip(indexes, results, strict=True):
            merged[index] = result
    return [result for result in merged if result is not None]


def list_tree(tree: Tree, exclude: Sequence[str] = ()) -> Listed:
    skipped: list[Diagnostic] = list(getattr(tree, "skipped", []))
    sources = list(tree.files())
    excluded = 0
    if exclude:
        # Before parsing: an excluded sample costs nothing and cannot fail the run.
        import pathspec  # only with patterns to apply: 10 ms of every start-up

        spec = pathspec.GitIgnoreSpec.from_lines(exclude)
        kept = [source for source in sources if not spec.match_file(source.path)]
        excluded, sources = len(sources) - len(kept), kept
    return Listed(sources, skipped, excluded)


def model_key(listed: Listed, options: ExtractOptions, cache: ParseCache) -> str:
    """What a model built from ``listed`` is stored under (see :class:`ModelCache`)."""
    return ModelCache.key(
        listed.sources,
        listed.skipped,
        listed.excluded,
        options,
        cache.max_file_size,
        cache.hcl_parser,
    )


def build_model(
    tree: Tree,
    options: ExtractOptions,
    cache: ParseCache | None = None,
    plans: Sequence[PlanInput] = (),
    side: Side = "head",
    exclude: Sequence[str] = (),
    models: ModelCache | None = None,
    listed: Listed | None = None,
    unchanged: frozenset[str] | None = None,
) -> BuiltModel:
    """The model of ``tree``; the Terraform roots ``plans`` cover are read from them
    (their ``side`` of the change) instead of being evaluated statically. With
    ``models``, a model built before from the same inputs is reused (see
    :mod:`driftgate.analyzer.model_cache`). ``listed`` is the tree's listing when the
    caller has made it already; ``unchanged``, for a base read from its own tree, the
    files it shares with the head (see :func:`driftgate.analyzer.terraform.plan.apply_plans`)."""
    cache = cache if cache is not None else ParseCache()
    if listed is None:
        listed = list_tree(tree, exclude)
    sources, skipped, excluded = listed.sources, listed.skipped, listed.excluded
    if models is None or plans:
        # Imported on a miss only: a model reused from the cache needs no extractor.
        from driftgate.analyzer.assemble import assemble

        return assemble(tree, sources, skipped, excluded, options, cache, plans, side, unchanged)[0]
    key = model_key(listed, options, cache)
    stored = models.get(key, tree)
    if isinstance(stored, BuiltModel):
        return stored
    return _stored(models, _construct(tree, listed, options, cache, key))


@dataclass
class BaseStart:
    """What became of the base before the head was listed (see :func:`start_base`): the
    child building it, or none (its model is stored, or it is built here, after)."""

    key: str
    child: forked.Partner[dict[str, object]] | None = None
    # The base's files the child parses (the others are parsed here).
    theirs: list[SourceFile] = field(default_factory=list)

    def cancel(self) -> None:
        """The base is not needed after all (the scan's findings were stored)."""
        if self.child is not None:
            self.child.cancel()
            self.child = None


@dataclass(frozen=True, slots=True)
class _Shared:
    """Parse results one process sends the other, by (key, path), with the keys of those
    files that name no directive."""

    entries: dict[tuple[str, str], ParseResult]
    silent: frozenset[tuple[str, str]]


# Of the base's files, the share (in %) the child parses: this process lists the head
# meanwhile (0.1 s of a 5,000-file working tree) and parses what only the head holds.
CHILD_SHARE = 48


def _childs(source: SourceFile) -> bool:
    """Whether the base's child parses ``source``: by a hash of its path, so that both
    processes split the listing alike without reading a byte of it."""
    return zlib.crc32(source.path.encode()) % 100 < CHILD_SHARE


def start_base(
    base_tree: Tree,
    base_listed: Listed,
    options: ExtractOptions,
    cache: ParseCache,
    models: ModelCache | None,
    prepare_base: Callable[[Model], dict[str, object]] | None = None,
) -> BaseStart:
    """A child forked at once to build the base, unless its model is stored.

    Called as soon as the base is listed, before the head is: the child parses its share
    of the base's files while this process lists the head and parses the rest (what
    :func:`build_pair` does next). The two then exchange what they parsed; the child
    builds the base, sends it, and gives ``prepare_base`` the base: what that derives
    (values of :mod:`driftgate.analyzer.model.derived`) comes back with the model.
    """
    key = model_key(base_listed, options, cache)
    # Not loaded yet: the scan's findings may be stored too, and then no model is needed.
    if (models is not None and models.has(key)) or not _worth_forking(base_listed):
        return BaseStart(key)
    theirs = [source for source in base_listed.sources if _childs(source)]

    def in_child(channel: forked.Channel) -> dict[str, object]:
        channel.send(_parse_here(cache, theirs, store=True))
        given = channel.receive()
        if isinstance(given, _Shared):
            cache.adopt(given, store=True)
        # Whatever the parent did not send (it needed nothing parsed: its head was
        # stored) is parsed here.
        _parse_here(cache, base_listed.sources, store=True)
        built = _construct(base_tree, base_listed, options, cache, key)
        channel.send(built)
        return prepare_base(built.model) if prepare_base is not None else {}

    # The child stores the parse results once it has sent its model; this process, only
    # the models (pickling thousands of results here delayed the end of the run).
    lock = cache.disk.writer_lock() if cache.disk is not None else None
    child: forked.Partner[dict[str, object]] = forked.Partner(in_child, then=cache.close)
    if lock is not None:
        os.close(lock)  # the child holds it while it stores the parse results
    return BaseStart(key, child=child, theirs=theirs)


def _parse_here(cache: ParseCache, sources: list[SourceFile], *, store: bool) -> _Shared:
    """Parse what of ``sources`` is neither known nor stored: what was parsed, to share."""
    parsed, items = cache.unparsed(sources)
    results = parse_many(items, cache.hcl_parser)
    cache.record(parsed, results, store=store)
    keys = [(source.key, source.path) for source in parsed]
    return _Shared(
        dict(zip(keys, results, strict=True)), frozenset(cache.silent.intersection(keys))
    )


def build_pair(
    head_tree: Tree,
    base_tree: Tree,
    options: ExtractOptions,
    cache: ParseCache,
    models: ModelCache | None,
    head_listed: Listed,
    base_listed: Listed,
    start: BaseStart,
    meanwhile: Callable[[Model], object] | None = None,
) -> tuple[BuiltModel, BuiltModel]:
    """Head and base models (no plans), each reused from ``models`` when stored there.

    ``start`` is what :func:`start_base` made of the base. When a child builds it, this
    process parses its own share of the files and those only the head holds, trades
    them for the child's, and builds the head; ``meanwhile`` is then given the head
    model, to do with it what comes next while the child finishes the base.
    """
    head_key = model_key(head_listed, options, cache)
    head = _reused(models, head_key, head_tree)
    base = _reused(models, start.key, base_tree) if start.child is None else None
    if start.child is not None:

        def build_head() -> BuiltModel:
            built = _stored(models, _construct(head_tree, head_listed, options, cache, head_key))
            if meanwhile is not None:
                meanwhile(built.model)
            return built

        built_head, base = _build_with_child(
            cache, start, head_listed, base_listed, build_head if head is None else None
        )
        if head is None:
            head = built_head
        if base is not None:
            base = _stored(models, base)
    if head is None:
        head = _stored(models, _construct(head_tree, head_listed, options, cache, head_key))
    if base is None:
        base = _stored(models, _construct(base_tree, base_listed, options, cache, start.key))
    return head, base


def _reused(models: ModelCache | None, key: str, tree: Tree) -> BuiltModel | None:
    # Equal keys are not equal models: what Terraform read (file()) is validated too.
    stored = models.get(key, tree) if models is not None else None
    return stored if isinstance(stored, BuiltModel) else None


def _build_with_child(
    cache: ParseCache,
    start: BaseStart,
    head_listed: Listed,
    base_listed: Listed,
    build_head: Callable[[], BuiltModel] | None,
) -> tuple[BuiltModel | None, BuiltModel | None]:
    """The head built here by ``build_head`` (None: it is stored) and the base by
    ``start``'s child (None when it failed: it is then built here, after)."""
    child = start.child
    assert child is not None
    start.child = None
    base_keys = {(source.key, source.path) for source in base_listed.sources}
    theirs = {(source.key, source.path) for source in start.theirs}
    # This process's share of the base, read from the head where it holds the same file
    # (a working tree reads faster than git's objects), and what only the head holds.
    heads = {(source.key, source.path): source for source in head_listed.sources}
    mine = [heads.get(k, s) for s in base_listed.sources if (k := (s.key, s.path)) not in theirs]
    mine += [source for key, source in heads.items() if key not in base_keys]
    head = None
    try:
        payload = None
        if build_head is not None:
            shared = _parse_here(cache, mine, store=False)
            payload = forked.pickled(shared)  # while the child pickles its own
        there = child.receive()
        if isinstance(there, _Shared) and child.send(payload):
            cache.adopt(there, store=False)
        else:  # the child failed: its files are parsed here, its model built after
            _parse_here(cache, start.theirs, store=True)
        if build_head is not None:
            head = build_head()
        built = child.receive()
    finally:
        derived_there = child.result()  # also when the head failed: no child is left
    base = built if isinstance(built, BuiltModel) else None
    if base is not None and isinstance(derived_there, dict):
        derived.adopt(base.model, derived_there)
    if derived_there is None:
        cache.store_fresh()  # the child stopped before storing what was parsed
    return head, base


# Below this many files in the base, a child process costs more than it saves.
PARALLEL_MODELS_MIN = 500


def _worth_forking(listed: Listed) -> bool:
    return len(listed.sources) >= PARALLEL_MODELS_MIN and forked.available()


def _construct(
    tree: Tree, listed: Listed, options: ExtractOptions, cache: ParseCache, key: str
) -> BuiltModel:
    """A model built anew, with its ``key`` and what it read when it may be stored."""
    from driftgate.analyzer.assemble import assemble

    recording = RecordingTree(tree)
    built, cacheable = assemble(
        recording, listed.sources, listed.skipped, listed.excluded, options, cache, (), "head"
    )
    if not cacheable:
        return built
    return dataclasses.replace(built, record=recording.record(), key=key)


def _stored(models: ModelCache | None, built: BuiltModel) -> BuiltModel:
    if models is not None and built.key is not None:
        models.put(built.key, built.record, built)
    return built
