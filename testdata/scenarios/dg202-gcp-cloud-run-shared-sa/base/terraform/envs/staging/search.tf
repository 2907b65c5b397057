# The search API of the staging search stack (Cloud Run).
locals {
  project = "acme-search-staging"
  region  = "europe-west4"
}

resource "google_service_account" "search_api" {
  project      = local.project
  account_id   = "search-api"
  display_name = "Search API"
}

resource "google_storage_bucket_iam_member" "search_api_index_read" {
  bucket = "acme-search-index-staging"
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.search_api.email}"
}

resource "google_cloud_run_v2_service" "search_api" {
  project  = local.project
  name     = "search-api"
  location = local.region
  labels = {
    team = "search-relevance"
  }
  template {
    service_account = google_service_account.search_api.email
    containers {
      image = "europe-docker.pkg.dev/acme-search-staging/apps/search-api:2.1.0"
    }
  }
}
