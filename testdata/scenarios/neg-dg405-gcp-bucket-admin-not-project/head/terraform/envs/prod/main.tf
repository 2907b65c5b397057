locals {
  project = "acme-ml-prod"
}
