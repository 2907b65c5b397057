"""Values read from outside the configuration: another state's outputs, a data source.

Static analysis cannot see what ``data.terraform_remote_state.shared.outputs.role_arn``
holds. But two roots that read the same output of the same state (the same data source
type with the same, fully known arguments) read the same value, whatever it is: that is
enough to say two environments run as one identity, with less than full confidence.
"""

from __future__ import annotations

import re

from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, Value, display, is_known, plain_value

# The address prefix (after the provider) of an identity known only as such a read.
EXTERNAL_OBJECT = "data."
# ``outputs["role_arn"]`` reads what ``outputs.role_arn`` reads.
_INDEX = re.compile(r'\["([A-Za-z_][\w-]*)"\]')
# Arguments that say how Terraform reads, not what is read.
_META = frozenset({"provider", "depends_on", "count", "for_each", "lifecycle"})


def external_object(ref: ResourceRef, data: ResourceInstance | None) -> str | None:
    """``data.terraform_remote_state{backend=s3, config={bucket=…, key=…}}.outputs.x``:
    the data source's type, its arguments and what is read from it.

    None when ``ref`` reads no data source, or one whose arguments are not all known
    (then two roots may read different objects, and nothing is claimed).
    """
    if data is None or data.mode != "data" or not ref.address.startswith("data."):
        return None
    arguments: list[str] = []
    for name in sorted(data.block.attributes):
        if name in _META:
            continue
        value = data.get(name)
        if not is_known(value):
            return None
        arguments.append(f"{name}={_canonical(plain_value(value))}")
    read = _INDEX.sub(r".\1", ref.expression)
    if not read.startswith(ref.address):
        return None
    path = read[len(ref.address) :]
    return f"{EXTERNAL_OBJECT}{data.type}{{{', '.join(arguments)}}}{path}"


def is_external_object(address: str) -> bool:
    """Whether an identity address (``aws:data.…``) names such a read."""
    return address.partition(":")[2].startswith(EXTERNAL_OBJECT)


def _canonical(value: Value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_canonical(value[k])}" for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_canonical(v) for v in value) + "]"
    return display(value)
