# The group's own identity. It holds only the roles below (the encryption key,
# the model, the spec's permissions): secrets reach the container through Terraform, not through it.
resource "azurerm_user_assigned_identity" "this" {
  name                = "resnet-aci-id"
  location            = local.location
  resource_group_name = local.resource_group_name
  tags                = local.tags
}
