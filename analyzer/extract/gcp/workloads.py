"""GCP compute that runs as a service account → workloads, and the secrets they read.

Cloud Run services, Vertex AI endpoints, GKE node pools (and a cluster's own pools) and
Compute Engine instances. Where GCP falls back to the Compute Engine default service
account (a node pool or Cloud Run service without one), the workload runs as that
account, recorded as an undeclared identity of its project.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from driftgate.analyzer.extract.gcp.common import GcpContext, as_str, shown, string_map
from driftgate.analyzer.extract.gcp.paths import ID_PATHS, resource_name
from driftgate.analyzer.extract.inference import gpu_reason, model_server_reason, selector_reason
from driftgate.analyzer.extract.literals import env_literal, plaintext
from driftgate.analyzer.model import Credential, Location, Workload
from driftgate.analyzer.terraform.blocks import BlockView
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue, Value

# Machine families that come with GPUs (or TPUs) attached, without a guest_accelerator.
_ACCELERATOR_MACHINES = ("a2-", "a3-", "a4-", "g2-", "g4-", "ct4", "ct5", "ct6")


def _first(views: list[BlockView]) -> BlockView | None:
    return views[0] if views else None


def _account(view: BlockView, attribute: str) -> Value:
    """The account a block names; a ``dynamic`` block nobody can expand names an unknown one."""
    value = view.get(attribute)
    if value is None and view.unknown is not None:
        return UnknownValue(view.unknown, "dynamic block")
    return value


def _accelerators(view: BlockView | ResourceInstance) -> list[tuple[str, Value]]:
    """(type, count) of every guest accelerator, written as blocks or as a list."""
    found = [(shown(a.get("type")), a.get("count")) for a in view.children("guest_accelerator")]
    listed = view.get("guest_accelerator")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, Mapping):
            found.append((shown(item.get("type")), item.get("count")))
    return found


def _gpu_node_reason(view: BlockView | ResourceInstance | None) -> str | None:
    """Why a machine (node config, instance) carries accelerators, or None."""
    if view is None:
        return None
    for kind, count in _accelerators(view):
        # An unknown count still asks for the accelerator; only a known 0 asks for none.
        if not (isinstance(count, int) and not isinstance(count, bool) and count <= 0):
            return f"guest_accelerator {kind}"
    machine = as_str(view.get("machine_type"))
    if machine is not None and machine.startswith(_ACCELERATOR_MACHINES):
        return f"machine type {machine} has accelerators attached"
    return None


class WorkloadExtractor:
    def __init__(self, ctx: GcpContext) -> None:
        self.ctx = ctx

    def add(
        self,
        inst: ResourceInstance,
        *,
        address: str | None = None,
        name: Value,
        identities: Iterable[str],
        credentials: Iterable[str] = (),
        labels: dict[str, str],
        reasons: Iterable[str | None] = (),
        images: Iterable[str] = (),
        location: Location | None = None,
    ) -> Workload:
        """Record a workload; the configuration's selectors come before built-in reasons."""
        images = list(images)
        selectors = self.ctx.options.inference
        reason = selector_reason(selectors, resource_type=inst.type, labels=labels, images=images)
        candidates = [*(model_server_reason(image) for image in images), *reasons]
        reason = reason or next((r for r in candidates if r), None)
        workload = Workload(
            address=address or inst.full_address,
            kind=inst.type,
            name=name if isinstance(name, str) else inst.name,
            environment=self.ctx.environment(inst, labels),
            identities=tuple(dict.fromkeys(identities)),
            credentials=tuple(dict.fromkeys(credentials)),
            inference=reason is not None,
            inference_reason=reason,
            owner=self.ctx.options.owner_from(labels),
            labels=labels,
            location=location or self.ctx.location(inst),
        )
        self.ctx.model.workloads[workload.address] = workload
        return workload

    def runs_as(self, inst: ResourceInstance, value: Value) -> str:
        """The identity of a ``service_account`` argument; unset means the default one."""
        identity = self.ctx.service_account(inst, value)
        return identity or self.ctx.default_compute(inst, inst.get("project"))

    # ---- secrets --------------------------------------------------------------------

    def secret(self, inst: ResourceInstance, value: Value, where: Location) -> str | None:
        """A Secret Manager secret the workload reads, as a static-secret credential."""
        if value is None:
            return None
        path = self._secret_path(inst, value)
        address = f"gcp:secret/{path}"
        self.ctx.model.credentials.setdefault(
            address,
            Credential(
                address=address,
                kind="static_secret",
                environment=self.ctx.environment(inst, string_map(inst.get("labels"))),
                location=where,
            ),
        )
        return address

    def plaintext_env(self, inst: ResourceInstance, container: str, env: BlockView) -> str | None:
        """A literal secret written as an environment variable's value."""
        found = env_literal(env)
        if found is None:
            return None
        name, value = found
        credential = plaintext(
            f"{inst.full_address}/container/{container}/env/{name}",
            value,
            self.ctx.environment(inst, string_map(inst.get("labels"))),
            Location(path=inst.path, line=env.line_of("value")),
        )
        self.ctx.model.credentials[credential.address] = credential
        return credential.address

    def _secret_path(self, inst: ResourceInstance, value: Value) -> str:
        if isinstance(value, ResourceRef):
            target = self.ctx.instance(inst, value)
            if target is not None and target.type == "google_secret_manager_secret":
                return resource_name(self.ctx, target, ID_PATHS[target.type])[0]
        if isinstance(value, str) and value.startswith("projects/") and "/secrets/" in value:
            head, _, tail = value.partition("/secrets/")
            return f"{head}/secrets/{tail.split('/', 1)[0]}"  # without /versions/…
        project = inst.get("project")
        if project is None:
            project = UnknownValue(f"{inst.address}.project", "provider default")
        return f"projects/{shown(project)}/secrets/{shown(value)}"

    # ---- Cloud Run ------------------------------------------------------------------

    def _containers(
        self,
        inst: ResourceInstance,
        containers: list[BlockView],
        secret_ref: tuple[str, str],
        images: list[str],
        reasons: list[str | None],
        secrets: list[str | None],
    ) -> None:
        """Images, GPU limits and secrets of Cloud Run containers; ``secret_ref`` names the
        env block that refers to a secret and its secret attribute (v1 and v2 differ)."""
        source_block, attribute = secret_ref
        for index, container in enumerate(containers):
            if image := as_str(container.get("image")):
                images.append(image)
            for resources in container.children("resources"):
                reasons.append(gpu_reason({"limits": resources.get("limits")}))
            container_name = as_str(container.get("name")) or str(index)
            for env in container.children("env"):
                secrets.append(self.plaintext_env(inst, container_name, env))
                for source in env.children(source_block):
                    for ref in source.children("secret_key_ref"):
                        where = Location(path=inst.path, line=ref.line_of(attribute))
                        secrets.append(self.secret(inst, ref.get(attribute), where))

    def cloud_run_v2(self, inst: ResourceInstance) -> None:
        labels = string_map(inst.get("labels"))
        template = _first(inst.children("template"))
        account: Value = None
        images: list[str] = []
        reasons: list[str | None] = []
        secrets: list[str | None] = []
        if template is not None:
            labels = {**string_map(template.get("labels")), **labels}
            account = _account(template, "service_account")
            containers = template.children("containers")
            self._containers(inst, containers, ("value_source", "secret"), images, reasons, secrets)
            for selector in template.children("node_selector"):
                if accelerator := selector.get("accelerator"):
                    reasons.append(f"node_selector accelerator {shown(accelerator)}")
            for volume in template.children("volumes"):
                for mounted in volume.children("secret"):
                    where = Location(path=inst.path, line=mounted.line_of("secret"))
                    secrets.append(self.secret(inst, mounted.get("secret"), where))
        self._add_service(inst, account, secrets, labels, reasons, images)

    def cloud_run_v1(self, inst: ResourceInstance) -> None:
        labels: dict[str, str] = {}
        for metadata in inst.children("metadata"):
            labels.update(string_map(metadata.get("labels")))
        account: Value = None
        images: list[str] = []
        reasons: list[str | None] = []
        secrets: list[str | None] = []
        for template in inst.children("template"):
            for metadata in template.children("metadata"):
                labels = {**string_map(metadata.get("labels")), **labels}
            for spec in template.children("spec"):
                account = spec.get("service_account_name")
                containers = spec.children("containers")
                self._containers(inst, containers, ("value_from", "name"), images, reasons, secrets)
                for volume in spec.children("volumes"):
                    for mounted in volume.children("secret"):
                        where = Location(path=inst.path, line=mounted.line_of("secret_name"))
                        secrets.append(self.secret(inst, mounted.get("secret_name"), where))
        self._add_service(inst, account, secrets, labels, reasons, images)

    def _add_service(
        self,
        inst: ResourceInstance,
        account: Value,
        secrets: list[str | None],
        labels: dict[str, str],
        reasons: list[str | None],
        images: list[str],
    ) -> None:
        """A Cloud Run service (v1 or v2), running as ``account``."""
        self.add(
            inst,
            name=inst.get("name"),
            identities=[self.runs_as(inst, account)],
            credentials=[s for s in secrets if s],
            labels=labels,
            reasons=reasons,
            images=images,
        )

    # ---- Vertex AI --------------------------------------------------------------------

    def vertex_endpoint(self, inst: ResourceInstance) -> None:
        # The models deployed to an endpoint (and the account they run as) are not
        # arguments of the endpoint resource: its identity is not known here.
        self.add(
            inst,
            name=inst.get("display_name") or inst.get("name"),
            identities=(),
            labels=string_map(inst.get("labels")),
            reasons=["Vertex AI endpoint"],
        )

    # ---- GKE --------------------------------------------------------------------------

    def node_pool(self, inst: ResourceInstance) -> None:
        config = _first(inst.children("node_config"))
        self._nodes(inst, config, name=inst.get("name"), address=None, location=None)

    def _nodes(
        self,
        inst: ResourceInstance,
        config: BlockView | None,
        *,
        name: Value,
        address: str | None,
        location: Location | None,
        account: Value = None,
    ) -> None:
        labels: dict[str, str] = {}
        if config is not None:
            labels = {
                **string_map(config.get("resource_labels")),
                **string_map(config.get("labels")),
            }
            account = _account(config, "service_account") or account
        self.add(
            inst,
            address=address,
            name=name,
            identities=[self.runs_as(inst, account)],
            labels=labels,
            reasons=[_gpu_node_reason(config)],
            location=location,
        )

    def cluster(self, inst: ResourceInstance) -> None:
        """A cluster's default pool (unless removed), Autopilot nodes and inline pools."""
        autopilot = inst.get("enable_autopilot") is True
        account: Value = None
        for scaling in inst.children("cluster_autoscaling") if autopilot else []:
            for defaults in scaling.children("auto_provisioning_defaults"):
                account = defaults.get("service_account")
        pools = inst.children("node_pool")
        # Inline node pools replace the default pool that `node_config` would describe.
        default_pool = not pools and inst.get("remove_default_node_pool") is not True
        if autopilot or default_pool:
            config = _first(inst.children("node_config"))
            self._nodes(
                inst, config, name=inst.get("name"), address=None, location=None, account=account
            )
        for index, pool in enumerate(pools):
            pool_name = pool.get("name")
            key = pool_name if isinstance(pool_name, str) else str(index)
            self._nodes(
                inst,
                _first(pool.children("node_config")),
                name=pool_name,
                address=f'{inst.full_address}.node_pool["{key}"]',
                location=Location(path=inst.path, line=pool.line),
            )

    # ---- Compute Engine ----------------------------------------------------------------

    def compute_instance(self, inst: ResourceInstance) -> None:
        """An instance without a ``service_account`` block has no identity at all."""
        identities = []
        for block in inst.children("service_account"):
            identities.append(self.runs_as(inst, _account(block, "email")))
        labels = string_map(inst.get("labels"))
        self.add(
            inst,
            name=inst.get("name") or inst.get("name_prefix"),
            identities=identities,
            labels=labels,
            reasons=[_gpu_node_reason(inst)],
        )
