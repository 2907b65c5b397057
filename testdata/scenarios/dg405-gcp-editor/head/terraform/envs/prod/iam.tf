# The embedder now writes its index to Firestore and BigQuery; editor covers both.
resource "google_project_iam_member" "embedder_editor" {
  project = "acme-ml-prod"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.embedder.email}"
}
