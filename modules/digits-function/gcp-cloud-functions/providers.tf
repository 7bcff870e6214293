provider "google" {
  project = "ml-serving-demo"
  region  = "europe-west1"
}
