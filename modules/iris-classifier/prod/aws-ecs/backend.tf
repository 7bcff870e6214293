terraform {
  backend "s3" {
    bucket       = "example-tfstate-prod"
    key          = "iris-classifier/prod.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
