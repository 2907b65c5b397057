# Nightly batch scoring job (ECS task role).
provider "aws" {
  region = "us-west-2"
  default_tags {
    tags = {
      team = "ml-platform"
      env  = "prod"
    }
  }
}

locals {
  aws_managed = "arn:aws:iam::aws:policy"
}

resource "aws_iam_role" "batch_scoring" {
  name                 = "batch-scoring-prod"
  max_session_duration = 3600
  assume_role_policy   = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"Service": "ecs-tasks.amazonaws.com"},
          "Action": "sts:AssumeRole"
        }
      ]
    }
  JSON
}

resource "aws_iam_role_policy_attachment" "batch_scoring_s3_read" {
  role       = aws_iam_role.batch_scoring.name
  policy_arn = "${local.aws_managed}/AmazonS3ReadOnlyAccess"
}

# "Temporary" while debugging the failing feature-store export.
resource "aws_iam_role_policy_attachment" "batch_scoring_admin" {
  role       = aws_iam_role.batch_scoring.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
