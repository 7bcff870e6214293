terraform {
  backend "azurerm" {
    container_name       = "tfstate"
    key                  = "sentiment-functions.tfstate"
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstateml"
  }
}
