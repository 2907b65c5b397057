# An LLM inference service on Kubernetes: its identity, what it may do, how it runs.

variable "namespace" {
  type = string
}

variable "role_arn" {
  type = string
}

variable "extra_verbs" {
  type    = list(string)
  default = ["get", "list"]
}

variable "image" {
  type = string
}

resource "kubernetes_service_account_v1" "llm" {
  metadata {
    name      = "llm"
    namespace = var.namespace
    labels = {
      team = "ml-platform"
    }
    annotations = {
      "eks.amazonaws.com/role-arn" = var.role_arn
    }
  }
}

resource "kubernetes_role_v1" "llm" {
  metadata {
    name      = "llm-config"
    namespace = var.namespace
  }

  rule {
    api_groups     = [""]
    resources      = ["configmaps"]
    resource_names = ["llm-config"]
    verbs          = ["get", "watch"]
  }

  dynamic "rule" {
    for_each = toset(["secrets"])
    content {
      api_groups = [""]
      resources  = [rule.value]
      verbs      = var.extra_verbs
    }
  }
}

resource "kubernetes_role_binding_v1" "llm" {
  metadata {
    name      = "llm-config"
    namespace = var.namespace
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.llm.metadata[0].name
  }

  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.llm.metadata[0].name
    namespace = var.namespace
  }
}

resource "kubernetes_secret_v1" "hf_token" {
  metadata {
    name      = "hf-token"
    namespace = var.namespace
  }
  data = {
    token = "placeholder"
  }
}

resource "kubernetes_deployment_v1" "llm" {
  metadata {
    name      = "llm"
    namespace = var.namespace
    labels = {
      app  = "llm"
      team = "ml-platform"
    }
  }

  spec {
    replicas = 2

    selector {
      match_labels = {
        app = "llm"
      }
    }

    template {
      metadata {
        labels = {
          app = "llm"
        }
      }

      spec {
        service_account_name = kubernetes_service_account_v1.llm.metadata[0].name

        container {
          name  = "server"
          image = var.image

          env {
            name = "HF_TOKEN"
            value_from {
              secret_key_ref {
                name = kubernetes_secret_v1.hf_token.metadata[0].name
                key  = "token"
              }
            }
          }

          resources {
            limits = {
              "nvidia.com/gpu" = 1
            }
          }
        }

        volume {
          name = "vault-token"
          projected {
            sources {
              service_account_token {
                path               = "vault-token"
                audience           = "vault"
                expiration_seconds = 172800
              }
            }
          }
        }
      }
    }
  }
}
