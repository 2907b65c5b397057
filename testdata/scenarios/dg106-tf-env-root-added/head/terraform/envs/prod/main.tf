provider "aws" {
  region = var.region
}

variable "env" {
  type = string
}

variable "region" {
  type = string
}

variable "account_id" {
  type = string
}

variable "model_actions" {
  type = list(string)
}

module "chat" {
  source        = "../../modules/llm-endpoint"
  env           = var.env
  region        = var.region
  account_id    = var.account_id
  image         = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.3.0-tgi2.2.0-gpu-py310-cu121-ubuntu22.04"
  model_actions = var.model_actions
}
