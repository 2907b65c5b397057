# The production LLM server (ECS on GPU instances) loads its weights from S3.
locals {
  env        = "prod"
  account_id = "210987654321"
}

resource "aws_iam_role" "llm_server" {
  name = "llm-server-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "inference-team"
  }
}

data "aws_iam_policy_document" "llm_server" {
  statement {
    sid       = "LoadWeights"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::models-${local.env}/*"]
  }

  statement {
    sid       = "ListWeights"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::models-${local.env}"]
  }
}

resource "aws_iam_role_policy" "llm_server" {
  name   = "llm-server-weights"
  role   = aws_iam_role.llm_server.id
  policy = data.aws_iam_policy_document.llm_server.json
}

resource "aws_ecs_task_definition" "llm_server" {
  family        = "llm-server-${local.env}"
  task_role_arn = aws_iam_role.llm_server.arn
  container_definitions = jsonencode([{
    name  = "vllm"
    image = "vllm/vllm-openai:v0.6.3"
    command = ["--model", "s3://models-${local.env}/llama-3.1-8b-instruct"]
  }])
}
