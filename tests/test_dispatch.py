"""The declared dispatch: phases in order, and declarations that cannot resolve refused."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from driftgate.analyzer.extract.aws import extract as aws
from driftgate.analyzer.extract.aws.common import RESOURCE_TYPES
from driftgate.analyzer.extract.dispatch import Dispatch, DispatchError, Phase, handles
from driftgate.analyzer.terraform.modules import ResourceInstance

Seen = list[str]


def _inst(type_: str, name: str, mode: str = "resource") -> ResourceInstance:
    return cast(ResourceInstance, SimpleNamespace(type=type_, name=name, mode=mode, dormant=False))


def _note(seen: Seen, inst: ResourceInstance) -> None:
    seen.append(inst.name)


def test_phases_run_in_order_and_file_order_holds_within_one() -> None:
    dispatch: Dispatch[Seen] = Dispatch(
        (
            handles(Phase.GRANT, _note, "t_grant", reads={"t_role"}),
            handles(Phase.IDENTITY, _note, "t_role"),
        ),
        data_sources=_note,
    )
    seen: Seen = []
    files = [
        _inst("t_grant", "g1"),
        _inst("t_role", "r1"),
        _inst("t_other", "ignored"),
        _inst("t_any", "d1", mode="data"),
        _inst("t_grant", "g2"),
        _inst("t_role", "r2"),
    ]
    dispatch.run(seen, files)
    assert seen == ["d1", "r1", "r2", "g1", "g2"]
    assert dispatch.handled_types == {"t_grant", "t_role"}


def test_a_type_read_but_never_declared_is_refused() -> None:
    with pytest.raises(DispatchError, match="t_profile: no handler"):
        Dispatch((handles(Phase.GRANT, _note, "t_instance", reads={"t_profile"}),))


def test_a_type_read_in_the_same_or_a_later_phase_is_refused() -> None:
    with pytest.raises(DispatchError, match="earlier phase"):
        Dispatch(
            (
                handles(Phase.INDEX, _note, "t_profile", reads={"t_role"}),
                handles(Phase.INDEX, _note, "t_role"),
            )
        )


def test_a_type_with_two_handlers_is_refused() -> None:
    with pytest.raises(DispatchError, match="two handlers"):
        Dispatch((handles(Phase.GRANT, _note, "t_x"), handles(Phase.INDEX, _note, "t_x")))


def test_every_type_aws_looks_up_by_name_is_read() -> None:
    # `AwsContext.resolve` finds only what a handler registered: a kind whose type no
    # handler reads would never resolve, without a word.
    assert set(RESOURCE_TYPES.values()) <= aws.HANDLED_TYPES
