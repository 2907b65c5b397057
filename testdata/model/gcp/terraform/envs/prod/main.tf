terraform {
  backend "gcs" {
    bucket = "acme-tf-state"
    prefix = "ml/prod"
  }
}

provider "google" {
  project = "acme-ml-prod"
  region  = "us-central1"
}

module "ml_platform" {
  source        = "../../modules/ml-platform"
  project_id    = "acme-ml-prod"
  env           = "prod"
  k8s_namespace = "ml-prod"
  gpu_type      = "nvidia-h100-80gb"
  gpu_count     = 2
}

# Nightly batch scoring on a GPU VM, as the trainer identity of the module above.
resource "google_compute_instance" "batch_scoring" {
  project      = "acme-ml-prod"
  name         = "batch-scoring"
  zone         = "us-central1-a"
  machine_type = "n1-standard-8"
  labels = {
    owner = "scoring-oncall"
  }

  boot_disk {
    initialize_params {
      image = "deeplearning-platform-release/common-cu121"
    }
  }

  guest_accelerator {
    type  = "nvidia-tesla-t4"
    count = 1
  }

  network_interface {
    network = "default"
  }

  service_account {
    email  = "llm-trainer@acme-ml-prod.iam.gserviceaccount.com"
    scopes = ["cloud-platform"]
  }
}
