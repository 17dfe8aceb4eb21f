"""Print the multipart uploads in progress in a bucket of the tests' moto server, one key a line.

Usage: s3_uploads.py ENDPOINT BUCKET KEY_ID SECRET
"""
import sys

import boto3

endpoint, bucket, key_id, secret = sys.argv[1:5]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id=key_id,
    aws_secret_access_key=secret,
)
for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
    print(upload["Key"])
