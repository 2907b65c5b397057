# The external red-team vendor replays prompts against the assistant's Azure OpenAI
# deployment from its own harness, outside Azure, with an application secret.
resource "azuread_application" "redteam" {
  display_name = "assistant-redteam-harness-prod"
}

resource "azuread_service_principal" "redteam" {
  client_id = azuread_application.redteam.client_id
}

# A year, so the vendor's engagement never stalls on an expired secret.
resource "azuread_application_password" "redteam" {
  application_id    = azuread_application.redteam.id
  display_name      = "vendor-harness"
  end_date_relative = "8760h"
}

# The vendor's backup runner; no end date at all.
resource "azuread_application_password" "redteam_backup" {
  application_id = azuread_application.redteam.id
  display_name   = "vendor-harness-backup"
}
