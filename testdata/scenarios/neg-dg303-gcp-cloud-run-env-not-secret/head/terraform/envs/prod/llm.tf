# Prod chat model: vLLM on a Cloud Run L4 GPU, pulling gated weights from the Hugging
# Face Hub with a token kept in Secret Manager.
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
      env {
        name = "HF_TOKEN"
        value_source {
          secret_key_ref {
            secret  = "hf-token"
            version = "latest"
          }
        }
      }
      # Tuning for the new tokenizer; the token file path is where vLLM looks for a mounted
      # token, not the token.
      env {
        name  = "TOKENIZERS_PARALLELISM"
        value = "false"
      }
      env {
        name  = "MAX_NUM_BATCHED_TOKENS"
        value = "8192"
      }
      env {
        name  = "HF_TOKEN_PATH"
        value = "/secrets/hf/token"
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
