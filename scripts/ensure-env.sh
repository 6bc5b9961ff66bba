#!/usr/bin/env bash
# Creates .env from .env.example on first use, with a fresh random AMOCRM_CLIENT_SECRET.
# Idempotent: an existing .env is never touched. Works in the repository root (where the server reads .env).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -e .env ]]; then
    exit 0
fi
if [[ ! -f .env.example ]]; then
    echo "ensure-env: .env.example not found in $(pwd)" >&2
    exit 1
fi

random_hex_secret() {
    local secret=""
    if command -v openssl >/dev/null 2>&1; then
        secret=$(openssl rand -hex 32 2>/dev/null || true)
    fi
    if [[ ! $secret =~ ^[0-9a-f]{64}$ ]]; then
        secret=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
    fi
    if [[ ! $secret =~ ^[0-9a-f]{64}$ ]]; then
        echo "ensure-env: could not generate a random secret (need openssl or /dev/urandom)" >&2
        return 1
    fi
    printf '%s' "$secret"
}

secret=$(random_hex_secret)

# Write a private temporary file next to .env, then link it into place: this never replaces a .env that
# appeared in the meantime, and the secret is never readable by other users.
umask 077
tmp=$(mktemp .env.tmp.XXXXXX)
trap 'rm -f "$tmp"' EXIT

if grep -q '^AMOCRM_CLIENT_SECRET=$' .env.example; then
    sed "s/^AMOCRM_CLIENT_SECRET=\$/AMOCRM_CLIENT_SECRET=${secret}/" .env.example > "$tmp"
else
    cat .env.example > "$tmp"
    printf '\nAMOCRM_CLIENT_SECRET=%s\n' "$secret" >> "$tmp"
fi

if ! ln "$tmp" .env 2>/dev/null; then
    exit 0  # another process created .env first: keep it
fi

echo "Created .env with a random webhook signing secret: AMOCRM_CLIENT_SECRET in $(pwd)/.env"
