# Production LLM serving: the Vault role the server logs in with, and its IRSA role.
resource "vault_auth_backend" "k8s" {
  type = "kubernetes"
  path = "kubernetes-prod"
}

resource "vault_policy" "llm" {
  name   = "llm-prod"
  policy = <<EOT
path "secret/data/llm/prod/*" {
  capabilities = ["read"]
}
EOT
}

resource "vault_kubernetes_auth_backend_role" "llm" {
  backend                          = vault_auth_backend.k8s.path
  role_name                        = "llm-prod"
  bound_service_account_names      = ["llm", "llm-canary"]
  bound_service_account_namespaces = ["ml-prod"]
  audience                         = "vault"
  token_policies                   = [vault_policy.llm.name]
  token_ttl                        = 900
  token_max_ttl                    = 3600
}

data "aws_iam_policy_document" "llm_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:sub"
      values   = ["system:serviceaccount:ml-prod:llm"]
    }
    condition {
      test     = "StringEquals"
      variable = "oidc.eks.eu-west-1.amazonaws.com/id/ABC123:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "llm" {
  name               = "llm-prod"
  assume_role_policy = data.aws_iam_policy_document.llm_trust.json
  tags = {
    owner = "ml-platform"
  }
}
