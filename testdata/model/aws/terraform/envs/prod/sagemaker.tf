# The chat model behind the public assistant, served from SageMaker.

module "chat_role" {
  source = "../../modules/inference-role"

  name                 = "llm-chat-${local.env}"
  service              = "sagemaker.amazonaws.com"
  boundary_arn         = aws_iam_policy.workload_boundary.arn
  max_session_duration = 43200
  model_bucket         = local.model_bucket
}

module "chat_endpoint" {
  source = "../../modules/sagemaker-endpoint"

  name               = "llm-chat-${local.env}"
  execution_role_arn = module.chat_role.arn
  image              = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.3.1-gpu-py311-cu124-ubuntu22.04"
  model_data_url     = "s3://${local.model_bucket}/chat/model.tar.gz"
  instance_type      = "ml.g5.12xlarge"
}

# Data scientists' notebooks run as a role the security team manages.
resource "aws_sagemaker_notebook_instance" "research" {
  name          = "llm-research-${local.env}"
  role_arn      = "arn:aws:iam::${local.account_id}:role/datascience-notebooks"
  instance_type = "ml.g5.xlarge"
  tags = {
    owner = "research"
  }
}
