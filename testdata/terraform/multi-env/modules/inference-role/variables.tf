variable "service" {
  description = "Name of the inference service; the role is named <service>-<environment>."
  type        = string
}

variable "environment" {
  type = string
}

variable "region" {
  type = string
}

variable "namespace" {
  description = "Kubernetes namespace of the service account that assumes the role (IRSA)."
  type        = string
}

variable "service_account" {
  type = string
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider."
  type        = string
}

variable "model_ids" {
  description = "Bedrock foundation models the service may invoke."
  type        = list(string)
}

variable "bucket_access" {
  description = "One statement per entry: statement id => bucket and the S3 actions on it."
  type = map(object({
    bucket  = string
    actions = list(string)
  }))
  default = {}
}

variable "kms_key_arns" {
  description = "KMS keys that encrypt model artifacts; empty for none."
  type        = list(string)
  default     = []
}

variable "max_session_hours" {
  type    = number
  default = 1
}

variable "tags" {
  type    = map(string)
  default = {}
}
