# The prompt cache warmer of the prod LLM gateway reads cached completions from S3.
# Least privilege: name the Get actions it uses instead of s3:Get*.
locals {
  cache = "arn:aws:s3:::acme-llm-cache-prod"
}

resource "aws_iam_role" "cache_warmer" {
  name = "llm-cache-warmer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "llm-gateway"
  }
}

resource "aws_iam_role_policy" "cache_warmer" {
  name   = "cache"
  role   = aws_iam_role.cache_warmer.id
  policy = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadCache",
          "Effect": "Allow",
          "Action": [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectTagging",
            "s3:GetObjectAttributes"
          ],
          "Resource": "arn:aws:s3:::acme-llm-cache-prod/completions/*"
        }
      ]
    }
  JSON
}
