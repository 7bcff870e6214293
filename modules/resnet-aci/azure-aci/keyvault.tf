# Read at plan time with the credentials running Terraform, which therefore
# need "Key Vault Secrets User" on these secrets.
data "azurerm_key_vault_secret" "this" {
  for_each = {
    INFERENCE_API_KEY = "resnet-inference-api-key"
  }

  name         = each.value
  key_vault_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ml-secrets/providers/Microsoft.KeyVault/vaults/kv-ml-vision"
}
