# The dev notebook sandbox service account of the applied-ML team.
locals {
  project = "acme-applied-ml-dev"
}

resource "google_service_account" "sandbox" {
  project      = local.project
  account_id   = "notebook-sandbox"
  display_name = "Notebook sandbox"
}

resource "google_project_iam_member" "sandbox" {
  project = local.project
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.sandbox.email}"
}
