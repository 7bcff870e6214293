provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      managed-by = "tfgen"
      service    = "llm-gpu"
      team       = "genai"
    }
  }
}
