"""Azure (azurerm_*, azuread_*) resources → identity-binding model entities."""
