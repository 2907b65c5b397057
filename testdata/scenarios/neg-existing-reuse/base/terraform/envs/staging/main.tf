provider "aws" {
  region = "us-east-2"
}

variable "env" {
  type = string
}

locals {
  issuer = "oidc.eks.us-east-2.amazonaws.com/id/3D4E5F60718293A4B5C6D7E8F90A1B2C"
}

resource "aws_iam_role" "chat" {
  name = "chat-assistant-${var.env}"
  assume_role_policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::222233334444:oidc-provider/${local.issuer}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"${local.issuer}:sub": "system:serviceaccount:chat-*:assistant"}}
      }]
    }
  POLICY
  tags = {
    team = "assistant"
  }
}

resource "aws_iam_role_policy" "chat" {
  name = "bedrock"
  role = aws_iam_role.chat.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeModels"
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = "arn:aws:bedrock:us-east-2::foundation-model/anthropic.*"
    }]
  })
}
