provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "llm-serving"
    }
  }
}

# The serving role lives in the shared IAM stack; every environment reads it from there.
data "terraform_remote_state" "iam" {
  backend = "s3"
  config = {
    bucket = "acme-tfstate"
    key    = "staging/iam.tfstate"
    region = "us-east-1"
  }
}

resource "aws_ecs_task_definition" "llm" {
  family        = "llm-staging"
  task_role_arn = data.terraform_remote_state.iam.outputs["inference_role_arn"]
  container_definitions = jsonencode([{
    name                 = "vllm"
    image                = "vllm/vllm-openai:v0.6.3"
    resourceRequirements = [{ type = "GPU", value = "1" }]
  }])
}
