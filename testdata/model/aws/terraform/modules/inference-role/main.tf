# A role for one inference service: trusted by one AWS service, capped by the
# platform's permissions boundary, with its own inline policy.

variable "name" {
  type = string
}

variable "service" {
  type        = string
  description = "The AWS service principal that assumes the role."
}

variable "boundary_arn" {
  type = string
}

variable "max_session_duration" {
  type    = number
  default = 3600
}

variable "model_bucket" {
  type = string
}

resource "aws_iam_role" "this" {
  name                 = var.name
  permissions_boundary = var.boundary_arn
  max_session_duration = var.max_session_duration

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = var.service }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = {
    owner = "llm-serving"
  }
}

resource "aws_iam_role_policy" "models" {
  name = "read-models"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadModelArtifacts"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::${var.model_bucket}", "arn:aws:s3:::${var.model_bucket}/*"]
    }]
  })
}

output "arn" {
  value = aws_iam_role.this.arn
}

output "name" {
  value = aws_iam_role.this.name
}
