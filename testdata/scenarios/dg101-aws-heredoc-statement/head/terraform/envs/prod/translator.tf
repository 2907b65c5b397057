# Machine translation service (Lambda in front of a SageMaker endpoint).
locals {
  env      = "prod"
  endpoint = "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/nllb-${local.env}"
}

resource "aws_iam_role" "translator" {
  name = "translator-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
  tags = {
    owner = "localization"
  }
}

resource "aws_iam_role_policy" "translator" {
  name   = "invoke-endpoint"
  role   = aws_iam_role.translator.id
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Invoke",
          "Effect": "Allow",
          "Action": "sagemaker:InvokeEndpoint",
          "Resource": "${local.endpoint}"
        },
        {
          "Sid": "CacheTranslations",
          "Effect": "Allow",
          "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
          "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/translation-cache-${local.env}"
        }
      ]
    }
  EOF
}

resource "aws_lambda_function" "translator" {
  function_name = "translator-${local.env}"
  role          = aws_iam_role.translator.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/translator.zip"
}
