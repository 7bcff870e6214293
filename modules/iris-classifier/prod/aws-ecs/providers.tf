provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      cost-center = "research-42"
      environment = "prod"
      managed-by  = "tfgen"
      service     = "iris-classifier"
      team        = "ml-platform"
    }
  }
}
