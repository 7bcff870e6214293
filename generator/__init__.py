"""tfgen: one YAML spec of an ML model service -> policy-clean Terraform."""

__version__ = "0.1.0"
