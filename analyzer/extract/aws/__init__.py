"""AWS (aws_*) resources → identity-binding model entities."""
