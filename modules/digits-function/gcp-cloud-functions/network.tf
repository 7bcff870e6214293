resource "google_compute_network" "this" {
  project                 = "ml-serving-demo"
  name                    = "digits-function-fn-net"
  description             = "Private network the function egresses into through its VPC connector."
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"

  depends_on = [google_project_service.this]
}

# The connector's own /28: its instances take their addresses from here.
resource "google_compute_subnetwork" "connector" {
  project                  = "ml-serving-demo"
  region                   = "europe-west1"
  name                     = "digits-function-fn-connector"
  network                  = google_compute_network.this.id
  ip_cidr_range            = "10.20.0.0/28"
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
  project       = "ml-serving-demo"
  name          = "digits-function-fn-deny-ingress"
  network       = google_compute_network.this.id
  description   = "Deny and log all ingress; the function is reached through its HTTPS endpoint, not the VPC."
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

# google_cloudfunctions2_function (provider 7.9) has no Direct VPC egress: a connector carries
# the function's private-range traffic into the network.
resource "google_vpc_access_connector" "this" {
  project       = "ml-serving-demo"
  region        = "europe-west1"
  name          = "digits-function-fn"
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3

  subnet {
    name = google_compute_subnetwork.connector.name
  }
}
