# Summarizes support tickets with a hosted LLM API.
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      team = "support-tools"
    }
  }
}

variable "openai_api_key" {
  type      = string
  sensitive = true
}

resource "aws_iam_role" "summarize" {
  name = "ticket-summarizer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_lambda_function" "summarize" {
  function_name = "ticket-summarizer-prod"
  role          = aws_iam_role.summarize.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/summarizer.zip"

  environment {
    variables = {
      OPENAI_API_KEY = var.openai_api_key
      LOG_LEVEL      = "info"
    }
  }
}
