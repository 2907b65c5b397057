locals {
  project = "acme-vision-prod"
  region  = "us-central1"
}

resource "google_service_account" "captioner" {
  project      = local.project
  account_id   = "captioner"
  display_name = "Captioner model server"
}

resource "google_storage_bucket_iam_member" "captioner_models" {
  bucket = "acme-vision-models-prod"
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.captioner.email}"
}

resource "google_cloud_run_v2_service" "captioner" {
  project  = local.project
  name     = "captioner"
  location = local.region
  labels = {
    team = "vision"
  }
  template {
    service_account = google_service_account.captioner.email
    containers {
      image = "us-docker.pkg.dev/acme-vision-prod/serving/captioner:1.2.0"
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
