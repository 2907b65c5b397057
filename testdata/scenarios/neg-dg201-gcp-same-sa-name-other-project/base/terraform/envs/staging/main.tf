# Staging embedding service: TEI on a Cloud Run GPU, running as its own service account
# in the staging project.
resource "google_service_account" "embed" {
  project      = "acme-ml-staging"
  account_id   = "embed-server"
  display_name = "Embedding server (staging)"
}

resource "google_cloud_run_v2_service" "embed" {
  project  = "acme-ml-staging"
  name     = "embed"
  location = "europe-west4"
  labels = {
    team = "ml-platform"
  }
  template {
    service_account = "embed-server@acme-ml-staging.iam.gserviceaccount.com"
    containers {
      image = "ghcr.io/huggingface/text-embeddings-inference:1.5"
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
