# A real-time SageMaker endpoint: model → endpoint configuration → endpoint.

variable "name" {
  type = string
}

variable "execution_role_arn" {
  type = string
}

variable "image" {
  type = string
}

variable "model_data_url" {
  type = string
}

variable "instance_type" {
  type    = string
  default = "ml.g5.2xlarge"
}

resource "aws_sagemaker_model" "this" {
  name               = var.name
  execution_role_arn = var.execution_role_arn

  primary_container {
    image          = var.image
    model_data_url = var.model_data_url
    environment = {
      HF_MODEL_ID = "/opt/ml/model"
      SM_NUM_GPUS = "1"
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  name = "${var.name}-config"

  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.this.name
    initial_instance_count = 2
    instance_type          = var.instance_type
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
}
