# The staging reranker (Cloud Run) reads its model checkpoints from one bucket.
locals {
  project = "acme-ranking-staging"
}

resource "google_service_account" "reranker" {
  project      = local.project
  account_id   = "reranker"
  display_name = "Reranker (staging)"
}

resource "google_storage_bucket" "checkpoints" {
  project  = local.project
  name     = "acme-reranker-checkpoints-staging"
  location = "US"
}

# Granted on the project so that new checkpoint buckets work without another change.
resource "google_project_iam_member" "reranker_checkpoints" {
  project = local.project
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.reranker.email}"
}
