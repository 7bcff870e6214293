# The subscription comes from the environment (ARM_SUBSCRIPTION_ID), as do the
# credentials (az login, a managed identity or OIDC in CI).
provider "azurerm" {
  features {}
}
