locals {
  role_name   = "${var.service}-${var.environment}"
  oidc_issuer = element(split("oidc-provider/", var.oidc_provider_arn), 1)
  subject     = "system:serviceaccount:${var.namespace}:${var.service_account}"
  tags = merge(var.tags, {
    environment = var.environment
    service     = var.service
  })
}

resource "aws_iam_role" "this" {
  name                 = local.role_name
  max_session_duration = var.max_session_hours * 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ServiceAccount"
        Effect    = "Allow"
        Action    = "sts:AssumeRoleWithWebIdentity"
        Principal = { Federated = var.oidc_provider_arn }
        Condition = {
          StringEquals = {
            "${local.oidc_issuer}:sub" = local.subject
            "${local.oidc_issuer}:aud" = "sts.amazonaws.com"
          }
        }
      },
    ]
  })

  tags = local.tags
}

data "aws_iam_policy_document" "access" {
  statement {
    sid       = "InvokeModels"
    actions   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [for id in var.model_ids : "arn:aws:bedrock:${var.region}::foundation-model/${id}"]
  }

  dynamic "statement" {
    for_each = var.bucket_access
    content {
      sid     = statement.key
      actions = statement.value.actions
      resources = [
        "arn:aws:s3:::${statement.value.bucket}",
        "arn:aws:s3:::${statement.value.bucket}/*",
      ]
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? ["decrypt"] : []
    content {
      sid       = "DecryptModelArtifacts"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arns
    }
  }
}

resource "aws_iam_role_policy" "access" {
  name   = "${local.role_name}-access"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.access.json
}
