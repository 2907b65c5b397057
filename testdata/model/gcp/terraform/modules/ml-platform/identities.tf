locals {
  labels = {
    team        = var.team
    env         = var.env
    cost-center = "ml"
  }
}

# The identity the model servers run as (Cloud Run, and GKE through Workload Identity).
resource "google_service_account" "inference" {
  project      = var.project_id
  account_id   = "llm-inference"
  display_name = "LLM inference (${var.env})"
}

# Fine-tuning jobs; still authenticates from the on-prem scheduler with a key.
resource "google_service_account" "trainer" {
  project      = var.project_id
  account_id   = "llm-trainer"
  display_name = "LLM fine-tuning (${var.env})"
}

resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "gke-gpu-nodes"
  display_name = "GKE GPU node pool"
}

resource "google_service_account_key" "trainer" {
  service_account_id = google_service_account.trainer.name
}

resource "google_service_account_iam_member" "inference_workload_identity" {
  service_account_id = google_service_account.inference.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.k8s_namespace}/llm]"
}

resource "google_service_account_iam_binding" "inference_token_creators" {
  service_account_id = google_service_account.inference.name
  role               = "roles/iam.serviceAccountTokenCreator"
  members            = var.debug_impersonators
}
