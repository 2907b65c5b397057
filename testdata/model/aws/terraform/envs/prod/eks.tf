# GPU nodes for the self-hosted models, and the vLLM pods' identity.

resource "aws_iam_role" "gpu_nodes" {
  name = "eks-gpu-nodes-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "gpu_nodes" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  ])
  role       = aws_iam_role.gpu_nodes.name
  policy_arn = each.value
}

resource "aws_eks_node_group" "gpu" {
  cluster_name    = "ml-${local.env}"
  node_group_name = "gpu-a10g"
  node_role_arn   = aws_iam_role.gpu_nodes.arn
  subnet_ids      = ["subnet-0a1b2c3d4e5f60718"]
  ami_type        = "AL2023_x86_64_NVIDIA"
  instance_types  = ["g5.2xlarge"]

  scaling_config {
    desired_size = 2
    max_size     = 8
    min_size     = 0
  }
}

resource "aws_iam_role" "vllm_pods" {
  name = "vllm-pods-${local.env}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_iam_role_policy" "vllm_pods" {
  name = "read-weights"
  role = aws_iam_role.vllm_pods.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadWeights"
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "arn:aws:s3:::${local.model_bucket}/weights/*"
    }]
  })
}

resource "aws_eks_pod_identity_association" "vllm" {
  cluster_name    = "ml-${local.env}"
  namespace       = "llm-serving"
  service_account = "vllm"
  role_arn        = aws_iam_role.vllm_pods.arn
}
