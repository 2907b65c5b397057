"""GCP (google_*) resources → identity-binding model entities."""
