# Prod Vertex AI serving: the model deployer service account.
resource "google_service_account" "deployer" {
  project      = "acme-ml-prod"
  account_id   = "vertex-deployer"
  display_name = "Vertex AI model deployer"
}

