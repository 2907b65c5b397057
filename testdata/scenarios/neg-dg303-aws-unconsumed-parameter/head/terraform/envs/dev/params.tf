provider "aws" {
  region = "eu-west-1"
}

resource "aws_ssm_parameter" "model_bucket" {
  name  = "/dev/llm/model-bucket"
  type  = "String"
  value = "acme-models-dev"
}

# Placeholder for the smoke-test harness; no workload of this repository reads it.
resource "aws_ssm_parameter" "smoke_password" {
  name  = "/dev/llm/smoke-password"
  type  = "SecureString"
  value = "changeme-smoke-only"
}
