# The Cloud Build release account: deploys the Cloud Run model servers.
resource "google_service_account" "release" {
  project    = local.project
  account_id = "model-release"
}

resource "google_project_iam_member" "release_run" {
  project = local.project
  role    = "roles/run.developer"
  member  = "serviceAccount:${google_service_account.release.email}"
}

# So that it can grant each new service's account access to its bucket.
resource "google_project_iam_member" "release_iam" {
  project = local.project
  role    = "roles/resourcemanager.projectIamAdmin"
  member  = "serviceAccount:${google_service_account.release.email}"
}
