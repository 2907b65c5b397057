"""DG105 trust-growth: the trust delta (analyzer/diff/trusts.py) and the check's drafts.

Models are built by hand here, in the notation each extractor gives trusts (see
analyzer/extract/aws/policy.py, gcp/iam.py, azure/grants.py, vault/auth.py); the
scenarios under testdata/scenarios/dg105-* and neg-dg105-* run the real extractors.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from driftgate.analyzer.checkapi import CheckContext, Draft, Severity
from driftgate.analyzer.diff import TrustDelta, trust_deltas
from driftgate.analyzer.diff.trusts import implies
from driftgate.analyzer.model import Identity, Location, Model, Provider, Trust, Workload
from driftgate.analyzer.providers import human, principal_covers, spec
from driftgate.checks import BY_ID
from driftgate.checks.dg105_trust_growth import CHECK

ROLE = "envs/prod:aws_iam_role.llm"
PATH = "envs/prod/iam.tf"
GITHUB = "Federated:arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"
PIPELINE = "AWS:arn:aws:iam::111122223333:role/release-pipeline"


def _identity(
    provider: Provider = "aws", address: str = ROLE, principal: str | None = None
) -> Identity:
    return Identity(
        address=address,
        principal=principal,
        provider=provider,
        kind="role",
        name=address.rsplit(".", 1)[-1],
        environment="prod",
        location=Location(path=PATH, line=1),
    )


def _trust(
    *principals: str,
    conditions: tuple[str, ...] = (),
    actions: tuple[str, ...] = ("sts:AssumeRole",),
    line: int = 10,
    identity: str = ROLE,
    via: str = "aws_iam_role.llm.assume_role_policy statement 1",
    provider: str = "aws",
) -> Trust:
    return Trust(
        identity=identity,
        principals=principals,
        actions=actions,
        # Written in the provider's notation, read as its extractor would.
        conditions=tuple(spec(provider).parse_conditions(conditions)),
        via=via,
        location=Location(path=PATH, line=line),
    )


def _model(
    *trusts: Trust,
    identity: Identity | None = None,
    workloads: tuple[Workload, ...] = (),
) -> Model:
    found = identity or _identity()
    return Model(
        identities={found.address: found},
        trusts=list(trusts),
        workloads={w.address: w for w in workloads},
    )


def _deltas(base: Model, head: Model) -> list[TrustDelta]:
    return trust_deltas(base, head)


def _one(base: Model, head: Model) -> TrustDelta:
    (delta,) = _deltas(base, head)
    return delta


def _drafts(base: Model | None, head: Model) -> list[Draft]:
    return list(CHECK.run(CheckContext(head, base)))


def _github(*conditions: str, line: int = 10) -> Trust:
    return _trust(
        GITHUB, conditions=conditions, actions=("sts:AssumeRoleWithWebIdentity",), line=line
    )


# --- AWS principals -----------------------------------------------------------------------


def test_a_second_accounts_role_is_a_new_principal_from_another_account() -> None:
    vendor = "AWS:arn:aws:iam::444455556666:role/vendor-mlops"
    base = _model(_trust(PIPELINE))
    head = _model(_trust(PIPELINE), _trust(vendor, line=17))
    delta = _one(base, head)
    assert delta.principals == (vendor,)
    assert delta.location == Location(path=PATH, line=17)
    assert delta.loosened == ()
    assert delta.added[0].was is None
    assert delta.added[0].other_account == "444455556666"
    assert delta.reason == f"new principal {vendor} from another account (444455556666)"
    assert delta.humans == ()


def test_the_account_is_compared_with_the_identitys_own_account_when_known() -> None:
    identity = _identity(principal="arn:aws:iam::111122223333:role/llm")
    service = "Service:sagemaker.amazonaws.com"
    other = "AWS:arn:aws:iam::444455556666:role/x"
    base = _model(_trust(service), identity=identity)
    head = _model(_trust(service, other), identity=identity)
    assert _one(base, head).added[0].other_account == "444455556666"
    # Without a known account of its own and no account trusted before: not claimed.
    base = _model(_trust(service))
    head = _model(_trust(service, other))
    assert _one(base, head).added[0].other_account is None


def test_a_role_widened_to_its_account_root_is_widening_by_a_human_principal() -> None:
    root = "AWS:arn:aws:iam::111122223333:root"
    base = _model(_trust(PIPELINE))
    head = _model(_trust(root))
    delta = _one(base, head)
    assert delta.added[0].was == PIPELINE
    assert delta.humans == (root,)
    assert delta.reason.startswith(
        f"principal widened from {PIPELINE} to {root}, which is the root"
    )
    (draft,) = _drafts(base, head)
    assert draft.severity is Severity.CRITICAL


def test_a_root_narrowed_to_one_role_is_not_growth() -> None:
    root = "AWS:arn:aws:iam::111122223333:root"
    assert _deltas(_model(_trust(root)), _model(_trust(PIPELINE))) == []
    # A bare account id is the account root too.
    assert _deltas(_model(_trust("AWS:111122223333")), _model(_trust(PIPELINE))) == []


def test_a_wildcard_principal_is_anyone_and_critical() -> None:
    base = _model(_trust(PIPELINE))
    for everyone in ("*", "AWS:*"):
        delta = _one(base, _model(_trust(everyone)))
        assert delta.humans == (everyone,)
        assert "which is anyone" in delta.reason
    assert _deltas(_model(_trust("AWS:*")), _model(_trust(PIPELINE))) == []


def test_iam_users_and_sso_roles_are_human_principals() -> None:
    user = "AWS:arn:aws:iam::111122223333:user/alice"
    sso = (
        "AWS:arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/"
        "AWSReservedSSO_MLAdmins_0123456789abcdef"
    )
    delta = _one(_model(_trust(PIPELINE)), _model(_trust(PIPELINE, user, sso)))
    assert delta.principals == (user, sso)
    assert delta.humans == (user, sso)
    assert human(PIPELINE) is None
    assert human("Service:sagemaker.amazonaws.com") is None
    assert human("444455556666") is not None


def test_a_statement_that_only_tags_sessions_lets_nobody_in() -> None:
    tagger = "AWS:arn:aws:iam::111122223333:role/tagger"
    head = _model(_trust(PIPELINE), _trust(tagger, actions=("sts:TagSession",)))
    assert _deltas(_model(_trust(PIPELINE)), head) == []
    # ...while sts:* does.
    head = _model(_trust(PIPELINE), _trust(tagger, actions=("sts:*",)))
    assert _one(_model(_trust(PIPELINE)), head).principals == (tagger,)


def test_a_principal_moved_between_statements_or_merged_is_not_growth() -> None:
    service = "Service:sagemaker.amazonaws.com"
    condition = ("StringEquals aws:SourceAccount 111122223333",)
    base = _model(
        _trust(PIPELINE, line=10),
        _trust(service, conditions=condition, line=20),
    )
    head = _model(
        _trust(service, conditions=condition, line=8),
        _trust(PIPELINE, line=30),
    )
    assert _deltas(base, head) == []
    merged = _model(_trust(PIPELINE, "AWS:arn:aws:iam::111122223333:role/x"))
    split = _model(_trust("AWS:arn:aws:iam::111122223333:role/x", line=3), _trust(PIPELINE, line=9))
    assert _deltas(merged, split) == []
    assert _deltas(split, merged) == []


def test_a_principal_moved_into_a_statement_without_its_condition_is_loosened() -> None:
    condition = ("StringEquals sts:ExternalId batch",)
    base = _model(_trust(PIPELINE, conditions=condition))
    head = _model(_trust(PIPELINE))
    delta = _one(base, head)
    assert delta.added == ()
    assert delta.reason == "sts:ExternalId condition removed (was batch)"


# --- OIDC conditions ----------------------------------------------------------------------


def test_github_sub_widened_from_one_branch_to_the_organisation() -> None:
    base = _model(_github(f"StringEquals {SUB} repo:org/app:ref:refs/heads/main"))
    head = _model(_github(f"StringLike {SUB} repo:org/*"))
    delta = _one(base, head)
    assert delta.added == ()
    (change,) = delta.loosened
    assert (change.key, change.before, change.after) == (
        SUB,
        "repo:org/app:ref:refs/heads/main",
        "repo:org/*",
    )
    assert (
        f"{SUB} condition widened from repo:org/app:ref:refs/heads/main to repo:org/*"
        in delta.reason
    )
    (draft,) = _drafts(base, head)
    assert draft.severity is Severity.HIGH
    assert "sub condition widened from repo:org/app:ref:refs/heads/main to repo:org/*" in (
        draft.message
    )
    assert draft.location == Location(path=PATH, line=10)


def test_github_sub_narrowed_or_unchanged_is_not_growth() -> None:
    wide = _model(_github(f"StringLike {SUB} repo:org/*"))
    narrow = _model(_github(f"StringEquals {SUB} repo:org/app:ref:refs/heads/main"))
    narrower_like = _model(_github(f"StringLike {SUB} repo:org/app:*"))
    assert _deltas(wide, narrow) == []
    assert _deltas(wide, narrower_like) == []
    assert _deltas(narrower_like, narrow) == []
    assert _deltas(narrow, narrow) == []


def test_a_literal_star_under_string_equals_is_not_a_pattern() -> None:
    # StringEquals "repo:org/*" matches only that literal text; StringLike matches more.
    literal = _model(_github(f"StringEquals {SUB} repo:org/*"))
    pattern = _model(_github(f"StringLike {SUB} repo:org/*"))
    assert _one(literal, pattern).loosened[0].before == "StringEquals repo:org/*"
    assert _deltas(pattern, literal) == []


def test_a_second_sub_value_widens_and_the_aud_condition_removed_is_reported() -> None:
    main = "repo:org/app:ref:refs/heads/main"
    base = _model(_github(f"StringEquals {AUD} sts.amazonaws.com", f"StringEquals {SUB} {main}"))
    head = _model(_github(f"StringEquals {SUB} {main}, repo:org/app:pull_request"))
    delta = _one(base, head)
    assert [(c.key, c.after) for c in delta.loosened] == [
        (AUD, None),
        (SUB, f"{main}, repo:org/app:pull_request"),
    ]
    assert f"{AUD} condition removed (was sts.amazonaws.com)" in delta.reason


def test_a_subject_swapped_for_another_is_a_change_not_a_widening() -> None:
    irsa = "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"
    base = _model(_github(f"StringEquals {irsa} system:serviceaccount:ml-prod:llm"))
    head = _model(_github(f"StringEquals {irsa} system:serviceaccount:ml-dev:llm"))
    (change,) = _one(base, head).loosened
    assert not change.wider
    assert change.describe() == (
        f"{irsa} condition changed from system:serviceaccount:ml-prod:llm to "
        "system:serviceaccount:ml-dev:llm"
    )


def test_a_condition_added_or_reordered_values_are_not_growth() -> None:
    base = _model(_github(f"StringLike {SUB} repo:org/a:*, repo:org/b:*"))
    head = _model(
        _github(
            f"StringLike {SUB} repo:org/b:*, repo:org/a:*",
            f"StringEquals {AUD} sts.amazonaws.com",
        )
    )
    assert _deltas(base, head) == []


def test_a_set_qualifier_added_is_shown_with_the_operators() -> None:
    base = _model(_trust(PIPELINE, conditions=("StringLike aws:PrincipalTag/team ml",)))
    head = _model(_trust(PIPELINE, conditions=("ForAnyValue:StringLike aws:PrincipalTag/team ml",)))
    assert _one(base, head).loosened[0].after == "ForAnyValue:StringLike ml"


def test_condition_keys_compare_without_case() -> None:
    base = _model(_github(f"StringEquals {SUB} repo:org/app:ref:refs/heads/main"))
    head = _model(_github(f"StringEquals {SUB.upper()} repo:org/app:ref:refs/heads/main"))
    assert _deltas(base, head) == []


def test_if_exists_lets_a_token_without_the_key_through() -> None:
    base = _model(_github(f"StringEquals {SUB} repo:org/app"))
    head = _model(_github(f"StringEqualsIfExists {SUB} repo:org/app"))
    assert "IfExists" in _one(base, head).reason
    assert _deltas(head, base) == []


def test_negated_conditions_must_exclude_at_least_as_much() -> None:
    base = _model(_trust(PIPELINE, conditions=("StringNotEquals aws:PrincipalTag/team a, b",)))
    less = _model(_trust(PIPELINE, conditions=("StringNotEquals aws:PrincipalTag/team a",)))
    more = _model(_trust(PIPELINE, conditions=("StringNotLike aws:PrincipalTag/team *",)))
    assert _one(base, less).loosened[0].before == "a, b"
    assert _deltas(base, more) == []


def test_source_networks_compare_as_cidrs() -> None:
    def _ip(cidr: str) -> Model:
        return _model(_trust(PIPELINE, conditions=(f"IpAddress aws:SourceIp {cidr}",)))

    assert _deltas(_ip("10.0.0.0/16"), _ip("10.0.4.0/24")) == []
    assert _one(_ip("10.0.0.0/16"), _ip("10.0.0.0/8")).loosened[0].after == "10.0.0.0/8"
    assert _one(_ip("10.0.0.0/16"), _ip("::/0")).loosened


def test_other_operators_compare_by_value() -> None:
    def _mfa(value: str) -> Model:
        return _model(_trust(PIPELINE, conditions=(f"Bool aws:MultiFactorAuthPresent {value}",)))

    assert _deltas(_mfa("true"), _mfa("true")) == []
    change = _one(_mfa("true"), _mfa("false")).loosened[0]
    assert change.opaque
    assert "cannot compare" in change.describe()


# --- unknown values -----------------------------------------------------------------------


def test_the_same_unknown_principal_on_both_sides_is_no_change() -> None:
    unknown = "AWS:${var.ci_role_arn}"
    assert _deltas(_model(_trust(unknown)), _model(_trust(unknown))) == []


def test_a_new_unknown_principal_says_it_cannot_be_resolved() -> None:
    base = _model(_trust("AWS:${var.ci_role_arn}"))
    head = _model(_trust("AWS:${var.ci_role_arn}", "AWS:${var.partner_role_arn}"))
    delta = _one(base, head)
    assert delta.unknown == ("${var.partner_role_arn}", "${var.ci_role_arn}")
    assert "cannot resolve ${var.partner_role_arn}" in delta.reason
    assert "new principal" not in delta.reason
    (draft,) = _drafts(base, head)
    assert "cannot resolve" in draft.message
    assert draft.severity is Severity.HIGH


def test_a_known_principal_after_an_unknown_one_says_base_could_not_be_resolved() -> None:
    base = _model(_trust("AWS:${var.trusted}"))
    delta = _one(base, _model(_trust("AWS:${var.trusted}", PIPELINE)))
    assert delta.principals == (PIPELINE,)
    assert "cannot resolve AWS:${var.trusted}, which it trusted before" in delta.reason
    assert delta.unknown == ("${var.trusted}",)


def test_an_unknown_part_that_cannot_match_base_is_still_a_new_principal() -> None:
    issuer = "${azurerm_kubernetes_cluster.ml.oidc_issuer_url}"
    identity = _identity("azure", UAI)

    def _subject(*subjects: str) -> Model:
        trusts = [
            _trust(f"{issuer}#{s}", actions=(), identity=UAI, via=s, line=i)
            for i, s in enumerate(subjects)
        ]
        return _model(*trusts, identity=identity)

    base = _subject("system:serviceaccount:ml-prod:llm")
    same = _subject("system:serviceaccount:ml-prod:llm")
    assert _deltas(base, same) == []
    head = _subject("system:serviceaccount:ml-prod:llm", "system:serviceaccount:dev:nb")
    delta = _one(base, head)
    assert delta.reason.startswith(f"new principal {issuer}#system:serviceaccount:dev:nb")
    assert f"(cannot resolve {issuer})" in delta.reason
    # A principal that only an unknown could name: undecided, said so.
    partner = _one(_model(_trust(PIPELINE)), _model(_trust(PIPELINE, "AWS:${var.partner}")))
    assert partner.reason == (
        "principal AWS:${var.partner} (cannot resolve ${var.partner}: driftgate cannot tell "
        "whether it was already trusted)"
    )
    service = _one(_model(_trust("Service:ec2.amazonaws.com")), _model(_trust("AWS:${var.p}")))
    assert service.reason == "new principal AWS:${var.p} (cannot resolve ${var.p})"


def test_an_unknown_condition_value_compares_by_its_text() -> None:
    base = _model(_github(f"StringEquals {SUB} repo:org/app:ref:${{var.branch}}"))
    same = _model(_github(f"StringEquals {SUB} repo:org/app:ref:${{var.branch}}"))
    narrow_known = _model(_github(f"StringEquals {SUB} repo:org/app:ref:refs/heads/main"))
    other = _model(_github(f"StringEquals {SUB} ${{var.subject}}"))
    assert _deltas(base, same) == []
    assert _one(base, other).reason.endswith(
        "changed from repo:org/app:ref:${var.branch} to ${var.subject} (cannot resolve "
        "${var.branch}, ${var.subject}: driftgate cannot tell whether it is wider)"
    )
    assert "cannot resolve ${var.branch}" in _one(base, narrow_known).reason
    # A pattern absorbs an unknown part it matches whatever its value.
    wide = _model(_github(f"StringLike {SUB} repo:org/app:*"))
    assert _deltas(wide, base) == []


# --- identities ---------------------------------------------------------------------------


def test_an_identity_absent_at_base_is_never_growth() -> None:
    head = _model(_trust("*"))
    assert _deltas(Model(), head) == []
    assert CheckContext(head, None).trust_deltas() == []


def test_an_identity_without_trusts_at_base_gains_its_first_principal() -> None:
    delta = _one(_model(), _model(_trust(PIPELINE)))
    assert delta.reason == f"new principal {PIPELINE}"
    assert delta.before == ()


# --- GCP, Azure, Vault --------------------------------------------------------------------

SA = "envs/prod:google_service_account.llm"
DEPLOYER = "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
USER_ROLE = "roles/iam.serviceAccountUser"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


def _gcp(*trusts: Trust, workloads: tuple[Workload, ...] = ()) -> Model:
    identity = _identity("gcp", SA, "llm@acme-prod.iam.gserviceaccount.com")
    return _model(*trusts, identity=identity, workloads=workloads)


def _binding(role: str, *members: str, conditions: tuple[str, ...] = (), line: int = 5) -> Trust:
    return _trust(
        *members,
        actions=(role,),
        conditions=conditions,
        provider="gcp",
        identity=SA,
        via=f"google_service_account_iam_member.{role.rsplit('.', 1)[-1]}",
        line=line,
    )


def test_gcp_token_creator_for_a_person_on_an_inference_account() -> None:
    server = Workload(
        address="envs/prod:google_cloud_run_v2_service.llm",
        kind="google_cloud_run_v2_service",
        name="llm-prod",
        environment="prod",
        identities=(SA,),
        inference=True,
        inference_reason="model server image vllm/vllm-openai",
    )
    base = _gcp(_binding(USER_ROLE, DEPLOYER), workloads=(server,))
    head = _gcp(
        _binding(USER_ROLE, DEPLOYER),
        _binding(TOKEN_CREATOR, "user:alice@acme.example", line=12),
        workloads=(server,),
    )
    delta = _one(base, head)
    assert delta.humans == ("user:alice@acme.example",)
    (draft,) = _drafts(base, head)
    assert draft.severity is Severity.CRITICAL
    assert draft.workloads == (server.address,)
    assert TOKEN_CREATOR in draft.message
    assert "impersonate" in draft.message
    assert "llm@acme-prod.iam.gserviceaccount.com" in draft.message
    assert draft.location == Location(path=PATH, line=12)


def test_gcp_a_member_gaining_another_impersonation_role() -> None:
    base = _gcp(_binding(USER_ROLE, DEPLOYER))
    head = _gcp(_binding(USER_ROLE, DEPLOYER), _binding(TOKEN_CREATOR, DEPLOYER))
    (growth,) = _one(base, head).added
    assert (growth.action, growth.held) == (TOKEN_CREATOR, (USER_ROLE,))
    assert growth.human is None
    # Owner already includes every way of acting as the account.
    assert _deltas(_gcp(_binding("roles/owner", DEPLOYER)), head) == []
    openid = _gcp(_binding("roles/iam.serviceAccountOpenIdTokenCreator", DEPLOYER))
    assert _deltas(_gcp(_binding(TOKEN_CREATOR, DEPLOYER)), openid) == []


def test_gcp_members_moved_from_member_resources_into_one_binding() -> None:
    other = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
    base = _gcp(_binding(USER_ROLE, DEPLOYER, line=3), _binding(USER_ROLE, other, line=9))
    head = _gcp(_binding(USER_ROLE, other, DEPLOYER, line=20))
    assert _deltas(base, head) == []


def test_gcp_conditions_are_compared_by_expression() -> None:
    expression = 'request.time < timestamp("2025-01-01T00:00:00Z")'
    base = _gcp(_binding(TOKEN_CREATOR, DEPLOYER, conditions=(f"temporary: {expression}",)))
    retitled = _gcp(_binding(TOKEN_CREATOR, DEPLOYER, conditions=(f"until 2025: {expression}",)))
    assert _deltas(base, retitled) == []
    removed = _one(base, _gcp(_binding(TOKEN_CREATOR, DEPLOYER)))
    assert removed.reason == f"condition removed (was {expression})"
    later = expression.replace("2025", "2030")
    changed = _one(base, _gcp(_binding(TOKEN_CREATOR, DEPLOYER, conditions=(f"t: {later}",))))
    assert changed.loosened[0].opaque
    assert "cannot compare" in changed.reason
    # A ": " inside the expression is not a title: the expressions still differ.
    one = _gcp(_binding(TOKEN_CREATOR, DEPLOYER, conditions=("a == 'x: y'",)))
    two = _gcp(_binding(TOKEN_CREATOR, DEPLOYER, conditions=("b == 'x: y'",)))
    assert _one(one, two).loosened[0].after == "b == 'x: y'"


UAI = "envs/prod:azurerm_user_assigned_identity.llm"
ISSUER = "https://oidc.prod-aks.azure.com/tenant/cluster/"


def _federated(subject: str, audience: str = "api://AzureADTokenExchange", line: int = 5) -> Trust:
    return _trust(
        f"{ISSUER}#{subject}",
        actions=(),
        conditions=(f"audience {audience}",),
        provider="azure",
        identity=UAI,
        via="azurerm_federated_identity_credential.x",
        line=line,
    )


def test_azure_federated_credential_for_another_namespace() -> None:
    identity = _identity("azure", UAI)
    base = _model(_federated("system:serviceaccount:ml-prod:llm"), identity=identity)
    head = _model(
        _federated("system:serviceaccount:ml-prod:llm"),
        _federated("system:serviceaccount:ml-sandbox:notebooks", line=25),
        identity=identity,
    )
    delta = _one(base, head)
    assert delta.principals == (f"{ISSUER}#system:serviceaccount:ml-sandbox:notebooks",)
    assert "ServiceAccount notebooks in namespace ml-sandbox" in delta.reason
    (draft,) = _drafts(base, head)
    assert draft.severity is Severity.HIGH
    assert "federate into" in draft.message
    # A new audience for the same subject widens its condition.
    other = _model(
        _federated("system:serviceaccount:ml-prod:llm", audience="api://other"),
        identity=identity,
    )
    assert _one(base, other).loosened[0].after == "api://other"


VAULT_ROLE = "envs/prod:vault_kubernetes_auth_backend_role.llm"


def _vault(*principals: str, conditions: tuple[str, ...] = ("audience: vault",)) -> Model:
    trust = _trust(
        *principals,
        actions=("login",),
        conditions=conditions,
        provider="vault",
        identity=VAULT_ROLE,
        via="vault_kubernetes_auth_backend_role.llm",
    )
    return _model(trust, identity=_identity("vault", VAULT_ROLE))


def test_vault_bound_namespace_widened_to_any() -> None:
    base = _vault("system:serviceaccount:ml-prod:llm")
    head = _vault("system:serviceaccount:*:llm")
    (growth,) = _one(base, head).added
    assert growth.was == "system:serviceaccount:ml-prod:llm"
    assert _deltas(head, base) == []
    assert _deltas(base, _vault("system:serviceaccount:ml-prod:llm", conditions=())) != []


def test_vault_claims_become_patterns_with_the_glob_claim_type() -> None:
    claim = ("claim repository: org/app",)
    exact = _vault("*", conditions=claim)
    glob = _vault("*", conditions=("claim repository: org/*", "bound_claims_type: glob"))
    narrow_glob = _vault("*", conditions=("claim repository: org/app", "bound_claims_type: glob"))
    assert "repository condition widened from org/app to org/*" in _one(exact, glob).reason
    assert _deltas(glob, exact) == []
    assert _deltas(exact, narrow_glob) == []


# --- the check ----------------------------------------------------------------------------


def test_the_check_is_registered_with_its_metadata() -> None:
    meta = BY_ID["DG105"].meta
    assert meta.slug == "trust-growth"
    assert meta.owasp == ("NHI4",)
    assert meta.kind == "delta"
    assert meta.severity is Severity.HIGH
    assert not meta.inference_only
    for section in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
        assert section in meta.doc
    assert "## References" in meta.doc


def test_the_message_names_identity_environment_change_and_why() -> None:
    base = _model(_trust(PIPELINE))
    head = _model(_trust(PIPELINE, "AWS:arn:aws:iam::444455556666:role/vendor"))
    (draft,) = _drafts(base, head)
    assert draft.identity == ROLE
    assert draft.environment == "prod"
    for fragment in (
        ROLE,
        "prod",
        "more principals may assume it",
        "new principal AWS:arn:aws:iam::444455556666:role/vendor",
        "use all of its permissions",
    ):
        assert fragment in draft.message
    assert draft.before == PIPELINE
    assert draft.after is not None and "role/vendor" in draft.after


def test_the_subject_does_not_depend_on_lines() -> None:
    base = _model(_github(f"StringEquals {SUB} repo:org/app"))
    one = _drafts(base, _model(_github(f"StringLike {SUB} repo:org/*", line=10)))
    two = _drafts(base, _model(_github(f"StringLike {SUB} repo:org/*", line=40)))
    assert [d.subject for d in one] == [d.subject for d in two]
    assert one[0].location != two[0].location


def test_one_draft_per_head_trust_that_adds_something() -> None:
    base = _model(_trust(PIPELINE, line=3))
    head = _model(
        _trust(PIPELINE, line=3),
        _trust("AWS:arn:aws:iam::111122223333:role/a", line=8),
        _trust("AWS:arn:aws:iam::111122223333:role/b", line=14),
    )
    assert [d.location for d in _drafts(base, head)] == [
        Location(path=PATH, line=8),
        Location(path=PATH, line=14),
    ]


# --- properties ---------------------------------------------------------------------------

_PRINCIPALS = st.sampled_from(
    [
        PIPELINE,
        "AWS:arn:aws:iam::111122223333:root",
        "AWS:arn:aws:iam::444455556666:role/x",
        "Service:sagemaker.amazonaws.com",
        GITHUB,
        "*",
        "AWS:${var.role}",
    ]
)
_CONDITIONS = st.sampled_from(
    [
        f"StringEquals {SUB} repo:org/app:ref:refs/heads/main",
        f"StringLike {SUB} repo:org/*",
        f"StringEquals {AUD} sts.amazonaws.com",
        "IpAddress aws:SourceIp 10.0.0.0/8",
        "StringNotEquals aws:PrincipalTag/team a, b",
        "Bool aws:SecureTransport true",
    ]
)
_TRUSTS = st.lists(
    st.tuples(
        st.lists(_PRINCIPALS, min_size=1, max_size=3, unique=True),
        st.lists(_CONDITIONS, max_size=3, unique=True),
    ),
    max_size=4,
)


def _from(spec: list[tuple[list[str], list[str]]], reverse: bool = False) -> Model:
    trusts = [
        _trust(
            *(reversed(p) if reverse else p),
            conditions=tuple(reversed(c) if reverse else c),
            line=i + 1,
        )
        for i, (p, c) in enumerate(spec)
    ]
    return _model(*(reversed(trusts) if reverse else trusts))


@settings(max_examples=200, deadline=None)
@given(_TRUSTS)
def test_the_same_trusts_in_any_order_are_not_growth(
    spec: list[tuple[list[str], list[str]]],
) -> None:
    assert _deltas(_from(spec), _from(spec)) == []
    assert _deltas(_from(spec), _from(spec, reverse=True)) == []


@settings(max_examples=200, deadline=None)
@given(_TRUSTS, _TRUSTS)
def test_removing_trusts_is_never_growth(
    spec: list[tuple[list[str], list[str]]], more: list[tuple[list[str], list[str]]]
) -> None:
    assert _deltas(_from(spec + more), _from(spec)) == []


@settings(max_examples=200, deadline=None)
@given(_TRUSTS, _TRUSTS)
def test_growth_lies_only_in_the_added_statements(
    spec: list[tuple[list[str], list[str]]], more: list[tuple[list[str], list[str]]]
) -> None:
    """Growth from A to A + B lies in B's statements only; A + B to itself is silent."""
    base, head = _from(spec), _from(spec + more)
    lines = {d.trust.location.line for d in _deltas(base, head) if d.trust.location}
    assert all(line > len(spec) for line in lines)
    assert _deltas(head, _from(spec + more, reverse=True)) == []


def test_condition_helpers() -> None:
    (like,) = spec("aws").parse_conditions([f"StringLike {SUB} repo:org/*"])
    (equals,) = spec("aws").parse_conditions([f"StringEquals {SUB} repo:org/app"])
    assert implies(equals, like)
    assert not implies(like, equals)
    assert principal_covers("AWS:arn:aws:iam::111122223333:root", PIPELINE)
    assert not principal_covers(PIPELINE, "AWS:arn:aws:iam::111122223333:root")
    assert not principal_covers("AWS:arn:aws:iam::444455556666:root", PIPELINE)
    assert principal_covers("system:serviceaccount:*:llm", "system:serviceaccount:ml-prod:llm")
