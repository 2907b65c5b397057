# The same objects as objects.yaml, declared with the Terraform Kubernetes provider.

resource "kubernetes_service_account_v1" "llm" {
  metadata {
    name      = "llm"
    namespace = "ml-prod"
    labels    = { team = "ml-platform" }
    annotations = {
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::111122223333:role/llm-prod"
    }
  }
}

resource "kubernetes_role_v1" "llm_config" {
  metadata {
    name      = "llm-config"
    namespace = "ml-prod"
  }
  rule {
    api_groups     = [""]
    resources      = ["configmaps"]
    resource_names = ["llm-config"]
    verbs          = ["get", "watch"]
  }
  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["patch"]
  }
}

resource "kubernetes_role_binding_v1" "llm_config" {
  metadata {
    name      = "llm-config"
    namespace = "ml-prod"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.llm_config.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.llm.metadata[0].name
    namespace = kubernetes_service_account_v1.llm.metadata[0].namespace
  }
}

resource "kubernetes_cluster_role_v1" "model_reader" {
  metadata {
    name = "model-reader"
  }
  aggregation_rule {
    cluster_role_selectors {
      match_labels = { "acme.io/aggregate-to-model-reader" = "true" }
    }
  }
}

resource "kubernetes_cluster_role_v1" "model_reader_nodes" {
  metadata {
    name   = "model-reader-nodes"
    labels = { "acme.io/aggregate-to-model-reader" = "true" }
  }
  rule {
    api_groups = [""]
    resources  = ["nodes"]
    verbs      = ["get", "list"]
  }
  rule {
    non_resource_urls = ["/metrics"]
    verbs             = ["get"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "llm_model_reader" {
  metadata {
    name = "llm-model-reader"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "model-reader"
  }
  subject {
    kind      = "ServiceAccount"
    name      = "llm"
    namespace = "ml-prod"
  }
  subject {
    kind      = "User"
    name      = "alice@acme.io"
    api_group = "rbac.authorization.k8s.io"
  }
}

resource "kubernetes_secret_v1" "llm_legacy_token" {
  metadata {
    name      = "llm-legacy-token"
    namespace = "ml-prod"
    annotations = {
      "kubernetes.io/service-account.name" = "llm"
    }
  }
  type = "kubernetes.io/service-account-token"
}

resource "kubernetes_deployment_v1" "llm" {
  metadata {
    name      = "llm"
    namespace = "ml-prod"
    labels    = { app = "llm", owner = "ml-platform" }
  }
  spec {
    replicas = 2
    selector {
      match_labels = { app = "llm" }
    }
    template {
      metadata {
        labels = { app = "llm" }
      }
      spec {
        service_account_name = "llm"
        init_container {
          name  = "fetch"
          image = "busybox:1.36"
          env_from {
            secret_ref {
              name = "model-registry"
            }
          }
        }
        container {
          name  = "server"
          image = "ghcr.io/acme/llm-server:2.0"
          env {
            name = "HF_TOKEN"
            value_from {
              secret_key_ref {
                name = "hf-token"
                key  = "token"
              }
            }
          }
          resources {
            limits = { "nvidia.com/gpu" = 2 }
          }
        }
        container {
          name  = "sidecar"
          image = "ghcr.io/acme/metrics:1.0"
        }
        volume {
          name = "tls"
          secret {
            secret_name = "llm-tls"
          }
        }
        volume {
          name = "vault"
          projected {
            sources {
              service_account_token {
                path               = "vault-token"
                expiration_seconds = 86400
              }
              secret {
                name = "vault-ca"
              }
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_stateful_set_v1" "vector_db" {
  metadata {
    name      = "vector-db"
    namespace = "ml-prod"
  }
  spec {
    service_name = "vector-db"
    selector {
      match_labels = { app = "vector-db" }
    }
    template {
      metadata {
        labels = { app = "vector-db" }
      }
      spec {
        service_account_name = "vector-db"
        container {
          name  = "db"
          image = "qdrant/qdrant:v1.9.0"
        }
      }
    }
  }
}

resource "kubernetes_daemonset" "gpu_exporter" {
  metadata {
    name      = "gpu-exporter"
    namespace = "ml-prod"
  }
  spec {
    selector {
      match_labels = { app = "gpu-exporter" }
    }
    template {
      metadata {
        labels = { app = "gpu-exporter" }
      }
      spec {
        container {
          name  = "exporter"
          image = "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.5"
        }
      }
    }
  }
}

resource "kubernetes_job_v1" "warmup" {
  metadata {
    name      = "warmup"
    namespace = "ml-prod"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = "llm"
        restart_policy       = "Never"
        container {
          name  = "warmup"
          image = "vllm/vllm-openai:v0.6.3"
        }
      }
    }
  }
}

resource "kubernetes_cron_job_v1" "eval" {
  metadata {
    name      = "eval"
    namespace = "ml-prod"
  }
  spec {
    schedule = "0 3 * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            service_account_name = "eval"
            restart_policy       = "OnFailure"
            container {
              name  = "eval"
              image = "ghcr.io/acme/eval:1.0"
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_pod_v1" "debug" {
  metadata {
    name      = "debug"
    namespace = "ml-prod"
  }
  spec {
    container {
      name  = "shell"
      image = "busybox:1.36"
    }
  }
}

resource "kubernetes_manifest" "embeddings" {
  manifest = {
    apiVersion = "serving.kserve.io/v1beta1"
    kind       = "InferenceService"
    metadata = {
      name      = "embeddings"
      namespace = "ml-prod"
    }
    spec = {
      predictor = {
        serviceAccountName = "llm"
        model = {
          modelFormat = { name = "huggingface" }
          storageUri  = "s3://acme-models-prod/embeddings"
        }
      }
    }
  }
}
