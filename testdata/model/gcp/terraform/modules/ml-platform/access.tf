resource "google_project_iam_member" "inference_vertex" {
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.inference.email}"
}

resource "google_project_iam_member" "trainer_models" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = google_service_account.trainer.member

  condition {
    title       = "models-bucket-only"
    description = "Fine-tuning writes checkpoints to the models bucket only."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.project_id}-models\")"
  }
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/artifactregistry.reader",
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_storage_bucket" "models" {
  project                     = var.project_id
  name                        = "${var.project_id}-models"
  location                    = "US"
  uniform_bucket_level_access = true
  labels                      = local.labels
}

resource "google_storage_bucket_iam_binding" "model_readers" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  members = [
    "serviceAccount:${google_service_account.inference.email}",
    "group:ml-engineers@example.com",
  ]
}

resource "google_secret_manager_secret" "hf_token" {
  project   = var.project_id
  secret_id = "hf-token"
  labels    = local.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_iam_member" "hf_token_inference" {
  project   = google_secret_manager_secret.hf_token.project
  secret_id = google_secret_manager_secret.hf_token.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.inference.email}"
}
