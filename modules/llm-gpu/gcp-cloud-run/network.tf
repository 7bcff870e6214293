resource "google_compute_network" "this" {
  project                 = "genai-demo"
  name                    = "llm-gpu-net"
  description             = "Private network the Cloud Run service egresses into."
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.this]
}

# Direct VPC egress: Cloud Run instances take their addresses from this subnet.
resource "google_compute_subnetwork" "this" {
  project                  = "genai-demo"
  region                   = "europe-west1"
  name                     = "llm-gpu-run"
  network                  = google_compute_network.this.id
  ip_cidr_range            = "10.20.0.0/16"
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing listens in this network: deny every inbound connection explicitly, and log it
# (the implied deny rule is not logged).
resource "google_compute_firewall" "deny_ingress" {
  project       = "genai-demo"
  name          = "llm-gpu-deny-ingress"
  network       = google_compute_network.this.id
  description   = "Deny and log all ingress; the service is reached through Cloud Run, not the VPC."
  direction     = "INGRESS"
  priority      = 65534
  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
