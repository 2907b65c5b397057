# The external red-team vendor replays prompts against the assistant's Azure OpenAI
# deployment from its own harness, outside Azure, with an application secret that
# Terraform rotates every 60 days (the vendor pulls the new one from our Key Vault).
resource "azuread_application" "redteam" {
  display_name = "assistant-redteam-harness-prod"
}

resource "azuread_service_principal" "redteam" {
  client_id = azuread_application.redteam.client_id
}

resource "time_rotating" "redteam" {
  rotation_days = 60
}

resource "azuread_application_password" "redteam" {
  application_id = azuread_application.redteam.id
  display_name   = "vendor-harness"
  end_date       = time_rotating.redteam.rotation_rfc3339
  rotate_when_changed = {
    rotation = time_rotating.redteam.id
  }
}

# A one-off key for the kick-off workshop, valid for 30 days.
resource "azuread_application_password" "workshop" {
  application_id    = azuread_application.redteam.id
  display_name      = "kickoff-workshop"
  end_date_relative = "720h"
}
