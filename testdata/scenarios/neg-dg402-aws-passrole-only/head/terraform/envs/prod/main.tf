# The role the model-release workflow assumes to roll out SageMaker endpoints.
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "ml-platform"
    }
  }
}
