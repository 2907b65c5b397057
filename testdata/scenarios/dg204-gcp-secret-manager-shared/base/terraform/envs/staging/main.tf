locals {
  project = "acme-assistant-staging"
  region  = "europe-west1"
}

resource "google_service_account" "assistant" {
  project      = local.project
  account_id   = "assistant-llm"
  display_name = "Assistant model server"
}

resource "google_cloud_run_v2_service" "assistant" {
  project  = local.project
  name     = "assistant-llm"
  location = local.region
  labels = {
    team = "assistant"
  }
  template {
    service_account = google_service_account.assistant.email
    containers {
      image = "vllm/vllm-openai:v0.6.3"
      resources {
        limits = {
          cpu              = "8"
          memory           = "32Gi"
          "nvidia.com/gpu" = "1"
        }
      }
      volume_mounts {
        name       = "hf-token"
        mount_path = "/secrets/hf"
      }
    }
    volumes {
      name = "hf-token"
      secret {
        secret = "projects/acme-ml-shared/secrets/hf-token"
      }
    }
  }
}
