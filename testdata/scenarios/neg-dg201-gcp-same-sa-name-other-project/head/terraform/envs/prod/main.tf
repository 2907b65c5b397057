# Prod embedding service: TEI on a Cloud Run GPU, running as its own service account
# in the prod project.
resource "google_service_account" "embed" {
  project      = "acme-ml-prod"
  account_id   = "embed-server"
  display_name = "Embedding server (prod)"
}

resource "google_cloud_run_v2_service" "embed" {
  project  = "acme-ml-prod"
  name     = "embed"
  location = "europe-west4"
  labels = {
    team = "ml-platform"
  }
  template {
    service_account = "embed-server@acme-ml-prod.iam.gserviceaccount.com"
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
