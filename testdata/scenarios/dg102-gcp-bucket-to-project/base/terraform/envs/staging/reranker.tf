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

resource "google_storage_bucket_iam_member" "reranker_checkpoints" {
  bucket = google_storage_bucket.checkpoints.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.reranker.email}"
}
