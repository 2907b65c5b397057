# The embedding service on ECS with GPUs: vLLM behind an internal load balancer.

resource "aws_iam_role" "embedder_task" {
  name = "embedder-task-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role" "ecs_exec" {
  name = "ecs-exec-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "ecs_exec" {
  role       = aws_iam_role.ecs_exec.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_ecs_task_definition" "embedder" {
  family                   = "embedder-${local.env}"
  requires_compatibilities = ["EC2"]
  network_mode             = "awsvpc"
  task_role_arn            = aws_iam_role.embedder_task.arn
  # Written as an ARN: the same role as aws_iam_role.ecs_exec, found by its name.
  execution_role_arn = "arn:aws:iam::${local.account_id}:role/ecs-exec-${local.env}"

  container_definitions = jsonencode([
    {
      name      = "vllm"
      image     = "vllm/vllm-openai:v0.6.3"
      essential = true
      resourceRequirements = [
        { type = "GPU", value = "1" },
      ]
      secrets = [
        { name = "HF_TOKEN", valueFrom = aws_secretsmanager_secret.hf_token.arn },
        { name = "OPENAI_API_KEY", valueFrom = "arn:aws:secretsmanager:us-east-1:111122223333:secret:shared/openai-key-AbC123" },
      ]
      environment = [
        { name = "MODEL_ID", value = "BAAI/bge-large-en-v1.5" },
        { name = "AWS_SECRET_ACCESS_KEY", value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        { name = "REDIS_PASSWORD", value = var.redis_password },
      ]
    },
  ])

  tags = {
    owner = "search-team"
  }
}
