# Query suggestions, deployed next to the search API and running as its account.
resource "google_cloud_run_v2_service" "suggest_api" {
  project  = local.project
  name     = "suggest-api"
  location = local.region
  labels = {
    team = "search-relevance"
  }
  template {
    service_account = google_service_account.search_api.email
    containers {
      image = "europe-docker.pkg.dev/acme-search-staging/apps/suggest-api:0.3.0"
    }
  }
}
