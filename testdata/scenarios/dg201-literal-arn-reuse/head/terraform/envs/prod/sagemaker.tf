# Serve the forecaster from SageMaker in production.
resource "aws_sagemaker_model" "forecaster" {
  name = "forecaster-${var.env}"
  # Same execution role as the staging service, "until the platform team makes ours".
  execution_role_arn = "arn:aws:iam::111122223333:role/forecaster-staging"

  primary_container {
    image          = "763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311"
    model_data_url = "s3://acme-forecasts-${var.env}/models/forecaster/model.tar.gz"
  }
}

resource "aws_sagemaker_endpoint_configuration" "forecaster" {
  name = "forecaster-${var.env}"

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.forecaster.name
    initial_instance_count = 2
    instance_type          = "ml.m5.xlarge"
  }
}
