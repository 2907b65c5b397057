"""AWS edges: assume, pass a role to a service, mint a user's credentials, rewrite a
trust or a policy, change the code or commands of compute that runs as a role.

The routes are those of the public catalogues of IAM privilege escalation (Rhino
Security Labs' 21 methods and their successors): an action alone, or iam:PassRole
paired with the action that makes a service run code under the role passed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from driftgate.analyzer.escalation.graph import Confidence, Edge, weakest
from driftgate.analyzer.escalation.view import Allow, Found, View, reference, where
from driftgate.analyzer.model import Identity, Model, Permission, Trust, Workload
from driftgate.analyzer.permissions import aws as algebra
from driftgate.analyzer.permissions.globs import matches
from driftgate.analyzer.providers.aws import lets_in

PROVIDER = "aws"

# Service principal → the actions that make it run code under a role passed to it, with
# what they do in words.
PASS_TO: dict[str, tuple[tuple[str, str], ...]] = {
    "lambda.amazonaws.com": (
        ("lambda:CreateFunction", "create functions"),
        ("lambda:UpdateFunctionConfiguration", "change a function's role"),
    ),
    "ec2.amazonaws.com": (
        ("ec2:RunInstances", "launch instances"),
        ("ec2:AssociateIamInstanceProfile", "attach instance profiles"),
        ("ec2:ReplaceIamInstanceProfileAssociation", "replace instance profiles"),
    ),
    "cloudformation.amazonaws.com": (
        ("cloudformation:CreateStack", "create stacks"),
        ("cloudformation:UpdateStack", "update stacks"),
        ("cloudformation:CreateChangeSet", "create change sets"),
        ("cloudformation:CreateStackSet", "create stack sets"),
    ),
    "glue.amazonaws.com": (
        ("glue:CreateDevEndpoint", "create dev endpoints"),
        ("glue:CreateJob", "create jobs"),
        ("glue:UpdateJob", "update jobs"),
        ("glue:CreateSession", "create interactive sessions"),
    ),
    "sagemaker.amazonaws.com": (
        ("sagemaker:CreateNotebookInstance", "create notebook instances"),
        ("sagemaker:CreateTrainingJob", "create training jobs"),
        ("sagemaker:CreateProcessingJob", "create processing jobs"),
    ),
    "ecs-tasks.amazonaws.com": (
        ("ecs:RunTask", "run tasks"),
        ("ecs:StartTask", "start tasks"),
        ("ecs:CreateService", "create services"),
        ("ecs:UpdateService", "update services"),
    ),
    "codebuild.amazonaws.com": (
        ("codebuild:CreateProject", "create build projects"),
        ("codebuild:UpdateProject", "update build projects"),
    ),
    "datapipeline.amazonaws.com": (("datapipeline:CreatePipeline", "create pipelines"),),
    "states.amazonaws.com": (("states:CreateStateMachine", "create state machines"),),
    "elasticmapreduce.amazonaws.com": (("elasticmapreduce:RunJobFlow", "run clusters"),),
    "bedrock.amazonaws.com": (("bedrock:CreateAgent", "create agents"),),
}

# Actions on an identity that let the source become it: (action, target kind, words).
BECOME: tuple[tuple[str, str, str], ...] = (
    ("iam:CreateAccessKey", "user", "create access keys for"),
    ("iam:CreateLoginProfile", "user", "set a console password for"),
    ("iam:UpdateLoginProfile", "user", "change the console password of"),
    ("iam:UpdateAssumeRolePolicy", "role", "rewrite the trust policy of"),
    # A user that may add itself to a group holds what the group allows.
    ("iam:AddUserToGroup", "group", "add itself to"),
)
_EDGE_KINDS = {"user": "credentials", "role": "trust-write", "group": "group"}
# Actions that rewrite an identity's permissions.
WRITE: tuple[tuple[str, str], ...] = (
    ("iam:PutRolePolicy", "role"),
    ("iam:AttachRolePolicy", "role"),
    ("iam:PutUserPolicy", "user"),
    ("iam:AttachUserPolicy", "user"),
    ("iam:DeleteRolePermissionsBoundary", "role"),
    ("iam:DeleteUserPermissionsBoundary", "user"),
)
# Managed policies are written whatever they are attached to: any identity with one.
WRITE_ANY = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion")
# Compute that runs as a role, the ARN of one (service, resource part), and the actions
# that run code or commands in it.
CODE: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "aws_lambda_function": (
        "lambda",
        "function:{name}",
        (("lambda:UpdateFunctionCode", "change the code of"),),
    ),
    "aws_instance": (
        "ec2",
        "instance/*",
        (
            ("ssm:SendCommand", "send commands to"),
            ("ssm:StartSession", "open a shell on"),
            ("ec2-instance-connect:SendSSHPublicKey", "push an SSH key to"),
        ),
    ),
    "aws_sagemaker_notebook_instance": (
        "sagemaker",
        "notebook-instance/{name}",
        (("sagemaker:CreatePresignedNotebookInstanceUrl", "open a notebook session on"),),
    ),
    "aws_glue_dev_endpoint": (
        "glue",
        "devEndpoint/{name}",
        (("glue:UpdateDevEndpoint", "push an SSH key to"),),
    ),
}
ASSUME = "sts:AssumeRole"
PASS = "iam:PassRole"


@functools.cache
def _interesting() -> frozenset[str]:
    actions = {ASSUME, PASS, *WRITE_ANY}
    actions.update(a for creates in PASS_TO.values() for a, _ in creates)
    actions.update(a for a, _, _ in BECOME)
    actions.update(a for a, _ in WRITE)
    actions.update(a for _, _, routes in CODE.values() for a, _ in routes)
    return frozenset(actions)


@functools.cache
def _grants_action(pattern: str, action: str) -> bool:
    return pattern == action or algebra.covers(
        Permission(action=pattern, resource="*"), Permission(action=action, resource="*")
    )


@functools.cache
def _interesting_services() -> frozenset[str]:
    return frozenset(a.split(":", 1)[0].lower() for a in _interesting())


@functools.cache
def _picks(pattern: str) -> bool:
    service, colon, _ = pattern.lower().partition(":")
    literal = colon and not pattern.startswith("NOT ") and "*" not in service and "?" not in service
    if literal and service not in _interesting_services():
        return False  # a service none of the actions belongs to
    return any(_grants_action(pattern, action) for action in _interesting())


def _pick(p: Permission) -> bool:
    return _picks(p.action)


def find(view: View, found: Found) -> None:
    identities = [i for i in view.identities(PROVIDER) if i.kind in ("role", "user")]
    roles = [i for i in identities if i.kind == "role" and i.declared]
    users = [i for i in identities if i.kind == "user" and i.declared]
    groups = [i for i in view.identities(PROVIDER) if i.kind == "group"]
    trusts = _trusts(view.model)
    compute = _compute(view.model)
    by_service = _by_service(roles, trusts)
    # Each non-admin identity's allows of the actions above, asked once.
    sources = {
        i.address: _Allows(view, i, allows)
        for i in identities
        if i.address not in view.admins and (allows := view.allows(i, "aws-escalation", _pick))
    }
    # Roles worth an edge however many there are: they hold something, or go further.
    worth = frozenset(view.prized) | frozenset(sources)
    for mine in sources.values():
        found.edges.extend(_passes(mine, by_service, worth, found))
        found.edges.extend(_becomes(mine, {"role": roles, "user": users, "group": groups}))
        found.edges.extend(_code(mine, compute))
        found.writers.extend(_writes(mine, [*roles, *users]))
    assumers = _Sources(identities, [m for m in sources.values() if m.of(ASSUME)])
    for role in roles:
        found.edges.extend(_assumes(role, trusts.get(role.address, []), assumers))
    reached = {(e.source, e.kind) for e in found.edges}
    for mine in sources.values():
        _say_unresolved(mine, roles, reached, found)


class _Allows:
    """One source's allows of the actions above, asked per action and target."""

    def __init__(self, view: View, source: Identity, allows: list[Allow]) -> None:
        self.view = view
        self.source = source
        self._allows = allows

    def of(self, action: str) -> list[Allow]:
        return [a for a in self._allows if _grants_action(a.permission.action, action)]

    def on(self, action: str, target: str, names: _Names) -> list[tuple[Allow, Confidence]]:
        """Allows of ``action`` whose resource names the target (``names``), not taken
        away by a Deny or the boundary; ``target`` is how the target is written."""
        found: list[tuple[Allow, Confidence]] = []
        for allow in self.of(action):
            confidence = names(allow.permission.resource)
            if confidence is None or names.elsewhere(self.source, allow.permission.resource):
                continue
            if self.view.blocked(self.source, Permission(action=action, resource=target)):
                continue
            if allow.grant.unknown:
                confidence = weakest((confidence, "medium"))
            found.append((allow, confidence))
        return found

    def any(self, action: str) -> Allow | None:
        for allow in self.of(action):
            resource = allow.permission.resource
            if not self.view.blocked(self.source, Permission(action=action, resource=resource)):
                return allow
        return None


class _Names:
    """Whether a resource pattern names one identity or compute: high when certain,
    medium when only a literal account or region stands in the way, None when not."""

    def __init__(
        self,
        written: str | None,
        local: str,
        service: str,
        part: str,
        root: str = "",
        environment: str | None = None,
    ) -> None:
        self.written = written
        self.local = local
        self.service = service
        self.part = part
        self.root = root
        self.environment = environment

    def elsewhere(self, source: Identity, pattern: str) -> bool:
        """A wildcard that reaches into another root of another (or no) environment: two
        roots are two deployments (examples, accounts) unless they share one; only a
        name or ARN written out crosses between them."""
        if "*" not in pattern and "?" not in pattern:
            return False
        root = source.address.split(":", 1)[0]
        if root == self.root:
            return False
        return self.environment is None or source.environment != self.environment

    def __call__(self, pattern: str) -> Confidence | None:
        if pattern == "*":
            return "high"
        if self.written is not None and pattern == self.written:
            return "high"
        if pattern.startswith("${"):
            expression = pattern[2:-1]
            return "high" if expression.startswith(self.local + ".") else None
        if self.written is not None and self.written.startswith("arn:"):
            return "high" if matches(pattern, self.written, case_sensitive=False) else None
        fields = pattern.split(":", 5)
        if len(fields) != 6 or not matches(fields[2], self.service, case_sensitive=False):
            return None
        resource = fields[5]
        if not matches(resource, self.part, case_sensitive=False):
            # A role or user with a path (role/ci/deployer) where its name is written out;
            # the path itself is not in the model, a wildcard after one proves nothing.
            kind, _, name = self.part.partition("/")
            if not (
                resource.lower().startswith(kind.lower() + "/")
                and resource.rsplit("/", 1)[-1].lower() == name.lower()
            ):
                return None
        literal = any(c not in "*" for c in fields[4]) and bool(fields[4])
        return "medium" if literal else "high"


def _identity_names(identity: Identity) -> _Names:
    root, _, local = identity.address.partition(":")
    part = f"{identity.kind}/{plain_name(identity)}"
    return _Names(reference(identity), local, "iam", part, root, identity.environment)


def _workload_names(workload: Workload, service: str, part: str) -> _Names:
    root, _, local = workload.address.partition(":")
    named = part.format(name=workload.name)
    return _Names(None, local, service, named, root, workload.environment)


def _trusts(model: Model) -> dict[str, list[Trust]]:
    found: dict[str, list[Trust]] = {}
    for trust in model.trusts:
        found.setdefault(trust.identity, []).append(trust)
    return found


def _services(trusts: list[Trust]) -> dict[str, Trust]:
    """The service principals a role's trust lets in, with the statement."""
    found: dict[str, Trust] = {}
    for trust in trusts:
        if not lets_in(trust):
            continue
        for principal in trust.principals:
            if principal.startswith("Service:"):
                found.setdefault(principal.removeprefix("Service:"), trust)
    return found


def _passed_to(allow: Allow, service: str) -> bool:
    """The PassRole allow's iam:PassedToService condition, if any, admits ``service``."""
    for condition in allow.grant.conditions:
        if condition.key.lower() != "iam:passedtoservice":
            continue
        if condition.family == "not-string":
            return not any(matches(v, service, case_sensitive=False) for v in condition.values)
        if condition.family == "string":
            if condition.glob:
                return any(matches(v, service, case_sensitive=False) for v in condition.values)
            return any(v.lower() == service.lower() for v in condition.values)
    return True


# Past this many roles one rule may pass, only those worth following (a prize, or a
# role that can itself go further) get an edge; the others are said in a note. A
# monorepo with 1,500 node roles and 400 deployers would otherwise be 600,000 edges.
FANOUT = 64


# A role a service may assume: the role, the trust statement, and how it is named.
Passable = tuple[Identity, Trust, "_Names"]


def _by_service(roles: list[Identity], trusts: dict[str, list[Trust]]) -> dict[str, list[Passable]]:
    """The roles each service principal may assume, with the trust statement."""
    found: dict[str, list[Passable]] = {}
    for role in roles:
        services = sorted(_services(trusts.get(role.address, [])).items())
        names = _identity_names(role)
        for service, trust in services:
            found.setdefault(service, []).append((role, trust, names))
    return found


def _passes(
    mine: _Allows,
    by_service: dict[str, list[Passable]],
    worth: frozenset[str],
    found: Found,
) -> Iterator[Edge]:
    passing_allows = mine.of(PASS)
    if not passing_allows:
        return
    source = mine.source
    effective = mine.view.effective(source)
    # An unconditional PassRole on * with no Deny or boundary passes every role: no
    # need to ask about each one.
    everything = next(
        (
            a
            for a in passing_allows
            if a.permission.resource == "*" and not a.grant.conditions and not a.grant.unknown
        ),
        None,
    )
    if effective.denies or effective.boundary is not None:
        everything = None
    for service, candidates in sorted(by_service.items()):
        starting = next(
            (
                (create, verb, allow)
                for create, verb in PASS_TO.get(service, ())
                if (allow := mine.any(create)) is not None
            ),
            None,
        )
        if starting is None:
            continue
        create, verb, creating = starting
        matched: list[tuple[Identity, Trust, Allow, Confidence]] = []
        for role, trust, names in candidates:
            if role.address == source.address:
                continue
            if everything is not None and not names.elsewhere(source, "*"):
                matched.append((role, trust, everything, "high"))
                continue
            usable = [
                (a, c)
                for a, c in mine.on(PASS, reference(role) or "*", names)
                if _passed_to(a, service)
            ]
            if usable:
                matched.append((role, trust, *usable[0]))
        if len(matched) > FANOUT:
            kept = [m for m in matched if m[0].address in worth]
            found.note(
                source.address,
                f"it may pass {len(matched)} roles to {service}: only the"
                f" {len(kept)} that hold more or lead further were followed",
            )
            found.wide.append(
                Edge(
                    source.address,
                    f"*{service}",
                    "pass-role",
                    f"may pass any of {len(matched)} roles to {service} ({PASS}) and {verb}"
                    f" ({create})",
                    matched[0][2].grant.location,
                    where(creating.grant.location),
                    "low",
                    (PASS, create),
                )
            )
            matched = kept
        for role, trust, passing, confidence in matched:
            yield Edge(
                source.address,
                role.address,
                "pass-role",
                f"may pass {role.name} to {service} ({PASS}) and {verb} ({create})",
                passing.grant.location,
                where(creating.grant.location, trust.location),
                weakest((confidence, "medium" if trust.conditions else "high")),
                (PASS, create),
            )


def _becomes(mine: _Allows, targets: dict[str, list[Identity]]) -> Iterator[Edge]:
    for action, kind, words in BECOME:
        if not mine.of(action) or (kind == "group" and mine.source.kind != "user"):
            continue
        for target in targets.get(kind, []):
            if target.address == mine.source.address:
                continue
            allowed = mine.on(action, reference(target) or "*", _identity_names(target))
            if not allowed:
                continue
            allow, confidence = allowed[0]
            yield Edge(
                mine.source.address,
                target.address,
                _EDGE_KINDS[kind],
                f"may {words} {target.kind} {plain_name(target)} ({action})",
                allow.grant.location,
                where(target.location),
                confidence,
                (action,),
            )


def plain_name(identity: Identity) -> str:
    """The name as AWS knows it: a definition's name says why it is one, in brackets."""
    return identity.name.split(" (", 1)[0] if identity.definition else identity.name


def _writes(mine: _Allows, targets: list[Identity]) -> Iterator[Edge]:
    for action, kind in WRITE:
        if not mine.of(action):
            continue
        for target in targets:
            if target.kind != kind:
                continue
            allowed = mine.on(action, reference(target) or "*", _identity_names(target))
            if allowed:
                allow, confidence = allowed[0]
                yield _writer(mine.source, target, action, allow, confidence)
    for action in WRITE_ANY:
        anywhere = mine.any(action)
        if anywhere is None or anywhere.permission.resource != "*":
            continue
        # Any customer-managed policy: whoever has one attached can be rewritten.
        for target in targets:
            if any(
                g.effect == "allow" and g.policy is None and "aws_iam_policy" in g.via
                for g in mine.view.model.grants_of(target.address)
            ):
                yield _writer(mine.source, target, action, anywhere, "medium")


def _writer(
    source: Identity, target: Identity, action: str, allow: Allow, confidence: Confidence
) -> Edge:
    whose = "its own" if source.address == target.address else f"{target.kind} {target.name}'s"
    return Edge(
        source.address,
        target.address,
        "policy-write",
        f"may rewrite {whose} permissions ({action} on {allow.permission.resource})",
        allow.grant.location,
        where(target.location),
        confidence,
        (action,),
    )


def _compute(model: Model) -> list[tuple[Workload, str, str, tuple[tuple[str, str], ...]]]:
    found = []
    for address in sorted(model.workloads):
        workload = model.workloads[address]
        known = CODE.get(workload.kind)
        if known is not None and workload.identities:
            found.append((workload, *known))
    return found


def _code(
    mine: _Allows, compute: list[tuple[Workload, str, str, tuple[tuple[str, str], ...]]]
) -> Iterator[Edge]:
    for workload, service, part, routes in compute:
        names = _workload_names(workload, service, part)
        for action, words in routes:
            allowed = mine.on(action, "*", names) if mine.of(action) else []
            if not allowed:
                continue
            allow, confidence = allowed[0]
            for target in workload.identities:
                if target == mine.source.address:
                    continue
                yield Edge(
                    mine.source.address,
                    target,
                    "code",
                    f"may {words} {workload.kind} {workload.name}, which runs as it ({action})",
                    allow.grant.location,
                    where(workload.identity_location or workload.location),
                    confidence,
                    (action,),
                )
            break


def _assumes(role: Identity, trusts: list[Trust], sources: _Sources) -> Iterator[Edge]:
    names = _identity_names(role)
    for trust in trusts:
        if not lets_in(trust):
            continue
        for principal in trust.principals:
            if not principal.startswith("AWS:"):
                continue
            named = principal.removeprefix("AWS:")
            source = sources.by_reference.get(named)
            if source is not None:
                if source.address != role.address:
                    yield _named(role, trust, source)
                continue
            if not (named == "*" or named.endswith(":root") or named.isdigit()):
                continue
            # The account (or anyone): whoever may call sts:AssumeRole on the role.
            for mine in sources.assumers:
                if mine.source.address != role.address:
                    edge = _by_account(role, trust, named, mine, names)
                    if edge is not None:
                        yield edge


class _Sources:
    """Roles and users by how the repository writes their ARN, and those that hold
    sts:AssumeRole at all (the only ones an account-wide trust can let in)."""

    def __init__(self, identities: list[Identity], assumers: list[_Allows]) -> None:
        self.by_reference: dict[str, Identity] = {}
        for identity in identities:
            written = reference(identity)
            if written is not None:
                self.by_reference.setdefault(written, identity)
        self.assumers = assumers


def _named(role: Identity, trust: Trust, source: Identity) -> Edge:
    """The trust names the source itself: in one account, no identity policy is needed."""
    return Edge(
        source.address,
        role.address,
        "assume",
        f"may assume {role.name}, whose trust names it",
        trust.location,
        (),
        "medium" if trust.conditions else "high",
        (),
    )


def _by_account(
    role: Identity, trust: Trust, named: str, mine: _Allows, names: _Names
) -> Edge | None:
    allowed = mine.on(ASSUME, reference(role) or "*", names)
    if not allowed:
        return None
    allow, confidence = allowed[0]
    written = reference(mine.source)
    if named != "*" and not (written and written.startswith("arn:")):
        confidence = weakest((confidence, "medium"))  # the source's account is not known
    conditional: Confidence = "medium" if trust.conditions else "high"
    return Edge(
        mine.source.address,
        role.address,
        "assume",
        f"may assume {role.name} ({ASSUME} on {allow.permission.resource}; its trust lets"
        f" in {'anyone' if named == '*' else 'the account'})",
        allow.grant.location,
        where(trust.location),
        weakest((confidence, conditional)),
        (ASSUME,),
    )


def _say_unresolved(
    mine: _Allows, roles: list[Identity], reached: set[tuple[str, str]], found: Found
) -> None:
    """PassRole or AssumeRole that leads to no role declared here (``reached``: the
    sources and kinds of the edges found): where it leads is unknown, and a finding
    about the capability says so."""
    for action, kind in ((PASS, "pass-role"), (ASSUME, "assume")):
        for allow in mine.of(action):
            resource = allow.permission.resource
            if resource == "*":
                if (mine.source.address, kind) in reached:
                    continue
                text = (
                    f"{action} on * leads to no role declared here"
                    + (
                        " that it could hand to a service it can start"
                        if kind == "pass-role"
                        else ""
                    )
                    + ": roles managed elsewhere were not analysed"
                )
            elif any(_identity_names(r)(resource) for r in roles):
                continue
            else:
                text = f"{action} on {resource} names no role declared here: not analysed"
            found.note(mine.source.address, text)
