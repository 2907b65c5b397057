# Vertex AI Pipelines runner of the production forecasting models.
locals {
  project = "acme-forecast-prod"
}

resource "google_service_account" "pipeline_runner" {
  project      = local.project
  account_id   = "pipeline-runner"
  display_name = "Vertex AI Pipelines runner"
}

resource "google_service_account" "trainer" {
  project      = local.project
  account_id   = "trainer"
  display_name = "Training jobs"
}

resource "google_project_iam_member" "runner_vertex" {
  project = local.project
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.pipeline_runner.email}"
}

# Lets the runner mint tokens for the training jobs it launches.
resource "google_project_iam_member" "runner_token_creator" {
  project = local.project
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "serviceAccount:${google_service_account.pipeline_runner.email}"
}
