# A SageMaker real-time endpoint for one LLM, and the role it runs as.
variable "env" {
  type = string
}

variable "region" {
  type = string
}

variable "account_id" {
  type = string
}

variable "image" {
  type = string
}

variable "model_actions" {
  description = "What the endpoint may do on the environment's model bucket."
  type        = list(string)
}

locals {
  name   = "llm-chat-${var.env}"
  bucket = "arn:aws:s3:::acme-models-${var.env}"
}

resource "aws_iam_role" "endpoint" {
  name = local.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = {
    owner = "llm-platform"
  }
}

resource "aws_iam_role_policy" "endpoint" {
  name = "endpoint"
  role = aws_iam_role.endpoint.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Models"
        Effect   = "Allow"
        Action   = var.model_actions
        Resource = [local.bucket, "${local.bucket}/chat/*"]
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:${var.region}:${var.account_id}:log-group:/aws/sagemaker/Endpoints/${local.name}:*"]
      },
    ]
  })
}

resource "aws_sagemaker_model" "this" {
  name               = local.name
  execution_role_arn = aws_iam_role.endpoint.arn

  primary_container {
    image          = var.image
    model_data_url = "s3://acme-models-${var.env}/chat/model.tar.gz"
  }

  tags = {
    owner = "llm-platform"
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  name = local.name

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.this.name
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 1
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = local.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name

  tags = {
    owner = "llm-platform"
  }
}
