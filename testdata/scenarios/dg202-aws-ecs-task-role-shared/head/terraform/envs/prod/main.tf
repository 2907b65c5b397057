provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}

resource "aws_iam_role" "batch_scorer" {
  name = "batch-scorer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "batch_scorer" {
  name = "read-features"
  role = aws_iam_role.batch_scorer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::acme-features-prod/*"]
    }]
  })
}

resource "aws_ecs_task_definition" "batch_scorer" {
  family                   = "batch-scorer"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  task_role_arn            = aws_iam_role.batch_scorer.arn
  container_definitions = jsonencode([{
    name  = "scorer"
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/batch-scorer:1.4.0"
  }])
}

# The backfill job reuses the scorer's task role rather than getting its own.
resource "aws_ecs_task_definition" "feature_backfill" {
  family                   = "feature-backfill"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  task_role_arn            = aws_iam_role.batch_scorer.arn
  container_definitions = jsonencode([{
    name  = "backfill"
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/feature-backfill:0.9.2"
  }])
}
