locals {
  # container.secrets: environment variable -> Key Vault secret name.
  key_vault_secrets = {
    SCORING_API_KEY = "sentiment-scoring-api-key"
  }
}

# Only the vault's id and URI are read, never a secret value.
data "azurerm_key_vault" "this" {
  name                = "kv-ml-nlp"
  resource_group_name = "rg-ml-secrets"
}
