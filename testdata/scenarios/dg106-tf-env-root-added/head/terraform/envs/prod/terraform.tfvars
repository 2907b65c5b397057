env           = "prod"
region        = "us-east-1"
account_id    = "222222222222"
# Prod also re-uploads and prunes model artifacts after evaluation.
model_actions = ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject"]
