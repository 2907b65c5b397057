# A nightly report exporter on Cloud Run: a plain web image, no GPU, no model server.
resource "google_service_account" "reports" {
  project    = "acme-ml-prod"
  account_id = "report-exporter"
}

resource "google_cloud_run_v2_service" "reports" {
  project  = "acme-ml-prod"
  name     = "report-exporter"
  location = "europe-west4"
  labels = {
    team = "analytics"
  }

  template {
    service_account = google_service_account.reports.email

    containers {
      image = "europe-docker.pkg.dev/acme-ml-prod/tools/report-exporter:1.4.0"
    }
  }
}
