# An image-captioning model server on a Cloud Run GPU, with no service_account.
resource "google_cloud_run_v2_service" "captioner" {
  project  = local.project
  name     = "captioner"
  location = local.region
  labels = {
    team = "vision"
  }
  template {
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
