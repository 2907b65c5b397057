# Production: the LLM service, its nightly evaluation, and a reviewer token for Vault.

module "llm" {
  source    = "../../modules/llm-serving"
  namespace = "inference"
  role_arn  = "arn:aws:iam::111122223333:role/llm-inference-prod"
  image     = "vllm/vllm-openai:v0.6.3"
}

resource "kubernetes_cluster_role_binding_v1" "eval_view" {
  metadata {
    name = "llm-eval-view"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "cluster-admin"
  }

  subject {
    kind = "ServiceAccount"
    name = "llm-eval"
  }
}

resource "kubernetes_cron_job_v1" "eval" {
  metadata {
    name      = "llm-eval"
    namespace = "default"
  }

  spec {
    schedule = "0 3 * * *"

    job_template {
      metadata {}

      spec {
        template {
          metadata {}

          spec {
            service_account_name = "llm-eval"

            container {
              name  = "eval"
              image = "ghcr.io/acme/llm-eval:1.4.0"

              env_from {
                secret_ref {
                  name = "eval-datasets"
                }
              }
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_secret_v1" "vault_reviewer" {
  metadata {
    name      = "vault-reviewer-token"
    namespace = "vault"
    annotations = {
      "kubernetes.io/service-account.name" = "vault-reviewer"
    }
  }
  type = "kubernetes.io/service-account-token"
}

resource "kubernetes_manifest" "embeddings" {
  manifest = {
    apiVersion = "serving.kserve.io/v1beta1"
    kind       = "InferenceService"
    metadata = {
      name      = "embeddings"
      namespace = "inference"
    }
    spec = {
      predictor = {
        serviceAccountName = "embeddings"
        model = {
          modelFormat = { name = "huggingface" }
          storageUri  = "s3://acme-models-prod/embeddings"
        }
      }
    }
  }
}
