"""GCP (google_*) resources → identity-binding model entities."""

from driftgate.analyzer.terraform.evaluate import register_context_source

# The project and region the provider is configured with: known at plan time.
register_context_source("google_client_config")
