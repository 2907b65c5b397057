region          = "us-west-2"
account_id      = "111111111111"
eks_oidc_issuer = "oidc.eks.us-west-2.amazonaws.com/id/5TAG1NG0000000000000000000000000"

model_ids = [
  "anthropic.claude-3-haiku-20240307-v1:0",
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
]

bucket_access = {
  ReadModels = {
    bucket  = "acme-models-staging"
    actions = ["s3:GetObject", "s3:ListBucket"]
  }
  WriteEvalResults = {
    bucket  = "acme-eval-results-staging"
    actions = ["s3:GetObject", "s3:PutObject"]
  }
}

max_session_hours = 4
