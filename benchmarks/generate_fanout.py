"""Generate a Terraform root of many EC2 node roles whose last commit adds deployers
that may pass any role to EC2: the escalation graph's worst fan-out.

    python benchmarks/generate_fanout.py OUT [--roles 1500] [--deployers 400]

A monorepo's node roles (each trusting ec2.amazonaws.com, each reading its own bucket)
and, in the pull request, deployer users allowed ``iam:PassRole`` on ``*`` with
``ec2:RunInstances``: every deployer may act as every node role. Taken one by one that
is roles x deployers edges; ``driftgate scan --base HEAD~1`` must stay linear. All
content is written here (no third-party code).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import first_commit

ROLE = """resource "aws_iam_role" "node{i}" {{
  name = "node{i}"
  assume_role_policy = jsonencode({{
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "ec2.amazonaws.com" }}
    }}]
  }})
}}

resource "aws_iam_role_policy" "node{i}" {{
  role = aws_iam_role.node{i}.id
  policy = jsonencode({{
    Statement = [{{
      Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::b{i}/*"
    }}]
  }})
}}
"""
DEPLOYER = """resource "aws_iam_user" "deployer{i}" {{
  name = "deployer{i}"
}}

resource "aws_iam_user_policy" "deployer{i}" {{
  user = aws_iam_user.deployer{i}.name
  policy = jsonencode({{
    Statement = [{{
      Effect = "Allow", Action = ["iam:PassRole", "ec2:RunInstances"], Resource = "*"
    }}]
  }})
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--roles", type=int, default=1500)
    parser.add_argument("--deployers", type=int, default=400)
    args = parser.parse_args()
    roles = "\n".join(ROLE.format(i=i) for i in range(args.roles))
    git = first_commit(args.out, {"nodes/main.tf": roles}, "node roles")
    deployers = "\n".join(DEPLOYER.format(i=i) for i in range(args.deployers))
    (args.out / "nodes/deployers.tf").write_text(deployers, encoding="utf-8")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "deployers"], check=True)


if __name__ == "__main__":
    main()
