# The prod ranker: Triton on a GPU ECS task.
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "ranking"
    }
  }
}

variable "feature_store_key_id" {
  type = string
}

variable "feature_store_secret" {
  type      = string
  sensitive = true
}

resource "aws_iam_role" "ranker_task" {
  name = "ranker-task-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_ecs_task_definition" "ranker" {
  family        = "ranker-prod"
  task_role_arn = aws_iam_role.ranker_task.arn
  container_definitions = jsonencode([
    {
      name  = "triton"
      image = "nvcr.io/nvidia/tritonserver:24.08-py3"
      resourceRequirements = [{ type = "GPU", value = "1" }]
      environment = [
        { name = "MODEL_REPOSITORY", value = "s3://acme-models-prod/ranker" },
        # The feature store in the old account has no role for us yet.
        { name = "AWS_ACCESS_KEY_ID", value = var.feature_store_key_id },
        { name = "AWS_SECRET_ACCESS_KEY", value = var.feature_store_secret },
      ]
    }
  ])
}
