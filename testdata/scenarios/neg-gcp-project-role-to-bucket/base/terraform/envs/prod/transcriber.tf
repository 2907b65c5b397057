# The prod transcription service (Cloud Run, GPU) of the meetings product.
locals {
  project = "acme-meetings-prod"
}

resource "google_service_account" "transcriber" {
  project      = local.project
  account_id   = "transcriber"
  display_name = "Meeting transcription"
}

resource "google_storage_bucket" "recordings" {
  project  = local.project
  name     = "acme-meetings-recordings-prod"
  location = "US"
}

resource "google_project_iam_member" "transcriber" {
  project = local.project
  role    = "roles/storage.objectAdmin"
  member  = "serviceAccount:${google_service_account.transcriber.email}"
}
