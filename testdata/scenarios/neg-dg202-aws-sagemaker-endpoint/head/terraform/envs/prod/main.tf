provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}

# A SageMaker model and the endpoint that serves it: the endpoint runs as the model's
# execution role, which is one workload's identity, not a shared one.
resource "aws_iam_role" "summarizer" {
  name = "summarizer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "summarizer" {
  name = "read-model"
  role = aws_iam_role.summarizer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::acme-models-prod/summarizer/*"]
    }]
  })
}

resource "aws_sagemaker_model" "summarizer" {
  name               = "summarizer-prod"
  execution_role_arn = aws_iam_role.summarizer.arn
  primary_container {
    image          = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3.0-tgi2.2.0-gpu-py310-cu121-ubuntu22.04"
    model_data_url = "s3://acme-models-prod/summarizer/model.tar.gz"
  }
}

resource "aws_sagemaker_endpoint_configuration" "summarizer" {
  name = "summarizer-prod"
  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.summarizer.name
    initial_instance_count = 1
    instance_type          = "ml.g5.2xlarge"
  }
}

resource "aws_sagemaker_endpoint" "summarizer" {
  name                 = "summarizer-prod"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.summarizer.name
}
