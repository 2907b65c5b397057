# The Cloud Build release account: deploys the Cloud Run model servers, pushes their
# images and replaces the model weights they load.
resource "google_service_account" "release" {
  project    = local.project
  account_id = "model-release"
}

resource "google_project_iam_member" "release_run" {
  project = local.project
  role    = "roles/run.developer"
  member  = "serviceAccount:${google_service_account.release.email}"
}

resource "google_artifact_registry_repository_iam_member" "release_push" {
  project    = local.project
  location   = "europe-west4"
  repository = "model-servers"
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.release.email}"
}

# Objects of the weights bucket only: an "admin" of objects, not of the project.
resource "google_storage_bucket_iam_member" "release_weights" {
  bucket = "acme-ml-prod-weights"
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.release.email}"
}
