# The reranker (Triton on a Cloud Run L4 GPU) with its own service account. It manages
# its own model-cache bucket (lifecycle rules, object versions), hence admin on that
# bucket only.
resource "google_service_account" "reranker" {
  project      = local.project
  account_id   = "reranker"
  display_name = "Reranker (Triton)"
}

resource "google_storage_bucket_iam_member" "reranker_cache" {
  bucket = "acme-ml-prod-reranker-cache"
  role   = "roles/storage.admin"
  member = "serviceAccount:${google_service_account.reranker.email}"
}

resource "google_project_iam_member" "reranker_metrics" {
  project = local.project
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.reranker.email}"
}

resource "google_cloud_run_v2_service" "reranker" {
  project  = local.project
  name     = "reranker"
  location = "europe-west4"
  labels = {
    team = "search-relevance"
  }
  template {
    service_account = google_service_account.reranker.email
    containers {
      image = "nvcr.io/nvidia/tritonserver:24.08-py3"
      args  = ["tritonserver", "--model-repository=gs://acme-ml-prod-models/reranker"]
      resources {
        limits = {
          "nvidia.com/gpu" = "1"
        }
      }
    }
    node_selector {
      accelerator = "nvidia-l4"
    }
  }
}
