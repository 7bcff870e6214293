provider "google" {
  project = "genai-demo"
  region  = "europe-west1"
}
