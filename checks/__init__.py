"""The check catalog: every module ``dgNNN_<slug>.py`` here is one check, found by name.

Adding a check is adding its module; nothing else lists the checks, so a second list
cannot fall out of step with the first. A module whose name and metadata disagree is a
programming error, raised at import.
"""

import importlib
import pkgutil
import re

from driftgate.analyzer.checkapi import Check

_CHECK_MODULE = re.compile(r"^dg(\d{3})_([a-z0-9_]+)$")


def _discover() -> tuple[Check, ...]:
    found: list[Check] = []
    for module in pkgutil.iter_modules(__path__):
        named = _CHECK_MODULE.match(module.name)
        if named is None:
            continue  # shared helpers: common, delta, inference_scope
        check = importlib.import_module(f"{__name__}.{module.name}").CHECK
        if not isinstance(check, Check):
            raise TypeError(f"{module.name}.CHECK is not a Check")
        slug = named.group(2).replace("_", "-")
        if (check.meta.id, check.meta.slug) != (f"DG{named.group(1)}", slug):
            raise ValueError(
                f"{module.name} declares {check.meta.id} {check.meta.slug}: "
                "a check module is named dgNNN_<slug> after its metadata"
            )
        found.append(check)
    return tuple(sorted(found, key=lambda check: check.meta.id))


ALL_CHECKS: tuple[Check, ...] = _discover()
BY_ID: dict[str, Check] = {c.meta.id: c for c in ALL_CHECKS}
