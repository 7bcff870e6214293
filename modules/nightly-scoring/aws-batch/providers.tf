provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      managed-by = "tfgen"
      service    = "nightly-scoring"
      team       = "ml-platform"
    }
  }
}
