# Nightly embedding batch job (Cloud Run job) of the production search stack.
locals {
  project = "acme-search-prod"
  region  = "europe-west4"
}

resource "google_service_account" "batch_embed" {
  project      = local.project
  account_id   = "batch-embed"
  display_name = "Nightly embedding batch"
}

resource "google_storage_bucket" "corpus" {
  project  = local.project
  name     = "acme-search-corpus-prod"
  location = "EU"
}

resource "google_storage_bucket_iam_member" "batch_embed_corpus_read" {
  bucket = google_storage_bucket.corpus.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.batch_embed.email}"
}

# The job now writes the computed embeddings next to the corpus.
resource "google_storage_bucket_iam_member" "batch_embed_corpus_write" {
  bucket = google_storage_bucket.corpus.name
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.batch_embed.email}"
}
