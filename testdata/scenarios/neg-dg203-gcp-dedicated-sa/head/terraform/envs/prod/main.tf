locals {
  project = "acme-vision-prod"
  region  = "us-central1"
}

resource "google_storage_bucket" "models" {
  project  = local.project
  name     = "acme-vision-models-prod"
  location = "US"
}
