# Prod chat model: vLLM on a Cloud Run L4 GPU, pulling gated weights from the Hugging
# Face Hub.
resource "google_service_account" "llm" {
  project      = "acme-ml-prod"
  account_id   = "llm-server"
  display_name = "vLLM server (prod)"
}

resource "google_cloud_run_v2_service" "llm" {
  project  = "acme-ml-prod"
  name     = "llm"
  location = "europe-west4"
  labels = {
    team = "llm-platform"
  }
  template {
    service_account = google_service_account.llm.email
    containers {
      name  = "vllm"
      image = "vllm/vllm-openai:v0.6.3"
      args  = ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
      # INC-2291: the secret version was disabled; token pasted in to restore service.
      env {
        name  = "HF_TOKEN"
        value = "hf_qLmZtR8vKx3NbW7yPc2DfJ9sHg4TuE6aVo"
      }
      env {
        name  = "VLLM_LOGGING_LEVEL"
        value = "INFO"
      }
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
