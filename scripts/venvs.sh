# The Python tools the scripts use, each in a venv of its own under the cache.

# moto[server] (DynamoDB, SQS and KMS on loopback), cfn-lint with the
# serverless rules, and schemathesis.
ensure_test_venv() {
  local venv="$1"
  if ! "$venv/bin/python" -c "import moto.server, flask_cors, cfnlint, cfn_lint_serverless, schemathesis" 2>/dev/null; then
    printf '\n== installing moto[server], cfn-lint (and its serverless rules) and schemathesis into %s\n' "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]>=5,<6" "cfn-lint>=1,<2" "cfn-lint-serverless>=0.3,<1" "schemathesis>=4,<5"
  fi
  export HOSTFRONT_TEST_PYTHON="$venv/bin/python"
}

# cargo-lambda, with zig to link, both from PyPI.
ensure_lambda_venv() {
  local venv="$1"
  if ! "$venv/bin/cargo-lambda" --version >/dev/null 2>&1 || ! "$venv/bin/python" -m ziglang version >/dev/null 2>&1; then
    printf '\n== installing cargo-lambda and ziglang into %s\n' "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda>=1.9,<2" "ziglang>=0.13"
  fi
  export PATH="$venv/bin:$PATH"
}

# The SAM CLI, in a venv of its own (its dependencies are not moto's).
ensure_sam_venv() {
  local venv="$1"
  if ! "$venv/bin/sam" --version >/dev/null 2>&1; then
    printf '\n== installing the SAM CLI into %s\n' "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli>=1.100,<2"
  fi
  export SAM_CLI_TELEMETRY=0
  SAM="$venv/bin/sam"
}
