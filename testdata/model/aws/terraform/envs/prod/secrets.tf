# Secrets the serving stack reads.

resource "aws_secretsmanager_secret" "hf_token" {
  name        = "llm/${local.env}/hf-token"
  description = "Hugging Face token for gated model downloads"
  tags = {
    owner = "llm-serving"
  }
}

resource "aws_secretsmanager_secret_rotation" "hf_token" {
  secret_id           = aws_secretsmanager_secret.hf_token.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:111122223333:function:rotate-hf-token"

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "vector_db" {
  name = "llm/${local.env}/vector-db"
}

# "Temporary" bootstrap value, committed with the code.
resource "aws_secretsmanager_secret_version" "vector_db" {
  secret_id = aws_secretsmanager_secret.vector_db.id
  secret_string = jsonencode({
    username = "embedder"
    password = "s3cr3t-bootstrap-pw"
  })
}
