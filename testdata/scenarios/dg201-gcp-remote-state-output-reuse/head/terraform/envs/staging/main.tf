# The embedding service (TEI on a GPU) of the staging stack; its service account comes from
# the platform team's IAM stack.
data "terraform_remote_state" "platform_iam" {
  backend = "gcs"
  config = {
    bucket = "acme-platform-tfstate"
    prefix = "iam"
  }
}

resource "google_cloud_run_v2_service" "embed" {
  project  = "acme-ml-staging"
  name     = "embed"
  location = "europe-west4"
  labels = {
    team = "ml-platform"
  }
  template {
    service_account = data.terraform_remote_state.platform_iam.outputs.embed_sa_email
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
