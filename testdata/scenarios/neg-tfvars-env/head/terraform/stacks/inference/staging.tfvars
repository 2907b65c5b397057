env           = "staging"
region        = "us-west-2"
model_actions = ["s3:GetObject", "s3:ListBucket"]
model_prefix  = "candidates"
