"""Generate a kustomize tree of many RBAC roles whose last commit changes one of them.

    python benchmarks/generate_rbac.py OUT [--roles 1000]

The shape of an operator repository (kubeflow/manifests, kserve): one controller
ServiceAccount bound to a fifth of the roles, ClusterRoles of a few rules each, all in one
multi-document file; and teams whose namespaced Roles are bound to a handful of
ServiceAccounts each. The last commit adds one verb, on a line of its own, to the first
ClusterRole of that file, so every rule below it moves: ``driftgate scan --base HEAD~1``
must find that one verb without comparing the thousands of rules that only moved.
All content is written here (no third-party code).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import first_commit

# (apiGroup, resources) pairs the generated rules cycle through.
KINDS = (
    ("", ("configmaps", "secrets")),
    ("", ("pods", "pods/log")),
    ("apps", ("deployments", "statefulsets")),
    ("batch", ("jobs", "cronjobs")),
    ("serving.kserve.io", ("inferenceservices", "servingruntimes")),
    ("kubeflow.org", ("notebooks", "profiles")),
    ("networking.k8s.io", ("ingresses", "networkpolicies")),
)
READ = ("get", "list", "watch")
TEAM_ROLES = 20
ACCOUNTS_PER_TEAM = 5


def _listed(values: tuple[str, ...]) -> str:
    """A YAML block list, one item a line, as kubebuilder writes RBAC rules."""
    return "".join(f'      - "{v}"\n' for v in values)


def _role(kind: str, name: str, namespace: str | None, n: int, extra: tuple[str, ...]) -> str:
    meta = f"  name: {name}\n" + (f"  namespace: {namespace}\n" if namespace else "")
    rules = ""
    for r in range(3):
        group, resources = KINDS[(n + r) % len(KINDS)]
        verbs = READ + (("create", "update", "patch") if (n + r) % 3 == 0 else ())
        if r == 0:
            verbs += extra
        rules += (
            f"  - apiGroups:\n{_listed((group,))}    resources:\n{_listed(resources)}"
            f"    verbs:\n{_listed(verbs)}"
        )
    return (
        f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n{meta}rules:\n{rules}"
    )


def _binding(kind: str, name: str, namespace: str | None, role: str, account: str, ns: str) -> str:
    meta = f"  name: {name}\n" + (f"  namespace: {namespace}\n" if namespace else "")
    return f"""apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata:
{meta}subjects:
  - kind: ServiceAccount
    name: {account}
    namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {kind.removesuffix("Binding")}
  name: {role}
"""


def _account(name: str) -> str:
    return f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"


def _kustomization(resources: list[str], namespace: str | None = None) -> str:
    head = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
    if namespace:
        head += f"namespace: {namespace}\n"
    return head + "resources:\n" + "".join(f"  - {r}\n" for r in resources)


def _controller(cluster_roles: int, extra: tuple[str, ...] = ()) -> dict[str, str]:
    roles = [
        _role("ClusterRole", f"manager-role-{i:03d}", None, i, extra if i == 0 else ())
        for i in range(cluster_roles)
    ]
    bindings = [
        _binding(
            "ClusterRoleBinding", f"manager-{i:03d}", None, f"manager-role-{i:03d}", "manager", "ml"
        )
        for i in range(cluster_roles)
    ]
    return {
        "controller/kustomization.yaml": _kustomization(
            ["serviceaccount.yaml", "clusterroles.yaml", "clusterrolebindings.yaml"], "ml"
        ),
        "controller/serviceaccount.yaml": _account("manager"),
        "controller/clusterroles.yaml": "---\n".join(roles),
        "controller/clusterrolebindings.yaml": "---\n".join(bindings),
    }


def _team(t: int) -> dict[str, str]:
    ns = f"team-{t:03d}"
    accounts = [f"{ns}-sa-{a}" for a in range(ACCOUNTS_PER_TEAM)]
    roles, bindings = [], []
    for r in range(TEAM_ROLES):
        role = f"{ns}-role-{r:02d}"
        roles.append(_role("Role", role, ns, t + r, ()))
        account = accounts[r % ACCOUNTS_PER_TEAM]
        bindings.append(_binding("RoleBinding", role, ns, role, account, ns))
    base = f"teams/{ns}"
    return {
        f"{base}/kustomization.yaml": _kustomization(
            ["serviceaccounts.yaml", "roles.yaml", "rolebindings.yaml"], ns
        ),
        f"{base}/serviceaccounts.yaml": "---\n".join(_account(a) for a in accounts),
        f"{base}/roles.yaml": "---\n".join(roles),
        f"{base}/rolebindings.yaml": "---\n".join(bindings),
    }


def generate(out: Path, roles: int) -> tuple[int, int]:
    """Write the tree and its two commits; the number of roles and of files."""
    cluster_roles = max(1, roles // 5)
    teams = max(1, (roles - cluster_roles) // TEAM_ROLES)
    files = _controller(cluster_roles)
    for t in range(teams):
        files.update(_team(t))
    files["kustomization.yaml"] = _kustomization(
        ["controller", *(f"teams/team-{t:03d}" for t in range(teams))]
    )
    git = first_commit(out, files, "operator and team roles")
    # The pull request: the controller may now delete what its first ClusterRole names.
    changed = _controller(cluster_roles, ("delete",))["controller/clusterroles.yaml"]
    (out / "controller/clusterroles.yaml").write_text(changed, encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-am", "manager: delete what it manages"], check=True)
    return cluster_roles + teams * TEAM_ROLES, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=1000, help="Roles and ClusterRoles")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    roles, files = generate(args.out, args.roles)
    print(f"{args.out}: {roles} roles with their bindings in {files} files, 2 commits")


if __name__ == "__main__":
    main()
