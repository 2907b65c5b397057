env           = "prod"
model_actions = ["s3:GetObject", "s3:ListBucket"]
model_prefix  = "released"
