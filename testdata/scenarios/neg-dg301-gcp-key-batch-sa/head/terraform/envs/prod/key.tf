# The partner SFTP bridge authenticates as the exporter.
resource "google_service_account_key" "reports_bridge" {
  service_account_id = google_service_account.reports.name
}
