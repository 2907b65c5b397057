# GitHub Actions deploys the serving stack through Workload Identity Federation.
resource "google_iam_workload_identity_pool" "github" {
  project                   = "acme-ml-prod"
  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  project                            = "acme-ml-prod"
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github-actions"
  attribute_condition                = "assertion.repository_owner == \"acme\""
  attribute_mapping = {
    "google.subject"       = "assertion.sub"
    "attribute.repository" = "assertion.repository"
  }

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "deployer" {
  project      = "acme-ml-prod"
  account_id   = "ml-deployer"
  display_name = "Deploys ML serving from GitHub Actions"
}

resource "google_service_account_iam_member" "deployer_github" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/acme/ml-serving"
}

resource "google_project_iam_binding" "deployers" {
  project = "acme-ml-prod"
  role    = "roles/run.developer"
  members = [
    "serviceAccount:${google_service_account.deployer.email}",
  ]
}

# Cloud Run deploys as the inference identity, so the deployer must be able to act as it.
resource "google_service_account_iam_member" "deployer_acts_as_inference" {
  service_account_id = "projects/acme-ml-prod/serviceAccounts/llm-inference@acme-ml-prod.iam.gserviceaccount.com"
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.deployer.email}"
}

data "google_iam_policy" "release_signing" {
  binding {
    role = "roles/secretmanager.secretAccessor"
    members = [
      "serviceAccount:${google_service_account.deployer.email}",
    ]
  }

  binding {
    role    = "roles/secretmanager.secretVersionManager"
    members = ["group:ml-release@example.com"]

    condition {
      title      = "business-hours"
      expression = "request.time.getHours(\"America/New_York\") >= 9"
    }
  }
}

resource "google_secret_manager_secret" "release_signing" {
  project   = "acme-ml-prod"
  secret_id = "release-signing-key"

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_policy" "release_signing" {
  project     = google_secret_manager_secret.release_signing.project
  secret_id   = google_secret_manager_secret.release_signing.secret_id
  policy_data = data.google_iam_policy.release_signing.policy_data
}
