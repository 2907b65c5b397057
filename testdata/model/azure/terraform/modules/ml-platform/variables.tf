variable "env" {
  type        = string
  description = "Environment name: staging or prod."
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "owner" {
  type    = string
  default = "ml-platform"
}

variable "gpu_vm_size" {
  type    = string
  default = "Standard_NC4as_T4_v3"
}

variable "ml_engineers_group_id" {
  type        = string
  description = "Object id of the Entra ID group of ML engineers."
}

variable "deployer_at_subscription" {
  type    = bool
  default = false
}
