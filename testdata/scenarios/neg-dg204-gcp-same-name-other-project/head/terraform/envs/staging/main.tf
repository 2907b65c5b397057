locals {
  project = "acme-assistant-staging"
  region  = "europe-west1"
}

resource "google_service_account" "assistant" {
  project      = local.project
  account_id   = "assistant-api"
  display_name = "Assistant API"
}

resource "google_cloud_run_v2_service" "assistant" {
  project  = local.project
  name     = "assistant-api"
  location = local.region
  labels = {
    team = "assistant"
  }
  template {
    service_account = google_service_account.assistant.email
    containers {
      image = "europe-docker.pkg.dev/acme-ml-shared/apps/assistant-api:1.8.0"
      volume_mounts {
        name       = "hf-token"
        mount_path = "/secrets/hf"
      }
    }
    volumes {
      name = "hf-token"
      secret {
        secret = "hf-token"
      }
    }
  }
}
