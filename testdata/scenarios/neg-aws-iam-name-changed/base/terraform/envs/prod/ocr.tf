# The OCR inference service (ECS, GPU) of the prod document pipeline.
locals {
  env        = "prod"
  account_id = "567890123456"
  region     = "eu-central-1"
}

resource "aws_iam_role" "ocr" {
  name = "ocr-service-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "document-ai"
  }
}

data "aws_iam_policy_document" "ocr" {
  statement {
    sid       = "ReadScans"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-scans-${local.env}/incoming/*"]
  }

  statement {
    sid       = "WriteText"
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::acme-scans-${local.env}/text/*"]
  }
}

resource "aws_iam_role_policy" "ocr" {
  name   = "ocr-service"
  role   = aws_iam_role.ocr.id
  policy = data.aws_iam_policy_document.ocr.json
}

resource "aws_ecs_task_definition" "ocr" {
  family        = "ocr-service-${local.env}"
  task_role_arn = aws_iam_role.ocr.arn
  container_definitions = jsonencode([{
    name  = "ocr"
    image = "${local.account_id}.dkr.ecr.${local.region}.amazonaws.com/ocr-triton:2.3.0"
    resourceRequirements = [{ type = "GPU", value = "1" }]
  }])
}
