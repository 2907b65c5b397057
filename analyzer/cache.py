"""A disk cache of parse results and models, keyed by content, in one SQLite file.

An entry is a pickled value (one file's parse result, or a whole model), named by the
sha256 of the driftgate version, a fingerprint of the parser code, the kind, the key
(a git blob id) and the path (results carry the path in their line marks and
diagnostics). Only values that depend on nothing but their key's content are stored.

SQLite rather than a file per entry: a cold run writes thousands of entries, and on a
shared machine each file's creation cost more than parsing it (5.6 s of a 9 s run).
A write commits on its own, except inside :meth:`DiskCache.batch` (a run's parse
results: one transaction, committed every few thousand writes and at its end);
concurrent runs wait for each other's transactions. Unreadable or corrupt entries
are ignored and removed, a corrupt database file is replaced, and a cache directory
that cannot be written only means nothing is cached. The total size is bounded: when
it grows over the limit the oldest entries (by write time) go.

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
import sqlite3
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import platformdirs

try:
    import fcntl
except ImportError:  # Windows: no fork, so nothing is ever written behind a run
    fcntl = None  # type: ignore[assignment]

from driftgate.analyzer import __version__

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Trim to this fraction of the limit, so eviction runs rarely.
_TRIM_TO = 0.8
# Names looked up in one query (SQLite allows 32,766 parameters; fewer keep it quick).
_QUERY_NAMES = 500
# In a batch, commit after this many writes (and at its end).
_COMMIT_EVERY = 5000
DATABASE = "cache.sqlite3"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    "name TEXT PRIMARY KEY, value BLOB NOT NULL, size INTEGER NOT NULL, written REAL NOT NULL)"
)
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


# Child processes writing a cache behind this one (see DiskCache.close).
_WRITERS: list[int] = []
# A process that ends with its command does not wait for them: a child that writes holds
# a shared lock on this file in the cache directory until it exits, and the first
# connection a later process opens there waits (up to _WAIT_FOR_WRITERS seconds) until
# no child holds it, so a run never misses what the run before it had yet to store.
WRITERS_LOCK = "writers.lock"
_WAIT_FOR_WRITERS = 10.0
# Cache directories whose earlier writers this process waited for, or writes itself.
_WAITED: set[Path] = set()
# Caches with a connection open in this process: none may be open across a fork, since
# SQLite's per-process lock bookkeeping would then be shared with the child's own
# connection (the child's writes were lost).
_OPEN: weakref.WeakSet[DiskCache] = weakref.WeakSet()


def wait_for_writers() -> None:
    """Return once every value written behind this process is stored."""
    while _WRITERS:
        pid = _WRITERS.pop()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def writing_behind(pid: int) -> None:
    """Child ``pid`` stores values for this process: :func:`wait_for_writers` waits for it."""
    _WRITERS.append(pid)


def to_background() -> None:
    """In a child that stores values while its parent finishes its command, or after:
    let go of the terminal or pipes the parent writes to (whoever reads them is not kept
    waiting), and yield the processor to the parent (on two cores, two writers slowed
    the parent's checks by a quarter)."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


def _wait_for_earlier_writers(root: Path) -> None:
    """Once per process and cache directory: wait until no child of an earlier run is
    still storing values there (see WRITERS_LOCK)."""
    if root in _WAITED or fcntl is None:
        return
    _WAITED.add(root)
    try:
        fd = os.open(root / WRITERS_LOCK, os.O_RDWR)
    except OSError:
        return  # no run has written here behind its own end
    deadline = time.monotonic() + _WAIT_FOR_WRITERS
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return  # a writer stuck for so long: read what is there
                time.sleep(0.01)
                continue
            except OSError:
                return
            fcntl.flock(fd, fcntl.LOCK_UN)
            return
    finally:
        os.close(fd)


def may_fork() -> bool:
    """Whether this process may fork a child that goes on running Python."""
    # Another thread may hold a lock the child would then wait on forever; outside
    # Linux, fork without exec is unsafe (macOS) or absent (Windows).
    return sys.platform == "linux" and threading.active_count() == 1


def release_connections() -> None:
    """Close every cache connection of this process (each opens again when used): call
    before a fork, so that parent and child share no SQLite state."""
    for cache in list(_OPEN):
        cache._release()


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
    """Pickled values by (kind, content key, path) in ``root``/cache.sqlite3."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        version: str = __version__,
        fingerprint: str | None = None,
        write_behind: bool = False,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._salt = f"{version}\0{fingerprint or _parser_fingerprint()}"
        self._writes = 0
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._batching = False
        # With ``write_behind``, what is put is kept here and written at :meth:`close`.
        self._write_behind = write_behind
        self._pending: dict[str, object] = {}

    def name(self, kind: str, key: str, path: str) -> str:
        return hashlib.sha256(f"{self._salt}\0{kind}\0{key}\0{path}".encode()).hexdigest()

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        _wait_for_earlier_writers(self.root)
        for attempt in range(2):
            try:
                self._db = self._open()
                _OPEN.add(self)
                return self._db
            except sqlite3.DatabaseError:
                # Not a database (truncated, overwritten): start again, once.
                if attempt == 0:
                    with contextlib.suppress(OSError):
                        (self.root / DATABASE).unlink()
            except (OSError, sqlite3.Error):
                break
        self._broken = True
        return None

    def _open(self) -> sqlite3.Connection:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.root / DATABASE
        if not path.exists():
            # Private from the start: the database holds pickles.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(_SCHEMA)
        except sqlite3.Error:
            db.close()
            raise
        return db

    def get(self, kind: str, key: str, path: str) -> object | None:
        """The stored value, or None on a miss or an unreadable entry (then removed)."""
        return self.get_many([(kind, key, path)])[0]

    def has(self, kind: str, key: str, path: str) -> bool:
        """Whether a value is stored, without reading it (a model is megabytes)."""
        name = self.name(kind, key, path)
        if name in self._pending:
            return True
        db = self._connection()
        if db is None:
            return False
        try:
            row = db.execute("SELECT 1 FROM entries WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error:
            return False
        return row is not None

    def get_many(self, wanted: list[tuple[str, str, str]]) -> list[object | None]:
        """:meth:`get` of each (kind, key, path), asked of the database a few hundred at
        a time (a run looks up every file it reads: one query each was 5,000 queries)."""
        names = [self.name(kind, key, path) for kind, key, path in wanted]
        found: dict[str, object] = {n: self._pending[n] for n in names if n in self._pending}
        asked = [n for n in dict.fromkeys(names) if n not in found]
        db = self._connection() if asked else None
        if db is None:
            return [found.get(name) for name in names]
        broken: list[str] = []
        for start in range(0, len(asked), _QUERY_NAMES):
            chunk = asked[start : start + _QUERY_NAMES]
            marks = ",".join("?" * len(chunk))
            try:
                rows = db.execute(
                    f"SELECT name, value FROM entries WHERE name IN ({marks})", chunk
                ).fetchall()
            except sqlite3.Error:
                break
            for name, data in rows:
                try:
                    found[name] = pickle.loads(data)
                except Exception:
                    broken.append(name)
        if broken:
            with contextlib.suppress(sqlite3.Error):
                self._begin(db)
                db.executemany("DELETE FROM entries WHERE name = ?", [(n,) for n in broken])
                if not self._batching:
                    self._commit()
        return [found.get(name) for name in names]

    def put(self, kind: str, key: str, path: str, value: object) -> None:
        """Store ``value``; failures (read-only disk, full disk, a lock held too long) are
        ignored: the cache only ever saves time."""
        name = self.name(kind, key, path)
        if self._write_behind:
            self._pending[name] = value
            return
        self._store(name, value)

    def _store(self, name: str, value: object) -> None:
        db = self._connection()
        if db is None:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._begin(db)
            db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                (name, data, len(data), time.time()),
            )
        except (sqlite3.Error, pickle.PicklingError, RecursionError, TypeError, AttributeError):
            if not self._batching:
                self._commit()  # never leave the write lock held by a failed write
            return
        self._writes += 1
        if not self._batching or self._writes % _COMMIT_EVERY == 0:
            self._commit()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Writes inside are one transaction (thousands of parse results at once)."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            self._commit()

    def _begin(self, db: sqlite3.Connection) -> None:
        if not db.in_transaction:
            db.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        if self._db is not None and self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")

    def close(self, *, behind: bool = False) -> None:
        """End of a run: write what is pending, commit, and enforce the size bound if
        anything was written.

        ``behind``: the pending values are pickled and written by a child process while
        this one goes on (a cold run's 5,000 parse results took 0.5 s to store), where
        forking is safe: on Linux, with no other thread running. :func:`wait_for_writers`
        waits for it; until then, other connections do not see the values.
        """
        if self._pending:
            if behind and may_fork():
                self._write_in_child()
            else:
                self._write_pending()
        if self._db is None:
            return
        self._commit()
        if self._writes:
            self.trim()
        self._release()

    def _write_pending(self) -> None:
        pending, self._pending = self._pending, {}
        with self.batch():
            for name, value in pending.items():
                self._store(name, value)

    def _release(self) -> None:
        """Commit and close the connection; the next use opens one again."""
        if self._db is not None:
            self._commit()
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        _OPEN.discard(self)

    def writer_lock(self) -> int | None:
        """A descriptor holding the shared lock of a writer (see WRITERS_LOCK), taken just
        before forking a child that will store values here: the child inherits it and
        holds it until it exits; the caller closes its own copy once it has forked."""
        if fcntl is None:
            return None
        _wait_for_earlier_writers(self.root)
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.root / WRITERS_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
        except OSError:
            os.close(fd)
            return None
        return fd

    def _write_in_child(self) -> None:
        release_connections()
        lock = self.writer_lock()
        pid = os.fork()
        if pid != 0:
            if lock is not None:
                os.close(lock)
            writing_behind(pid)
            self._pending = {}
            return
        code = 1
        try:
            to_background()
            self._write_pending()
            self.close()
            code = 0
        finally:
            os._exit(code)  # never back into the caller: that is the parent's work

    def trim(self) -> None:
        """Evict the oldest entries (by write time) while the total is over the limit."""
        db = self._connection()
        if db is None:
            return
        try:
            (total,) = db.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()
            if total <= self.max_bytes:
                return
            target = int(self.max_bytes * _TRIM_TO)
            doomed: list[tuple[str]] = []
            for name, size in db.execute("SELECT name, size FROM entries ORDER BY written"):
                if total <= target:
                    break
                doomed.append((name,))
                total -= size
            db.execute("BEGIN IMMEDIATE")
            db.executemany("DELETE FROM entries WHERE name = ?", doomed)
            db.execute("COMMIT")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                if db.in_transaction:
                    db.execute("ROLLBACK")
