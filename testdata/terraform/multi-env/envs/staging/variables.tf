variable "region" {
  type = string
}

variable "account_id" {
  type = string
}

variable "eks_oidc_issuer" {
  type = string
}

variable "model_ids" {
  type = list(string)
}

variable "bucket_access" {
  type = map(object({
    bucket  = string
    actions = list(string)
  }))
}

variable "kms_key_arns" {
  type    = list(string)
  default = []
}

variable "max_session_hours" {
  type    = number
  default = 1
}
