# A new prod LLM endpoint: only SageMaker and the release pipeline's role may assume it.
resource "aws_iam_role" "llm" {
  name = "llm-endpoint-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "sagemaker.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:role/model-release-prod" }
        Action    = "sts:AssumeRole"
      },
      {
        # Session tags from the auditors' user are accepted, but tagging lets nobody in.
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:user/auditor" }
        Action    = "sts:TagSession"
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
