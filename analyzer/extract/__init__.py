"""Provider extractors: parsed documents → identity-binding model entities."""
