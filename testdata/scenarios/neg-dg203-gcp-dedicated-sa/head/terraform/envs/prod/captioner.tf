# An image-captioning model server on a Cloud Run GPU, with a service account of its own.
resource "google_service_account" "captioner" {
  project      = local.project
  account_id   = "captioner"
  display_name = "Captioner model server"
}

resource "google_storage_bucket_iam_member" "captioner_models" {
  bucket = google_storage_bucket.models.name
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
