variable "project_id" {
  type        = string
  description = "The project the ML platform of one environment lives in."
}

variable "region" {
  type    = string
  default = "us-central1"
}

variable "env" {
  type = string
}

variable "team" {
  type    = string
  default = "ml-platform"
}

variable "k8s_namespace" {
  type        = string
  description = "Namespace of the inference Deployment (Workload Identity subject)."
}

variable "gpu_type" {
  type    = string
  default = "nvidia-l4"
}

variable "gpu_count" {
  type    = number
  default = 1
}

variable "debug_impersonators" {
  type        = list(string)
  description = "Members allowed to mint tokens for the inference identity."
  default     = []
}
