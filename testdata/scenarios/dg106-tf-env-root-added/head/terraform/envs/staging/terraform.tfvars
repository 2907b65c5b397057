env           = "staging"
region        = "us-west-2"
account_id    = "111111111111"
model_actions = ["s3:GetObject", "s3:ListBucket"]
