#!/usr/bin/env bash
# Sends a form-urlencoded webhook body to the server, signed like the server expects:
# X-Signature = hex HMAC-SHA256 of the exact file bytes with AMOCRM_CLIENT_SECRET.
#
#   scripts/send-webhook.sh FILE [URL]
#
# FILE  a body as it goes over the wire (for example samples/leads-add.form); sent byte for byte
# URL   defaults to http://${HOST:-localhost}:${PORT:-8000}/api/webhooks/amo
#
# The secret comes from the environment, else from .env (in the current directory, else the repository root).
# Without a secret the body is sent unsigned (useful with a token URL: .../api/webhooks/amo/<token>).
# Prints the HTTP status and the JSON answer; exits non-zero unless the answer is 2xx.
set -euo pipefail

usage() {
    echo "usage: $0 FILE [URL]" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 2 ]] || usage
file=$1
if [[ ! -f $file || ! -r $file ]]; then
    echo "send-webhook: cannot read '$file'" >&2
    exit 2
fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=.env
[[ -f $env_file ]] || env_file=$repo_root/.env

# The last KEY=value line of .env, as the server reads it (a properties file: no quotes, no inline comments).
from_env_file() {
    [[ -f $env_file ]] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$env_file" | tail -n 1 | tr -d '\r'
}

secret=${AMOCRM_CLIENT_SECRET:-$(from_env_file AMOCRM_CLIENT_SECRET)}
header=${WEBHOOK_SIGNATURE_HEADER:-$(from_env_file WEBHOOK_SIGNATURE_HEADER)}
header=${header:-X-Signature}
port=${PORT:-$(from_env_file PORT)}
url=${2:-http://${HOST:-localhost}:${port:-8000}/api/webhooks/amo}

request_id() {
    if command -v uuidgen >/dev/null 2>&1; then
        uuidgen | tr 'A-F' 'a-f'
    elif [[ -r /proc/sys/kernel/random/uuid ]]; then
        cat /proc/sys/kernel/random/uuid
    else
        local h
        h=$(openssl rand -hex 16)
        echo "${h:0:8}-${h:8:4}-4${h:13:3}-a${h:17:3}-${h:20:12}"
    fi
}

curl_args=(
    --silent --show-error
    --max-time 10
    --data-binary "@$file"
    -H 'Content-Type: application/x-www-form-urlencoded'
    -H "X-Amocrm-Requestid: $(request_id)"
)
if [[ -n $secret ]]; then
    # `openssl dgst` prints "...= <hex>" (the prefix differs between versions): keep the last field.
    signature=$(openssl dgst -sha256 -hmac "$secret" < "$file" | awk '{print $NF}')
    curl_args+=(-H "$header: $signature")
else
    echo "send-webhook: no AMOCRM_CLIENT_SECRET in the environment or $env_file: sending unsigned" >&2
fi

answer=$(mktemp)
trap 'rm -f "$answer"' EXIT

status=$(curl "${curl_args[@]}" --output "$answer" --write-out '%{http_code}' "$url") || {
    echo "send-webhook: could not reach $url" >&2
    exit 1
}

echo "HTTP $status"
if command -v jq >/dev/null 2>&1 && jq . "$answer" 2>/dev/null; then
    :
else
    cat "$answer"
    echo
fi

[[ $status == 2?? ]]
