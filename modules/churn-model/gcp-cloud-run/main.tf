resource "google_cloud_run_v2_service" "this" {
  project             = "ml-serving-demo"
  location            = "europe-west1"
  name                = "churn-model"
  description         = "gradient-boosted churn classifier"
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  labels = {
    managed-by = "tfgen"
    service    = "churn-model"
    team       = "ml-platform"
  }

  template {
    service_account                  = google_service_account.this.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 40
    labels = {
      managed-by = "tfgen"
      service    = "churn-model"
      team       = "ml-platform"
    }

    scaling {
      min_instance_count = 1
      max_instance_count = 4
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"

      network_interfaces {
        network    = google_compute_network.this.id
        subnetwork = google_compute_subnetwork.this.id
      }
    }

    containers {
      image = var.image

      ports {
        container_port = 8080
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "2048Mi"
        }
        # Billed per request: the model server works inside requests, so idle instances need no CPU.
        cpu_idle = true
        # Extra CPU while an instance starts shortens model loading on a cold start.
        startup_cpu_boost = true
      }

      env {
        name  = "LOG_LEVEL"
        value = "info"
      }

      env {
        name  = "MODEL_URI"
        value = "gs://example-ml-models-eu/churn/2.1.0/model.pkl"
      }

      env {
        name = "FEATURE_STORE_TOKEN"

        value_source {
          secret_key_ref {
            secret  = "churn-feature-store-token"
            version = "latest"
          }
        }
      }

      startup_probe {
        period_seconds    = 10
        timeout_seconds   = 5
        failure_threshold = 24

        http_get {
          path = "/healthz"
          port = 8080
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3

        http_get {
          path = "/healthz"
          port = 8080
        }
      }
    }
  }

  # Cloud Run checks secret access and the key grant when it deploys a revision.
  depends_on = [
    google_project_service.this,
    google_secret_manager_secret_iam_member.this,
  ]
}
