"""Which handler reads which resource type, and when: one declaration per handler, one driver.

A resource refers to others (a policy attachment to its role, a workload to its instance
profile), and a lookup finds only what has been read. So every handler says in which
:class:`Phase` it runs and which types it looks up (``reads``); the driver reads the
phases in order, file order within a phase. A handler that looks up a type no handler
reads, or one read in the same or a later phase, would silently fail to resolve: that is
a :class:`DispatchError` when the declarations are built, at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Generic, TypeVar

from driftgate.analyzer.terraform.modules import ResourceInstance

Ctx = TypeVar("Ctx")
Run = Callable[[Ctx, ResourceInstance], None]


class Phase(IntEnum):
    # Data sources, and what others name before any identity exists (managed policies).
    DECLARE = 0
    # Principals: roles, users, groups, service accounts, pools.
    IDENTITY = 1
    # What others point into: instance profiles, secrets, models, endpoint configurations.
    INDEX = 2
    # What points into those and is handed to workloads: secret versions, access keys.
    CREDENTIAL = 3
    # Workloads whose identities exist only through them (Azure system-assigned
    # identities), so that grants read after them can name those identities.
    WORKLOAD = 4
    # Everything else: grants, trusts, memberships, workloads.
    GRANT = 5


class DispatchError(Exception):
    """Declarations that cannot all resolve: a programming error, raised at import."""


@dataclass(frozen=True, slots=True)
class Handles(Generic[Ctx]):
    types: frozenset[str]
    phase: Phase
    run: Run[Ctx]
    # The types this handler looks up by reference, name or ARN.
    reads: frozenset[str] = frozenset()
    mode: str = "resource"


def handles(
    phase: Phase,
    run: Run[Ctx],
    *types: str,
    reads: Iterable[str] = (),
    mode: str = "resource",
) -> Handles[Ctx]:
    return Handles(frozenset(types), phase, run, frozenset(reads), mode)


def indexed(_ctx: object, _inst: ResourceInstance) -> None:
    """For types read only when something names them: the context indexes every instance."""


@dataclass(frozen=True)
class Dispatch(Generic[Ctx]):
    declarations: tuple[Handles[Ctx], ...]
    # Run on every data source without a handler of its own, before any phase.
    data_sources: Run[Ctx] | None = None
    _by_key: dict[tuple[str, str], Handles[Ctx]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key: dict[tuple[str, str], Handles[Ctx]] = {}
        for declaration in self.declarations:
            for type_ in declaration.types:
                if (declaration.mode, type_) in by_key:
                    raise DispatchError(f"{declaration.mode} {type_} has two handlers")
                by_key[(declaration.mode, type_)] = declaration
        for declaration in self.declarations:
            for type_ in sorted(declaration.reads):
                read = by_key.get(("resource", type_))
                if read is None:
                    raise DispatchError(f"{sorted(declaration.types)} read {type_}: no handler")
                if read.phase >= declaration.phase:
                    raise DispatchError(
                        f"{sorted(declaration.types)} ({declaration.phase.name}) read {type_}"
                        f" ({read.phase.name}): it must be read in an earlier phase"
                    )
        object.__setattr__(self, "_by_key", by_key)

    @property
    def handled_types(self) -> frozenset[str]:
        """The resource types read: what driftgate says it models."""
        return frozenset(type_ for mode, type_ in self._by_key if mode == "resource")

    def _handler(self, inst: ResourceInstance) -> tuple[Phase, Run[Ctx]] | None:
        declaration = self._by_key.get((inst.mode, inst.type))
        if declaration is not None:
            return declaration.phase, declaration.run
        if inst.mode == "data" and self.data_sources is not None:
            return Phase.DECLARE, self.data_sources
        return None

    def run(
        self,
        ctx: Ctx,
        instances: Iterable[ResourceInstance],
        after: Mapping[Phase, Callable[[Ctx], None]] | None = None,
    ) -> None:
        """Every instance some handler reads, phase by phase, file order within one.

        ``after`` a phase: what needs all of that phase's instances read (the AppRole
        roles no declared secret ID covers).
        """
        by_phase: dict[Phase, list[tuple[Run[Ctx], ResourceInstance]]] = {p: [] for p in Phase}
        for inst in instances:
            if inst.dormant:
                continue  # exists nowhere: only what reads definitions looks at it
            if (handler := self._handler(inst)) is not None:
                phase, run = handler
                by_phase[phase].append((run, inst))
        for phase in Phase:
            for run, inst in by_phase[phase]:
                run(ctx, inst)
            if after is not None and phase in after:
                after[phase](ctx)
