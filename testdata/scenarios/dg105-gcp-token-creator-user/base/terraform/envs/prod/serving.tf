# The production LLM service on Cloud Run (vLLM on an L4 GPU) and the account it runs as.
locals {
  project = "acme-ml-prod"
}

resource "google_service_account" "llm" {
  project      = local.project
  account_id   = "llm-serving"
  display_name = "LLM serving (prod)"
}

resource "google_service_account" "deployer" {
  project    = local.project
  account_id = "cloud-run-deployer"
}

# The deployment pipeline attaches the serving account to new revisions.
resource "google_service_account_iam_member" "deployer_acts_as_llm" {
  service_account_id = google_service_account.llm.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_cloud_run_v2_service" "llm" {
  project  = local.project
  name     = "llm-prod"
  location = "europe-west4"
  labels = {
    team = "ml-platform"
  }

  template {
    service_account = google_service_account.llm.email

    containers {
      image = "vllm/vllm-openai:v0.6.3"
      resources {
        limits = {
          cpu              = "8"
          memory           = "32Gi"
          "nvidia.com/gpu" = "1"
        }
      }
    }

    node_selector {
      accelerator = "nvidia-l4"
    }
  }
}
