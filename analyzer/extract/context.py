"""What every Terraform extractor's context holds: the model being built, and the places,
environments and placeholder identities of the instances it reads.

A provider's context extends :class:`ExtractContext` with its own indexes (names, e-mails,
aliases): the answers to "where is it", "which environment" and "who is a principal no
file declares" are the same for every provider, so they are given once here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from driftgate.analyzer.diagnostics import Diagnostic
from driftgate.analyzer.extract.options import ExtractOptions
from driftgate.analyzer.model import Identity, Location, Model, Unknown
from driftgate.analyzer.model.environment import EnvironmentResolver
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance

Report = Callable[[Diagnostic], None]
_SPACE = re.compile(r"\s+")


def ignore(_: Diagnostic) -> None:
    """For callers (tests) that read the model only."""


def one_line(text: str) -> str:
    """An expression written over several lines, as one line for an address."""
    text = _SPACE.sub(" ", text.strip())
    return text.replace("( ", "(").replace(", )", ")").replace(" )", ")")


def root_first(
    resolver: EnvironmentResolver,
    env_path: str,
    path: str,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> str | None:
    """The environment of the root module calling the instance, else of its own file.

    A resource in a shared module belongs to whichever root instantiates it: the root's
    folder (``envs/prod``) says more than the module's (``modules/iam``).
    """
    return resolver.resolve(env_path, namespace, labels) or resolver.resolve(
        path, namespace, labels
    )


@dataclass
class ExtractContext:
    options: ExtractOptions
    model: Model = field(default_factory=Model)
    # Where what the extractor could not resolve is said (the run's diagnostics).
    report: Report = ignore
    # The model's `provider` of the identities this context declares.
    PROVIDER: ClassVar[str] = ""

    def location(self, inst: ResourceInstance, attribute: str | None = None) -> Location:
        """The whole block, or the line of one of its arguments."""
        if attribute is None:
            return Location(path=inst.path, line=inst.block.line, end_line=inst.block.end_line)
        return Location(path=inst.path, line=inst.line_of(attribute))

    def calls(self, inst: ResourceInstance) -> tuple[Location, ...]:
        """The module calls that instantiate the instance, outermost first."""
        return tuple(Location(path=p, line=n, end_line=e) for p, n, e in inst.calls)

    def block_location(self, inst: ResourceInstance, view: BlockView) -> Location:
        """A nested block (``identity { ... }``) of the instance."""
        return Location(path=inst.path, line=view.line, end_line=view.block.end_line)

    def environment(
        self, inst: ResourceInstance, labels: Mapping[str, str] | None = None
    ) -> str | None:
        return root_first(self.options.environments, inst.root.env_path, inst.path, None, labels)

    def declare(
        self,
        inst: ResourceInstance,
        address: str,
        principal: str | Unknown | None,
        kind: str,
        name: str,
        labels: dict[str, str] | None = None,
        location: Location | None = None,
    ) -> str:
        """An identity the instance declares, its environment and owner read from its labels."""
        labels = labels or {}
        self.model.identities[address] = Identity(
            address=address,
            principal=principal,
            provider=self.PROVIDER,
            kind=kind,
            name=name,
            environment=self.environment(inst, labels),
            owner=self.options.owner_from(labels),
            labels=labels,
            location=location or self.location(inst),
            module_calls=self.calls(inst),
        )
        return address

    def define(self, inst: ResourceInstance, kind: str, name: str, why: str) -> str:
        """A role or policy nothing here binds, as a definition identity (its address)."""
        address = inst.full_address
        self.model.identities[address] = Identity(
            address=address,
            provider=self.PROVIDER,
            kind=kind,
            name=f"{name} ({why})",
            environment=self.environment(inst),
            location=self.location(inst),
            definition=True,
        )
        return address

    def placeholder(
        self,
        address: str,
        principal: str | Unknown,
        kind: str,
        name: str,
        *,
        environment: str | None = None,
        provider: str | None = None,
    ) -> str:
        """An identity no file declares, added once: the first naming of it wins.

        The link step later points it at a declaring resource elsewhere, if any.
        """
        if address not in self.model.identities:
            self.model.identities[address] = Identity(
                address=address,
                principal=principal,
                provider=provider or self.PROVIDER,
                kind=kind,
                name=name,
                environment=environment,
                declared=False,
            )
        return address

    def warn_unresolved(
        self, inst: ResourceInstance, line: int, what: str, path: str | None = None
    ) -> None:
        """Say, at ``line`` (of ``path``, else the instance's file), what ``inst`` names
        that driftgate cannot resolve."""
        message = f"{inst.address}: {what}"
        self.report(Diagnostic(path or inst.path, line, message, "unresolved", "warning"))

    def unresolved(
        self,
        inst: ResourceInstance,
        expression: str,
        kind: str,
        attribute: str,
        *,
        text: str | None = None,
    ) -> str:
        """An identity known only by the expression that names it in one module instance.

        What a resource grants it is kept, never dropped, and the resource is named in a
        warning. The same expression in the same module instance names the same
        identity; in another root or module instance it may name another one, so the
        address includes both and never matches across environments.
        """
        text = text or one_line(expression)
        address = f"{inst.root.label}:{inst.module_prefix}{text}"
        self.warn_unresolved(
            inst,
            inst.line_of(attribute),
            f"its {kind} {text} is not declared in what driftgate read; "
            f"what {inst.address} grants is kept on an unresolved {kind}",
        )
        return self.placeholder(
            address,
            Unknown(unknown=expression),
            kind,
            text,
            environment=self.environment(inst),
        )
