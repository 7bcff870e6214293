# The group's own identity. It holds no role unless the spec names an
# encryption key: secrets reach the container through Terraform, not through it.
resource "azurerm_user_assigned_identity" "this" {
  name                = "resnet-aci-id"
  location            = local.location
  resource_group_name = local.resource_group_name
  tags                = local.tags
}
