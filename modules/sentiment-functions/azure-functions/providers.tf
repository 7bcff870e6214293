# The subscription comes from the environment (ARM_SUBSCRIPTION_ID), as do the
# credentials (az login, a managed identity or OIDC in CI). The storage account
# takes no shared keys, so the provider reaches its data plane with Entra ID.
provider "azurerm" {
  features {}
  storage_use_azuread = true
}
