variable "image" {
  description = "The container image. Default: the spec's container.image; tfgen plan --image sets another tag or digest of the same repository for one run (kept in the saved plan), so CI can deploy without editing the spec."
  type        = string
  default     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/speech/whisper-server:3.1.0"
}

variable "enable_autoscaling" {
  description = "Create the Application Auto Scaling target and policies. tfgen's emulator runs set this to false (the emulator lacks Application Auto Scaling tagging); leave it true on AWS."
  type        = bool
  default     = true
}
