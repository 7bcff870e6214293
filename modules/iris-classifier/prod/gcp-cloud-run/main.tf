resource "google_cloud_run_v2_service" "this" {
  project             = "ml-serving-demo"
  location            = "europe-west1"
  name                = "iris-classifier-prod"
  description         = "scikit-learn iris classifier (FastAPI, joblib model baked into the image)"
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  labels = {
    cost-center = "research-42"
    environment = "prod"
    managed-by  = "tfgen"
    service     = "iris-classifier"
    team        = "ml-platform"
  }

  template {
    service_account                  = google_service_account.this.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 80
    labels = {
      cost-center = "research-42"
      environment = "prod"
      managed-by  = "tfgen"
      service     = "iris-classifier"
      team        = "ml-platform"
    }

    scaling {
      min_instance_count = 2
      max_instance_count = 10
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"

      network_interfaces {
        network    = google_compute_network.this.id
        subnetwork = google_compute_subnetwork.this.id
      }
    }

    containers {
      image   = var.image
      command = ["uvicorn", "app:api"]
      args    = ["--host", "0.0.0.0", "--port", "8080", "--workers", "2"]

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
        name  = "MODEL_PATH"
        value = "/models/iris.joblib"
      }

      env {
        name = "MODEL_REGISTRY_TOKEN"

        value_source {
          secret_key_ref {
            secret  = "iris-model-registry-token"
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
