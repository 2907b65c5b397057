"""AWS (aws_*) resources → identity-binding model entities."""

from driftgate.analyzer.extract.aws import data_sources

# Whatever evaluates a Terraform tree for the extractors imports this room first (the
# pipeline does, through the registry), so the evaluator knows AWS data sources in time.
data_sources.register()
