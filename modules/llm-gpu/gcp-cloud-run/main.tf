resource "google_cloud_run_v2_service" "this" {
  project             = "genai-demo"
  location            = "europe-west1"
  name                = "llm-gpu"
  description         = "Open LLM served by vLLM with a GPU on Cloud Run and on Fargate Spot"
  ingress             = "INGRESS_TRAFFIC_INTERNAL_ONLY"
  deletion_protection = var.deletion_protection
  labels = {
    managed-by = "tfgen"
    service    = "llm-gpu"
    team       = "genai"
  }

  template {
    service_account                  = google_service_account.this.email
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    max_instance_request_concurrency = 16
    labels = {
      managed-by = "tfgen"
      service    = "llm-gpu"
      team       = "genai"
    }
    # resources.gpu: one GPU per instance, without a standby in a second zone
    # (zonal redundancy needs its own GPU quota, and a restart takes one model load).
    gpu_zonal_redundancy_disabled = true

    node_selector {
      accelerator = "nvidia-l4"
    }

    scaling {
      min_instance_count = 1
      max_instance_count = 3
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
        container_port = 8000
      }

      resources {
        limits = {
          cpu              = "8"
          memory           = "32768Mi"
          "nvidia.com/gpu" = "1"
        }
        # A GPU instance needs its CPU always allocated (instance-based billing).
        cpu_idle = false
        # Extra CPU while an instance starts shortens model loading on a cold start.
        startup_cpu_boost = true
      }

      env {
        name  = "HF_HOME"
        value = "/home/app/.cache/huggingface"
      }

      startup_probe {
        initial_delay_seconds = 60
        period_seconds        = 10
        timeout_seconds       = 10
        failure_threshold     = 24

        http_get {
          path = "/health"
          port = 8000
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 10
        failure_threshold = 3

        http_get {
          path = "/health"
          port = 8000
        }
      }
    }
  }

  # Cloud Run checks secret access and the key grant when it deploys a revision.
  depends_on = [
    google_project_service.this,
  ]
}
