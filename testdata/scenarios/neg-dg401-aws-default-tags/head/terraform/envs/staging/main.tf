provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      Owner = "retention-ds@acme.example"
    }
  }
}
