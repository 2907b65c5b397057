"""Kubernetes: YAML manifests, kustomize builds and the Terraform kubernetes provider."""
