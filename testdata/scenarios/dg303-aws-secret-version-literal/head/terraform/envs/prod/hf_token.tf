# Seed the token so that new environments come up without a manual step.
resource "aws_secretsmanager_secret_version" "hf_token" {
  secret_id     = aws_secretsmanager_secret.hf_token.id
  secret_string = "hf_qWeRtYuIoPaSdFgHjKlZxCvBnMqWeRtYuIo"
}
