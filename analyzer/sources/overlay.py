"""A tree with some files' bytes replaced: a proposed fix, scanned before it is offered."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import pygit2

from driftgate.analyzer.sources.base import MAX_READ_PATH, SourceFile, Tree


class OverlayTree:
    """``tree``, except that each path of ``replaced`` reads as the bytes given."""

    def __init__(self, tree: Tree, replaced: Mapping[str, bytes]) -> None:
        self._tree = tree
        self._replaced = dict(replaced)
        self.skipped = list(getattr(tree, "skipped", []))

    @property
    def label(self) -> str:
        return f"{self._tree.label} (with a suggested fix)"

    def files(self) -> Iterator[SourceFile]:
        for source in self._tree.files():
            data = self._replaced.get(source.path)
            if data is None:
                yield source
                continue
            key = str(pygit2.hash(data))
            yield SourceFile(source.path, key, _constant(data), len(data))

    def read_path(self, path: str, limit: int = MAX_READ_PATH) -> bytes | None:
        data = self._replaced.get(path)
        if data is None:
            return self._tree.read_path(path, limit)
        return data if len(data) <= limit else None

    def __getattr__(self, name: str) -> object:
        # list_folder and files_under, where the tree has them.
        return getattr(self._tree, name)


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data
