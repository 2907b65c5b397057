# Identity of the embedding service: reads documents, reads its model weights.
terraform {
  required_version = ">= 1.6"
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "env" {
  type = string
}

locals {
  corpus_bucket = "arn:aws:s3:::acme-corpus-${var.env}"
  models_bucket = "arn:aws:s3:::acme-models-${var.env}"
}

resource "aws_iam_role" "embedder" {
  name = "embedder-${var.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "embedder" {
  name = "embedder-data"
  role = aws_iam_role.embedder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadCorpus"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = [local.corpus_bucket, "${local.corpus_bucket}/*"]
      },
      {
        Sid      = "ReadModels"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${local.models_bucket}/embedders/*"]
      },
      # The nightly re-index now writes the vectors back itself.
      {
        Sid      = "WriteEmbeddings"
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["${local.corpus_bucket}/embeddings/*"]
      },
    ]
  })
}
