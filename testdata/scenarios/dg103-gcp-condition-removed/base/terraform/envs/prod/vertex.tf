# The Vertex AI online prediction service account of the recommender.
locals {
  project = "acme-recs-prod"
}

resource "google_service_account" "recs_predictor" {
  project      = local.project
  account_id   = "recs-predictor"
  display_name = "Recommender online prediction"
}

resource "google_project_iam_member" "recs_predictor_secrets" {
  project = local.project
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.recs_predictor.email}"

  condition {
    title      = "recs-secrets-only"
    expression = "resource.name.startsWith(\"projects/acme-recs-prod/secrets/recs-\")"
  }
}
