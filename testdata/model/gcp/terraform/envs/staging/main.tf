terraform {
  backend "gcs" {
    bucket = "acme-tf-state"
    prefix = "ml/staging"
  }
}

provider "google" {
  project = "acme-ml-staging"
  region  = "us-central1"
}

module "ml_platform" {
  source        = "../../modules/ml-platform"
  project_id    = "acme-ml-staging"
  env           = "staging"
  k8s_namespace = "ml-staging"
  debug_impersonators = [
    "user:alice@example.com",
    "serviceAccount:ci-runner@acme-ci.iam.gserviceaccount.com",
  ]
}

# A key for running the inference identity from a laptop while debugging latency.
resource "google_service_account_key" "inference_debug" {
  service_account_id = "projects/acme-ml-staging/serviceAccounts/llm-inference@acme-ml-staging.iam.gserviceaccount.com"
}
