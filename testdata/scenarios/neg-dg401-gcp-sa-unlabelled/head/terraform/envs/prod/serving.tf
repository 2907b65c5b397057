# The production embedding service on Cloud Run (TEI on an L4 GPU).
resource "google_service_account" "embedder" {
  project      = "acme-ml-prod"
  account_id   = "embedder"
  display_name = "Embedding service (prod)"
}

resource "google_cloud_run_v2_service" "embedder" {
  project  = "acme-ml-prod"
  name     = "embedder-prod"
  location = "europe-west4"
  labels = {
    team = "search"
  }

  template {
    service_account = google_service_account.embedder.email

    containers {
      image = "ghcr.io/huggingface/text-embeddings-inference:1.5"
      resources {
        limits = {
          cpu              = "4"
          memory           = "16Gi"
          "nvidia.com/gpu" = "1"
        }
      }
    }

    node_selector {
      accelerator = "nvidia-l4"
    }
  }
}
