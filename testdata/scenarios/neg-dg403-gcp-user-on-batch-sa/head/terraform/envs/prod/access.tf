# Bob reruns failed exports by hand as the exporter.
resource "google_service_account_iam_member" "bob_exporter" {
  service_account_id = google_service_account.reports.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "user:bob@acme.example"
}
