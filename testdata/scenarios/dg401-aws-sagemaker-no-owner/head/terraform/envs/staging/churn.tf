# Churn model, hosted on SageMaker for the retention experiments.
resource "aws_iam_role" "churn" {
  name = "churn-model-staging"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = {
    project = "retention"
  }
}

resource "aws_sagemaker_model" "churn" {
  name               = "churn-xgb-staging"
  execution_role_arn = aws_iam_role.churn.arn
  primary_container {
    image          = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    model_data_url = "s3://acme-models-staging/churn/model.tar.gz"
  }
}
