"""What the GCP extractor's parts share: the model being built and who is who.

Service accounts are recorded first; everything else names one by reference
(``google_service_account.x.email``), by e-mail, by resource path
(``projects/p/serviceAccounts/e``) or by an expression nobody can evaluate. All of those
end at one identity address here, so grants, trusts, keys and workloads agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from driftgate.analyzer.extract.addresses import external_address, k8s_address
from driftgate.analyzer.extract.context import ExtractContext, one_line
from driftgate.analyzer.extract.external_refs import external_object
from driftgate.analyzer.model import Location, Unknown
from driftgate.analyzer.parse import hcl_ast as ast
from driftgate.analyzer.terraform.evaluate import Evaluator
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value, display, to_str

SA_DOMAIN = ".iam.gserviceaccount.com"
# `PROJECT.svc.id.goog[namespace/name]`: a Kubernetes ServiceAccount under GKE Workload
# Identity, as an IAM member names it.
_WI_MEMBER = re.compile(r"^([^\[\]]+)\.svc\.id\.goog\[([^/\[\]$]+)/([^/\[\]$]+)\]$")
# The direct Workload Identity Federation form of the same subject.
_WI_PRINCIPAL = re.compile(
    r"^principal://iam\.googleapis\.com/projects/[^/]+/locations/global/"
    r"workloadIdentityPools/[^/]+\.svc\.id\.goog/subject/ns/([^/$]+)/sa/([^/$]+)$"
)
# E-mails of the service accounts Google creates in every project.
_DEFAULT_SA = re.compile(
    r"^\d+-compute@developer\.gserviceaccount\.com$|@appspot\.gserviceaccount\.com$"
)
DEFAULT_COMPUTE = "default-compute@developer"
_PARTIAL = "template with unknown parts"


def as_str(value: Value) -> str | None:
    return value if isinstance(value, str) else None


def string_map(value: Value) -> dict[str, str]:
    """A labels map as strings; unknown values are shown, never dropped."""
    if not isinstance(value, dict):
        return {}
    return {str(k): display(v) for k, v in value.items() if v is not None}


def shown(value: Value) -> str:
    """A value as a reviewer reads it; a template shows its text, known parts filled in."""
    if isinstance(value, UnknownValue) and (value.reason == _PARTIAL or "${" in value.expression):
        return value.expression
    return display(value)


def partial(text: str) -> UnknownValue:
    """Text with ``${...}`` parts that :func:`shown` presents as it is."""
    return UnknownValue(text, _PARTIAL)


def render(expr: ast.Expr, evaluator: Evaluator) -> Value:
    """Like evaluation, but a string template keeps what is known around unknown parts.

    ``"serviceAccount:${var.sa}"`` with ``var.sa`` unknown becomes the text
    ``serviceAccount:${var.sa}`` (an UnknownValue), not the whole template as written.
    """
    if not isinstance(expr, ast.Template):
        return evaluator.eval(expr)
    unknown = False

    def part(expr: ast.Expr) -> str:
        nonlocal unknown
        value = to_str(evaluator.eval(expr))
        unknown = unknown or isinstance(value, UnknownValue)
        return display(value)

    text = expr.join(part)
    return partial(text) if unknown else text


def template_ref(expr: ast.Expr, evaluator: Evaluator, prefix: str) -> Value | None:
    """The value interpolated in ``"<prefix>${x}"``: a reference survives, unlike in eval."""
    if not isinstance(expr, ast.Template) or len(expr.parts) != 2:
        return None
    head, tail = expr.parts
    if head != prefix or isinstance(tail, str):
        return None
    return evaluator.eval(tail)


def wi_subject(member: str) -> tuple[str, str] | None:
    """(namespace, name) of the Kubernetes ServiceAccount a Workload Identity member names."""
    body = member.removeprefix("serviceAccount:")
    if match := _WI_MEMBER.match(body):
        return match.group(2), match.group(3)
    if match := _WI_PRINCIPAL.match(member):
        return match.group(1), match.group(2)
    return None


def email_of(text: str) -> str:
    """The e-mail in ``projects/p/serviceAccounts/e`` (or ``e`` itself), lower-cased."""
    if "/serviceAccounts/" in text:
        text = text.rsplit("/serviceAccounts/", 1)[1]
    return text.strip().lower()


@dataclass
class GcpContext(ExtractContext):
    PROVIDER = "gcp"
    # full address → instance, for references to other resources and data sources.
    instances: dict[str, ResourceInstance] = field(default_factory=dict)
    # Declared service accounts by principal e-mail, and by (root, account id) for those
    # whose project is not known (their e-mail is then unknown too).
    by_email: dict[str, list[str]] = field(default_factory=dict)
    by_account_id: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # Workload identity pools by (root, pool id): providers name their pool by id.
    pools: dict[tuple[str, str], str] = field(default_factory=dict)
    # Declared buckets by (root, name), built on first use (after every instance is in).
    _buckets: dict[tuple[str, str], list[ResourceInstance]] | None = None

    def buckets_named(self, inst: ResourceInstance, name: str) -> list[ResourceInstance]:
        """The ``google_storage_bucket`` resources of ``inst``'s root named ``name``."""
        if self._buckets is None:
            self._buckets = {}
            for other in self.instances.values():
                if other.type != "google_storage_bucket" or other.mode != "resource":
                    continue
                if isinstance(declared := other.get("name"), str):
                    self._buckets.setdefault((other.root.label, declared), []).append(other)
        return self._buckets.get((inst.root.label, name), [])

    def first_line(self, inst: ResourceInstance) -> Location:
        return Location(path=inst.path, line=inst.block.line)

    def instance(self, inst: ResourceInstance, ref: ResourceRef) -> ResourceInstance | None:
        return self.instances.get(inst.address_of(ref))

    # ---- service accounts ------------------------------------------------------------

    def service_account(self, inst: ResourceInstance, value: Value) -> str | None:
        """The identity a service-account argument names; None when it names none."""
        if isinstance(value, ResourceRef):
            target = self.instance(inst, value)
            if target is None:
                return self.unknown_account(inst, value)
            if target.type == "google_service_account" and target.mode == "resource":
                return target.full_address
            if target.type == "google_service_account" and target.mode == "data":
                email = _data_account_email(target)
                if email is not None:
                    return self.by_principal(inst, email)
            read = external_object(value, target)
            if read is not None:
                return external_address("gcp", read)
            return self.unknown_account(inst, value)
        if isinstance(value, UnknownValue):
            return self.unknown_account(inst, value)
        if isinstance(value, str) and value.strip():
            return self.by_principal(inst, email_of(value.removeprefix("serviceAccount:")))
        return None

    def by_principal(self, inst: ResourceInstance, email: str) -> str:
        """A declared service account with this e-mail, else one no file declares."""
        if subject := wi_subject("serviceAccount:" + email):
            return self.kubernetes_account(inst, *subject)
        candidates = self.by_email.get(email, [])
        same_root = [c for c in candidates if c.startswith(inst.root.label + ":")]
        for found in (same_root, candidates):
            if len(found) == 1:
                return found[0]
        account_id, _, domain = email.partition("@")
        if domain.endswith(SA_DOMAIN):
            # The project of the declaring resource is unknown: its account id is all
            # that the e-mail can be matched on, and only within the same root.
            by_id = self.by_account_id.get((inst.root.label, account_id), [])
            if len(by_id) == 1:
                return by_id[0]
        default = bool(_DEFAULT_SA.search(email))
        kind = "default_service_account" if default else "service_account"
        return self.placeholder(external_address("gcp", email), email, kind, email)

    def unknown_account(self, inst: ResourceInstance, value: UnknownValue) -> str:
        """An identity known only by the expression that names it in one module instance.

        The same expression in the same module instance names the same account; in
        another root or module instance it may name another one, so the address
        includes both and never matches across environments.
        """
        text = one_line(shown(value))
        address = f"{inst.root.label}:{inst.module_prefix}{text}"
        principal = Unknown(unknown=value.expression)
        environment = self.environment(inst)
        return self.placeholder(
            address, principal, "service_account", text, environment=environment
        )

    def default_compute(self, inst: ResourceInstance, project: Value) -> str:
        """The Compute Engine default service account of the project ``inst`` runs in.

        Its e-mail needs the project number, which configuration never holds; the
        address names the project (or, when the provider's default project is used, the
        root), so that two environments' default accounts stay two identities.
        """
        where = project if isinstance(project, str) else f"{inst.root.label} provider project"
        return self.placeholder(
            external_address("gcp", f"{DEFAULT_COMPUTE}[{where}]"),
            Unknown(unknown="PROJECT_NUMBER-compute@developer.gserviceaccount.com"),
            "default_service_account",
            f"Compute Engine default service account ({where})",
            environment=self.environment(inst),
        )

    def kubernetes_account(self, inst: ResourceInstance, namespace: str, name: str) -> str:
        """A Kubernetes ServiceAccount named by a Workload Identity member.

        The Kubernetes extractor's declaration replaces this placeholder when merged.
        """
        return self.placeholder(
            k8s_address(namespace, "ServiceAccount", name),
            f"system:serviceaccount:{namespace}:{name}",
            "ServiceAccount",
            name,
            environment=self.options.environments.resolve(inst.root.env_path, namespace),
            provider="kubernetes",
        )


def _data_account_email(inst: ResourceInstance) -> str | None:
    """The e-mail a ``data "google_service_account"`` reads, when its arguments tell it."""
    account = as_str(inst.get("account_id"))
    if account is None:
        return None
    if "@" in account or "/" in account:
        return email_of(account)
    project = as_str(inst.get("project"))
    return f"{account}@{project}{SA_DOMAIN}".lower() if project else None
