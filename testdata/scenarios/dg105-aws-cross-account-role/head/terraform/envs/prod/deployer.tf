# The role the release pipeline assumes to roll out new model versions in production.
resource "aws_iam_role" "model_deployer" {
  name = "model-deployer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ReleasePipeline"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::111122223333:role/release-pipeline" }
      },
      {
        Sid       = "VendorMlOps"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::444455556666:role/vendor-mlops" }
      },
    ]
  })
  tags = {
    owner = "ml-platform"
  }
}

resource "aws_iam_role_policy" "model_deployer" {
  name = "deploy-endpoints"
  role = aws_iam_role.model_deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint"]
      Resource = "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/llm-prod"
    }]
  })
}
