"""Kubernetes manifests: objects built as Python data, a Kustomize tree, safe YAML out."""
