"""A disk cache of per-file parse results, keyed by content.

An entry is the pickled parse result of one file, named by the sha256 of the driftgate
version, a fingerprint of the parser code, the parser kind, the git blob id and the
path (results carry the path in their line marks and diagnostics). Only results that
depend on nothing but the file's own bytes are stored, never anything derived from other
files. Writes are atomic (temporary file + ``os.replace``), so concurrent runs at worst
write the same entry twice. Unreadable or corrupt entries are ignored and removed. The
total size is bounded: when it grows over the limit the oldest entries (by mtime) go.

Entries are unpickled, so the cache directory must be the user's own: it lives under
the per-user platform cache directory by default and must never be shared between
users (``--cache-dir`` / ``DRIFTGATE_CACHE_DIR`` pointing at a shared or
world-writable place would let another user run code as you).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path

import platformdirs

from driftgate.analyzer import __version__

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Trim to this fraction of the limit, so eviction runs rarely.
_TRIM_TO = 0.8
# Size check after this many writes in one process (and once when the run ends).
_CHECK_EVERY = 2000
_SUFFIX = ".pickle"
_PARSER_MODULES = (
    "files.py",
    "hcl.py",
    "hcl_ast.py",
    "hcl_errors.py",
    "hcl_lark.py",
    "hcl_templates.py",
    "hcl_treesitter.py",
    "yaml_docs.py",
)


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("driftgate"))


def _parser_fingerprint() -> str:
    """What the parse results depend on besides the bytes: our parser code, python-hcl2,
    PyYAML and the interpreter (so an edited parser never returns stale results)."""
    digest = hashlib.sha256()
    here = Path(__file__).parent / "parse"
    for name in _PARSER_MODULES:
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    for dist in ("python-hcl2", "PyYAML", "lark", "tree-sitter", "tree-sitter-hcl"):
        try:
            digest.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=?;".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


class DiskCache:
    """Pickled values by (kind, content key, path) under ``root``."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        version: str = __version__,
        fingerprint: str | None = None,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._salt = f"{version}\0{fingerprint or _parser_fingerprint()}"
        self._writes = 0

    def _entry(self, kind: str, key: str, path: str) -> Path:
        name = hashlib.sha256(f"{self._salt}\0{kind}\0{key}\0{path}".encode()).hexdigest()
        return self.root / name[:2] / (name + _SUFFIX)

    def get(self, kind: str, key: str, path: str) -> object | None:
        """The stored value, or None on a miss or an unreadable entry (then removed)."""
        entry = self._entry(kind, key, path)
        try:
            data = entry.read_bytes()
        except OSError:
            return None
        try:
            stored = pickle.loads(data)
        except Exception:
            stored = None
        if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == entry.name):
            with contextlib.suppress(OSError):
                entry.unlink()
            return None
        value: object = stored[1]
        return value

    def put(self, kind: str, key: str, path: str, value: object) -> None:
        """Store ``value`` atomically; failures (read-only disk, full disk) are ignored."""
        entry = self._entry(kind, key, path)
        try:
            data = pickle.dumps((entry.name, value), protocol=pickle.HIGHEST_PROTOCOL)
            entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Per-process temporary name (cheaper than mkstemp); O_EXCL never reuses one.
            tmp = entry.with_name(f".tmp-{os.getpid()}-{entry.name}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                tmp.replace(entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            return
        self._writes += 1
        if self._writes % _CHECK_EVERY == 0:
            self.trim()

    def close(self) -> None:
        """End of a run: enforce the size bound if anything was written."""
        if self._writes:
            self.trim()

    def trim(self) -> None:
        """Evict the oldest entries (by mtime) while the total is over the limit."""
        entries: list[tuple[float, int, str]] = []
        total = 0
        try:
            shards = list(os.scandir(self.root))
        except OSError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            try:
                files = list(os.scandir(shard.path))
            except OSError:
                continue
            for f in files:
                try:
                    st = f.stat(follow_symlinks=False)
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, f.path))
                total += st.st_size
        if total <= self.max_bytes:
            return
        entries.sort()
        target = int(self.max_bytes * _TRIM_TO)
        for _, size, name in entries:
            if total <= target:
                break
            with contextlib.suppress(OSError):
                Path(name).unlink()
                total -= size
