"""Prepare a moto S3 server started with INITIAL_NO_AUTH_ACTION_COUNT=4 for the publish tests.

The first four requests are allowed without credentials; they make an IAM user that may do
anything with S3, its access key, and a bucket. From then on moto checks every request's
SigV4 signature against that key, so a wrong key or secret is refused as by a real store.
Prints the access key id and secret, one per line.
"""
import json
import sys

import boto3

endpoint, bucket = sys.argv[1], sys.argv[2]
anonymous = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="setup",
    aws_secret_access_key="setup",
)
iam = boto3.client("iam", **anonymous)
iam.create_user(UserName="publisher")
iam.put_user_policy(
    UserName="publisher",
    PolicyName="s3-all",
    PolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
    ),
)
key = iam.create_access_key(UserName="publisher")["AccessKey"]
boto3.client("s3", **anonymous).create_bucket(Bucket=bucket)
print(key["AccessKeyId"])
print(key["SecretAccessKey"])
