"""What is derived from a sealed model is computed once and goes with the model."""

from __future__ import annotations

import gc

from driftgate.analyzer.model import Grant, Identity, Model, Permission, derived
from driftgate.analyzer.model.derived import per_model


def _model() -> Model:
    role = Identity(address="r", principal="arn:r", provider="aws", kind="role", name="r")
    grant = Grant(
        identity="r",
        permissions=(Permission(action="s3:GetObject", resource="*"),),
        via="aws_iam_role_policy.r",
    )
    return Model(identities={"r": role}, grants=[grant])


def test_a_sealed_models_value_is_computed_once() -> None:
    calls: list[Model] = []

    @per_model
    def count(model: Model) -> int:
        calls.append(model)
        return len(model.grants)

    model = _model().seal()
    assert count(model) == count(model) == 1
    assert len(calls) == 1
    other = _model().seal()
    assert count(other) == 1 and len(calls) == 2, "another model shared the value"


def test_an_unsealed_model_may_still_change_so_nothing_is_kept() -> None:
    @per_model
    def grants(model: Model) -> int:
        return len(model.grants)

    model = _model()
    assert grants(model) == 1
    model.grants.append(model.grants[0])
    assert grants(model) == 2


def test_the_value_goes_with_its_model() -> None:
    @per_model
    def size(model: Model) -> list[int]:
        return [len(model.identities)]

    model = _model().seal()
    size(model)
    key = (id(model), size.name)
    assert key in derived._VALUES
    del model
    gc.collect()
    assert key not in derived._VALUES


def test_what_another_process_derived_is_adopted_not_computed_again() -> None:
    calls: list[Model] = []

    @per_model
    def grants(model: Model) -> int:
        calls.append(model)
        return len(model.grants)

    there = _model().seal()
    grants(there)
    sent = derived.values_of(there, [grants, len])  # what does not remember is left out
    assert sent == {grants.name: 1}
    here = _model().seal()  # the same model, unpickled in another process
    derived.adopt(here, sent)
    assert grants(here) == 1
    assert calls == [there], "the adopted value was computed again"
