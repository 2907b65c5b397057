# The prod LLM endpoint on SageMaker and the role its model runs as.
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      team = "llm-platform"
    }
  }
}
