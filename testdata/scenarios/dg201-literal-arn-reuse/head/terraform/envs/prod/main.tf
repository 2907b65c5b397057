provider "aws" {
  region = "eu-central-1"
  default_tags {
    tags = {
      team = "forecasting"
    }
  }
}

variable "env" {
  type    = string
  default = "prod"
}

resource "aws_s3_bucket" "forecasts" {
  bucket = "acme-forecasts-${var.env}"
}
