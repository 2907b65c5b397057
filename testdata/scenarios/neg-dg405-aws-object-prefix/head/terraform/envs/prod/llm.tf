# A new prod LLM endpoint whose role is scoped to its buckets.

resource "aws_iam_role" "llm" {
  name = "llm-endpoint-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "SageMaker"
        Effect    = "Allow"
        Principal = { Service = "sagemaker.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
    ]
  })
}

resource "aws_iam_role_policy" "llm" {
  name = "read-model"
  role = aws_iam_role.llm.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::acme-models-prod/*", "arn:aws:s3:::acme-models-prod"]
      },
      {
        # Its own scratch prefix: any object operation, on that prefix only.
        Effect   = "Allow"
        Action   = ["s3:*"]
        Resource = ["arn:aws:s3:::acme-llm-scratch-prod/llm/*"]
      },
      {
        Effect   = "Allow"
        Action   = ["logs:Create*", "logs:PutLogEvents"]
        Resource = ["*"]
      },
    ]
  })
}

resource "aws_sagemaker_model" "llm" {
  name               = "llm-prod"
  execution_role_arn = aws_iam_role.llm.arn
  primary_container {
    image = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3-tgi2.2-gpu-py310-cu121-ubuntu22.04"
  }
}
