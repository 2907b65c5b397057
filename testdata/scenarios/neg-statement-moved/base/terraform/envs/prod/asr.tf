# Speech-to-text batch workers (ECS).
variable "account_id" {
  type    = string
  default = "777788889999"
}

locals {
  env    = "prod"
  region = "eu-west-1"
  queue  = "arn:aws:sqs:${local.region}:${var.account_id}:asr-jobs-${local.env}"
}

resource "aws_iam_role" "asr_worker" {
  name = "asr-worker-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    team = "speech"
  }
}

resource "aws_iam_role_policy" "asr_models" {
  name = "models"
  role = aws_iam_role.asr_worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadModels"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = "arn:aws:s3:::acme-speech-models-${local.env}/whisper/*"
      },
      {
        Sid      = "PublishMetrics"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData"]
        Resource = "*"
      },
    ]
  })
}

data "aws_iam_policy_document" "asr_queue" {
  statement {
    sid       = "ConsumeJobs"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = [local.queue]
  }
}

resource "aws_iam_role_policy" "asr_queue" {
  name   = "queue"
  role   = aws_iam_role.asr_worker.name
  policy = data.aws_iam_policy_document.asr_queue.json
}

resource "aws_ecs_task_definition" "asr_worker" {
  family        = "asr-worker-${local.env}"
  task_role_arn = aws_iam_role.asr_worker.arn
  container_definitions = jsonencode([{
    name  = "worker"
    image = "${var.account_id}.dkr.ecr.${local.region}.amazonaws.com/asr-worker:3.1.0"
  }])
}
