region          = "us-east-1"
account_id      = "222222222222"
eks_oidc_issuer = "oidc.eks.us-east-1.amazonaws.com/id/PR0D00000000000000000000000000000"

model_ids = [
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
]

bucket_access = {
  ReadModels = {
    bucket  = "acme-models-prod"
    actions = ["s3:GetObject"]
  }
}

kms_key_arns = [
  "arn:aws:kms:us-east-1:222222222222:key/0f3c2a9e-7b1d-4d2b-9c55-6a7e8f9a0b1c",
]
