# A user for the feature store, whose bucket policy predates roles.
resource "aws_iam_user" "feature_reader" {
  name = "ranker-feature-reader"
}

resource "aws_iam_user_policy" "feature_reader" {
  name = "read-features"
  user = aws_iam_user.feature_reader.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::acme-features-prod/ranker/*"]
    }]
  })
}

resource "aws_iam_access_key" "feature_reader" {
  user = aws_iam_user.feature_reader.name
}
