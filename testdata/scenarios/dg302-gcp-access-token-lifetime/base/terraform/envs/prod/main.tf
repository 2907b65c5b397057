# Prod Vertex AI serving: Terraform acts as the model deployer service account through a
# short-lived access token rather than a key.
resource "google_service_account" "deployer" {
  project      = "acme-ml-prod"
  account_id   = "vertex-deployer"
  display_name = "Vertex AI model deployer"
}

data "google_service_account_access_token" "deployer" {
  target_service_account = google_service_account.deployer.email
  scopes                 = ["cloud-platform"]
  lifetime               = "1800s"
}

provider "google" {
  alias        = "deployer"
  project      = "acme-ml-prod"
  access_token = data.google_service_account_access_token.deployer.access_token
}
