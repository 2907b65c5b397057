# The document summarizer (Lambda) of the prod knowledge base.
locals {
  env        = "prod"
  account_id = "456789012345"
  region     = "us-west-2"
}

resource "aws_iam_role" "summarizer" {
  name = "kb-summarizer-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  tags = {
    owner = "knowledge-base"
  }
}

resource "aws_iam_role_policy" "summarizer_data" {
  name = "data"
  role = aws_iam_role.summarizer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadDocuments"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "arn:aws:s3:::acme-kb-documents-${local.env}/*"
      },
      {
        Sid      = "WriteSummaries"
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
        Resource = "arn:aws:dynamodb:${local.region}:${local.account_id}:table/kb-summaries-${local.env}"
      },
      {
        Sid      = "InvokeModel"
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModel"]
        Resource = "arn:aws:bedrock:${local.region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
      },
    ]
  })
}

resource "aws_iam_role_policy" "summarizer_models" {
  name = "models"
  role = aws_iam_role.summarizer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "GuardrailCheck"
        Effect   = "Allow"
        Action   = ["bedrock:ApplyGuardrail"]
        Resource = "arn:aws:bedrock:${local.region}:${local.account_id}:guardrail/*"
      },
    ]
  })
}
