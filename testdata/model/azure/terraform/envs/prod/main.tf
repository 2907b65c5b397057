terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.30"
    }
    azuread = {
      source  = "hashicorp/azuread"
      version = "~> 3.0"
    }
  }
}

provider "azurerm" {
  features {}
}

module "ml_platform" {
  source                   = "../../modules/ml-platform"
  env                      = "prod"
  gpu_vm_size              = "Standard_NC24ads_A100_v4"
  ml_engineers_group_id    = "5b1e6f0a-3c2d-4e8f-9a7b-1c2d3e4f5a6b"
  deployer_at_subscription = true
}
