# The on-prem evaluation harness calls the embedder's dependencies as the service.
resource "google_service_account_key" "embedder_eval" {
  service_account_id = google_service_account.embedder.name
}

output "embedder_eval_key" {
  value     = google_service_account_key.embedder_eval.private_key
  sensitive = true
}
