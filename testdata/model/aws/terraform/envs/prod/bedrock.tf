# The support agent answers tickets with Claude and a knowledge base.

resource "aws_iam_role" "support_agent" {
  name = "support-agent-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "bedrock.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
      }
    }]
  })
}

resource "aws_iam_role_policy" "support_agent" {
  name = "invoke-claude"
  role = aws_iam_role.support_agent.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeClaude"
      Effect   = "Allow"
      Action   = "bedrock:InvokeModel"
      Resource = "arn:aws:bedrock:${local.region}::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"
    }]
  })
}

resource "aws_bedrockagent_agent" "support" {
  agent_name              = "support-${local.env}"
  agent_resource_role_arn = aws_iam_role.support_agent.arn
  foundation_model        = "anthropic.claude-3-5-sonnet-20241022-v2:0"
  instruction             = "Answer customer support tickets using the product knowledge base."
}
