# The search engineers deploy test revisions that run as the production account.
resource "google_service_account_iam_member" "search_engineers" {
  service_account_id = google_service_account.embedder.name
  role               = "roles/iam.serviceAccountUser"
  member             = "group:search-engineers@acme.example"
}

# The deploy pipeline attaches the account to new revisions.
resource "google_service_account_iam_member" "deployer" {
  service_account_id = google_service_account.embedder.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:cloud-run-deployer@acme-ml-prod.iam.gserviceaccount.com"
}
