resource "google_cloud_run_v2_service" "embeddings" {
  project  = var.project_id
  name     = "embeddings-${var.env}"
  location = var.region
  labels   = local.labels

  template {
    service_account = google_service_account.inference.email

    containers {
      image = "us-docker.pkg.dev/${var.project_id}/serving/text-embeddings-inference:1.5"

      env {
        name = "HF_TOKEN"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.hf_token.secret_id
            version = "latest"
          }
        }
      }

      resources {
        limits = {
          cpu              = "4"
          memory           = "16Gi"
          "nvidia.com/gpu" = "1"
        }
      }
    }

    node_selector {
      accelerator = var.gpu_type
    }
  }
}

resource "google_vertex_ai_endpoint" "llm" {
  project      = var.project_id
  name         = "llm-${var.env}"
  display_name = "LLM chat (${var.env})"
  location     = var.region
  labels       = local.labels
}

resource "google_vertex_ai_endpoint_iam_member" "llm_invoker" {
  project  = google_vertex_ai_endpoint.llm.project
  location = google_vertex_ai_endpoint.llm.location
  endpoint = google_vertex_ai_endpoint.llm.name
  role     = "roles/aiplatform.user"
  member   = "serviceAccount:${google_service_account.inference.email}"
}

resource "google_container_cluster" "ml" {
  project                  = var.project_id
  name                     = "ml-${var.env}"
  location                 = var.region
  remove_default_node_pool = true
  initial_node_count       = 1

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }
}

resource "google_container_node_pool" "gpu" {
  project  = var.project_id
  name     = "gpu-l4"
  cluster  = google_container_cluster.ml.name
  location = var.region

  node_config {
    machine_type    = "g2-standard-8"
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    labels          = local.labels

    guest_accelerator {
      type  = var.gpu_type
      count = var.gpu_count
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

# System pods only; nobody set a service account, so the nodes run as the default one.
resource "google_container_node_pool" "system" {
  project  = var.project_id
  name     = "system"
  cluster  = google_container_cluster.ml.name
  location = var.region

  node_config {
    machine_type = "e2-standard-4"
  }
}
