# The batch-scoring role assumed by the nightly scoring pipeline.
resource "aws_iam_role" "scoring" {
  name = "batch-scoring-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  # Long jobs kept timing out: sessions now last twelve hours.
  max_session_duration = 43200
  tags                 = { owner = "ml-platform" }
}
