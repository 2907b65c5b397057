# Query suggestions get a service account of their own.
resource "google_service_account" "suggest_api" {
  project      = local.project
  account_id   = "suggest-api"
  display_name = "Suggest API"
}

resource "google_cloud_run_v2_service" "suggest_api" {
  project  = local.project
  name     = "suggest-api"
  location = local.region
  labels = {
    team = "search-relevance"
  }
  template {
    service_account = google_service_account.suggest_api.email
    containers {
      image = "europe-docker.pkg.dev/acme-search-staging/apps/suggest-api:0.3.0"
    }
  }
}

# Two internal tools name no service account: both run as the project's Compute Engine
# default service account, which no file declares (DG203's concern, and only for
# inference workloads).
resource "google_cloud_run_v2_service" "docs" {
  project  = local.project
  name     = "search-docs"
  location = local.region
  labels = {
    team = "search-relevance"
  }
  template {
    containers {
      image = "europe-docker.pkg.dev/acme-search-staging/apps/search-docs:1.0.0"
    }
  }
}

resource "google_cloud_run_v2_service" "status" {
  project  = local.project
  name     = "search-status"
  location = local.region
  labels = {
    team = "search-relevance"
  }
  template {
    containers {
      image = "europe-docker.pkg.dev/acme-search-staging/apps/search-status:1.0.0"
    }
  }
}
