# The prod LLM gateway: vLLM on a GPU ECS task, with a Hugging Face token for gated models.
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "llm-platform"
    }
  }
}

resource "aws_iam_role" "llm_task" {
  name = "llm-task-prod"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_secretsmanager_secret" "hf_token" {
  name = "prod/llm/hf-token"
}

resource "aws_ecs_task_definition" "llm" {
  family             = "llm-prod"
  task_role_arn      = aws_iam_role.llm_task.arn
  execution_role_arn = aws_iam_role.llm_task.arn
  container_definitions = jsonencode([
    {
      name  = "vllm"
      image = "vllm/vllm-openai:v0.6.3"
      resourceRequirements = [{ type = "GPU", value = "1" }]
      secrets = [
        { name = "HF_TOKEN", valueFrom = aws_secretsmanager_secret.hf_token.arn },
      ]
    }
  ])
}
