# A GPU box for nightly batch scoring, and the launch template of its spot fleet.

resource "aws_iam_role" "batch" {
  name = "batch-scoring-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_instance_profile" "batch" {
  name = "batch-scoring-${local.env}"
  role = aws_iam_role.batch.name
}

resource "aws_instance" "batch" {
  ami                  = "ami-0abcdef1234567890"
  instance_type        = "p4d.24xlarge"
  iam_instance_profile = aws_iam_instance_profile.batch.name
  tags = {
    Name = "batch-scoring-${local.env}"
  }
}

resource "aws_launch_template" "batch_spot" {
  name          = "batch-scoring-spot-${local.env}"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "inf2.xlarge"

  iam_instance_profile {
    arn = aws_iam_instance_profile.batch.arn
  }
}
