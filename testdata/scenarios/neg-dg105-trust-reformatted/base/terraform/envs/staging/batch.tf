# Batch inference jobs: SageMaker runs them, the data team's scheduler starts them.
resource "aws_iam_role" "batch_inference" {
  name               = "batch-inference-staging"
  assume_role_policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "SageMaker",
      "Effect": "Allow",
      "Principal": {"Service": "sagemaker.amazonaws.com"},
      "Action": "sts:AssumeRole",
      "Condition": {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:eu-west-1:111122223333:transform-job/*"}
      }
    },
    {
      "Sid": "Scheduler",
      "Effect": "Allow",
      "Principal": {
        "AWS": [
          "arn:aws:iam::111122223333:role/airflow-scheduler",
          "arn:aws:iam::111122223333:role/data-team-ops"
        ]
      },
      "Action": ["sts:AssumeRole", "sts:TagSession"],
      "Condition": {
        "StringEquals": {"sts:ExternalId": ["batch-a", "batch-b"]}
      }
    }
  ]
}
EOT
  tags = {
    owner = "data-platform"
  }
}
