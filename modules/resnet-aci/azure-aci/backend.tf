terraform {
  backend "azurerm" {
    container_name       = "tfstate"
    key                  = "resnet-aci.tfstate"
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstateml"
  }
}
