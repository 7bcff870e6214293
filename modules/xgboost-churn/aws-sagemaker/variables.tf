variable "enable_endpoint_autoscaling" {
  description = "Create the Application Auto Scaling target and policies on the variant's instance count. tfgen's emulator runs set this to false (the emulator lacks Application Auto Scaling tagging); leave it true on AWS."
  type        = bool
  default     = true
}
