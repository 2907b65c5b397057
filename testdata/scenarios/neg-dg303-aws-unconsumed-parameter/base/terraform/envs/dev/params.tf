provider "aws" {
  region = "eu-west-1"
}

resource "aws_ssm_parameter" "model_bucket" {
  name  = "/dev/llm/model-bucket"
  type  = "String"
  value = "acme-models-dev"
}
