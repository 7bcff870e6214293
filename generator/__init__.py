"""tfgen: one YAML spec of an ML model service -> policy-clean Terraform."""

__version__ = "0.1.0"
# The name to `pip install`: PyPI's "tfgen" is an unrelated project. The command stays `tfgen`.
DISTRIBUTION = "tfgen-ml"
