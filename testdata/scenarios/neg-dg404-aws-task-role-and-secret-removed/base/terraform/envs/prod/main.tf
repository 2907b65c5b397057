provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "search-relevance"
    }
  }
}

resource "aws_iam_role" "indexer" {
  name = "indexer-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "indexer" {
  name = "write-index"
  role = aws_iam_role.indexer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = ["arn:aws:s3:::acme-search-index-prod/*"]
    }]
  })
}

resource "aws_secretsmanager_secret" "vector_db" {
  name = "prod/indexer/vector-db"
}

resource "aws_ecs_task_definition" "indexer" {
  family                   = "indexer"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  task_role_arn            = aws_iam_role.indexer.arn
  container_definitions = jsonencode([{
    name  = "indexer"
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/indexer:3.0.0"
    secrets = [{
      name      = "VECTOR_DB_PASSWORD"
      valueFrom = aws_secretsmanager_secret.vector_db.arn
    }]
  }])
}
