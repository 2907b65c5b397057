# The model gateway of the prod cluster: its ServiceAccount and what it may read.
resource "kubernetes_namespace_v1" "ml" {
  metadata {
    name = "ml-prod"
  }
}

resource "kubernetes_service_account_v1" "gateway" {
  metadata {
    name      = "model-gateway"
    namespace = kubernetes_namespace_v1.ml.metadata[0].name
    labels = {
      team = "inference-team"
    }
  }
}

resource "kubernetes_cluster_role_v1" "gateway" {
  metadata {
    name = "model-gateway-reader"
  }
  rule {
    api_groups = ["serving.kserve.io"]
    resources  = ["inferenceservices"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_cluster_role_binding_v1" "gateway" {
  metadata {
    name = "model-gateway-reader"
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = kubernetes_cluster_role_v1.gateway.metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.gateway.metadata[0].name
    namespace = kubernetes_namespace_v1.ml.metadata[0].name
  }
}
