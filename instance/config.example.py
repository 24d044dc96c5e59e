"""Example instance configuration: copy to instance/config.py and edit.

Loaded after the defaults and before PUBLISHER_* environment variables (which win).
Every key is documented in README.md, "Configuration".
"""

# SITE_NAME = "Publisher"
# PUBLIC_URL = "https://podcasts.example.org"       # absolute base of feeds and enclosures
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://publisher@localhost/publisher"
# SECRET_KEY = "..."                                # generated into instance/secret_key if unset
# MAX_UPLOAD_MB = 1024

# Local media folder (the default store):
# STORAGE = "filesystem"
# MEDIA_ROOT = "/var/lib/publisher/media"

# Any S3-compatible store (AWS S3, MinIO, Ceph, R2…); credentials come from boto3's usual
# chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ~/.aws, instance roles):
# STORAGE = "s3"
# S3_BUCKET = "publisher-media"
# S3_ENDPOINT_URL = "https://s3.eu-central-1.amazonaws.com"   # or http://127.0.0.1:9000 for MinIO
# S3_REGION = "eu-central-1"
# S3_PUBLIC_URL = "https://cdn.example.org"          # public/CDN base; presigned URLs when unset
