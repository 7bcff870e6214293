variable "image" {
  description = "The container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can deploy without editing the spec."
  type        = string
  default     = "mcr.microsoft.com/example/resnet50-torchserve:0.9.0"
}

variable "action_group_ids" {
  description = "Further Azure Monitor action groups the metric alerts notify, besides the spec's."
  type        = list(string)
  default     = []
}
