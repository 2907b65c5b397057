# The legacy Jenkins uploads evaluation reports; it is no workload of this repository.
resource "aws_iam_user" "jenkins_reports" {
  name = "jenkins-reports"
}

resource "aws_iam_user_policy" "jenkins_reports" {
  name = "upload-reports"
  user = aws_iam_user.jenkins_reports.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:PutObject"]
      Resource = ["arn:aws:s3:::acme-eval-reports/jenkins/*"]
    }]
  })
}

resource "aws_iam_access_key" "jenkins_reports" {
  user = aws_iam_user.jenkins_reports.name
}
