env         = "dev"
eval_bucket = "acme-evals-dev"
