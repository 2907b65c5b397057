# Prod Vertex AI serving: Terraform now acts as the model deployer service account through
# a short-lived access token rather than a key.
resource "google_service_account" "deployer" {
  project      = "acme-ml-prod"
  account_id   = "vertex-deployer"
  display_name = "Vertex AI model deployer"
}


# No lifetime: GCP issues the token for one hour.
data "google_service_account_access_token" "deployer" {
  target_service_account = google_service_account.deployer.email
  scopes                 = ["cloud-platform"]
}

provider "google" {
  alias        = "deployer"
  project      = "acme-ml-prod"
  access_token = data.google_service_account_access_token.deployer.access_token
}
