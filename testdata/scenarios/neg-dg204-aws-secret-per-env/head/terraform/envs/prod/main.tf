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

resource "aws_iam_role" "indexer_execution" {
  name = "indexer-execution-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_ecs_task_definition" "indexer" {
  family                   = "indexer-prod"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  task_role_arn            = aws_iam_role.indexer.arn
  execution_role_arn       = aws_iam_role.indexer_execution.arn
  container_definitions = jsonencode([{
    name  = "indexer"
    image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/indexer:3.0.0"
    secrets = [{
      name      = "HF_TOKEN"
      valueFrom = aws_secretsmanager_secret.hf_token.arn
    }]
  }])
}

# Each environment has a Hugging Face token of its own.
resource "aws_secretsmanager_secret" "hf_token" {
  name = "prod/hf-token"
}
