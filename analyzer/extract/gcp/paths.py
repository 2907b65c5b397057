"""Cloud resource names (``projects/p/secrets/s``) of the resources IAM policies are on.

GCP IAM resources name their target by a few arguments (project, location, id); the
same resource is named the same way whichever spelling the configuration uses: short
ids, full names, or a reference to the resource's computed ``id``.
"""

from __future__ import annotations

from driftgate.analyzer.extract.gcp.common import GcpContext, shown
from driftgate.analyzer.terraform.modules import ResourceInstance
from driftgate.analyzer.terraform.values import ResourceRef, UnknownValue

Spec = tuple[tuple[str, str], ...]

# How each family of IAM resources names the resource its policy is on: the arguments,
# in order, and the collection of the Cloud resource name each one fills.
TARGETS: dict[str, Spec] = {
    "organization": (("org_id", "organizations"),),
    "folder": (("folder", "folders"),),
    "project": (("project", "projects"),),
    "billing_account": (("billing_account_id", "billingAccounts"),),
    "service_account": (("service_account_id", ""),),
    "storage_bucket": (("bucket", "projects/_/buckets"),),
    "secret_manager_secret": (("project", "projects"), ("secret_id", "secrets")),
    "kms_key_ring": (("key_ring_id", ""),),
    "kms_crypto_key": (("crypto_key_id", ""),),
    "bigquery_dataset": (("project", "projects"), ("dataset_id", "datasets")),
    "bigquery_table": (
        ("project", "projects"),
        ("dataset_id", "datasets"),
        ("table_id", "tables"),
    ),
    "artifact_registry_repository": (
        ("project", "projects"),
        ("location", "locations"),
        ("repository", "repositories"),
    ),
    "pubsub_topic": (("project", "projects"), ("topic", "topics")),
    "pubsub_subscription": (("project", "projects"), ("subscription", "subscriptions")),
    "vertex_ai_endpoint": (
        ("project", "projects"),
        ("location", "locations"),
        ("endpoint", "endpoints"),
    ),
    "cloud_run_v2_service": (
        ("project", "projects"),
        ("location", "locations"),
        ("name", "services"),
    ),
    "cloud_run_v2_job": (("project", "projects"), ("location", "locations"), ("name", "jobs")),
    "cloud_run_service": (
        ("project", "projects"),
        ("location", "locations"),
        ("service", "services"),
    ),
}
# Resources whose computed ``id``/``name`` another resource may pass as an IAM target:
# the Cloud resource name is rebuilt from their own arguments.
ID_PATHS: dict[str, Spec] = {
    "google_kms_key_ring": (
        ("project", "projects"),
        ("location", "locations"),
        ("name", "keyRings"),
    ),
    "google_kms_crypto_key": (("key_ring", ""), ("name", "cryptoKeys")),
    "google_secret_manager_secret": (("project", "projects"), ("secret_id", "secrets")),
    "google_pubsub_topic": (("project", "projects"), ("name", "topics")),
    "google_bigquery_dataset": (("project", "projects"), ("dataset_id", "datasets")),
    "google_storage_bucket": (("name", "projects/_/buckets"),),
    "google_vertex_ai_endpoint": (
        ("project", "projects"),
        ("location", "locations"),
        ("name", "endpoints"),
    ),
    "google_artifact_registry_repository": (
        ("project", "projects"),
        ("location", "locations"),
        ("repository_id", "repositories"),
    ),
    "google_cloud_run_v2_service": (
        ("project", "projects"),
        ("location", "locations"),
        ("name", "services"),
    ),
}
_ROOTS = ("projects/", "organizations/", "folders/", "billingAccounts/")
_ROOTS = ("projects/", "organizations/", "folders/", "billingAccounts/")
_MAX_REF_DEPTH = 4


def resource_name(
    ctx: GcpContext, inst: ResourceInstance, spec: Spec, depth: int = 0
) -> tuple[str, tuple[str, ...]]:
    """The name the arguments of ``spec`` build, and the parts of it that are unknown."""
    segments: list[str] = []
    unknown: list[str] = []
    for attribute, collection in spec:
        text, missing = _segment(ctx, inst, attribute, depth)
        if not missing and text.startswith(_ROOTS):
            # A full resource name restarts the path: what came before does not count.
            segments, unknown = [text], []
            continue
        unknown.extend(missing)
        if collection and not text.startswith(collection + "/"):
            segments.append(f"{collection}/{text}")
        else:
            segments.append(text)
    return "/".join(segments), tuple(unknown)


def _segment(
    ctx: GcpContext, inst: ResourceInstance, attribute: str, depth: int
) -> tuple[str, list[str]]:
    value = inst.get(attribute)
    if value is None:
        # Left out: the provider's default (project, region) applies.
        value = UnknownValue(f"{inst.address}.{attribute}", "provider default")
    if isinstance(value, ResourceRef) and depth < _MAX_REF_DEPTH:
        target = ctx.instance(inst, value)
        if target is not None and target.type == "google_storage_bucket":
            if value.attribute in ("id", "name"):
                return bucket_path(ctx, target, depth + 1)
        elif target is not None and target.type in ID_PATHS and value.attribute in ("id", "name"):
            path, unknown = resource_name(ctx, target, ID_PATHS[target.type], depth + 1)
            return path, list(unknown)
    text = shown(value)
    if isinstance(value, str) and attribute == "bucket" and not text.startswith(_ROOTS):
        # A bucket named by its (global) name: in the project that declares it, if any.
        declared = _declared_bucket(ctx, inst, text)
        if declared is not None and depth < _MAX_REF_DEPTH:
            return bucket_path(ctx, declared, depth + 1)
    return text, [text] if isinstance(value, UnknownValue) else []


def bucket_path(ctx: GcpContext, bucket: ResourceInstance, depth: int) -> tuple[str, list[str]]:
    """``projects/p/buckets/b`` when the bucket's project is known, so that a role on
    the project is seen to contain it; else IAM's own ``projects/_/buckets/b``."""
    name, missing = _segment(ctx, bucket, "name", depth)
    if missing:
        return f"projects/_/buckets/{name}", missing
    project = bucket.get("project")
    if isinstance(project, str) and project and "/" not in project:
        return f"projects/{project}/buckets/{name}", []
    return f"projects/_/buckets/{name}", []


def _declared_bucket(ctx: GcpContext, inst: ResourceInstance, name: str) -> ResourceInstance | None:
    """The one ``google_storage_bucket`` of the same root named ``name``."""
    found = ctx.buckets_named(inst, name)
    return found[0] if len(found) == 1 else None
