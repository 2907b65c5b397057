# The BI tool outside Azure reads usage reports with an application secret.
resource "azuread_application" "reporting" {
  display_name = "assistant-usage-reporting"
}

resource "azuread_application_password" "reporting" {
  application_id = azuread_application.reporting.id
  display_name   = "bi-tool"
  end_date       = "2026-01-31T00:00:00Z"
}
