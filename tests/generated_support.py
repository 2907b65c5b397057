"""Files a project script generates and the repository commits: built again, compared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def assert_committed_as_built(script: str, args: list[str], out: Path, committed: Path) -> None:
    """Run ``scripts/SCRIPT`` writing into ``out``: it must build exactly the files in
    ``committed``, byte for byte (else they are stale: run the script)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *args, "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in committed.iterdir() if p.is_file())
    stale = [n for n in built if (out / n).read_bytes() != (committed / n).read_bytes()]
    assert stale == [], f"stale: run python scripts/{script} ({stale})"
