#!/usr/bin/env bash
# Fuzzes the ticket decoder only; scripts/fuzz.sh does the work.
# Usage: scripts/fuzz-decode.sh [SECONDS] (default 120).
exec "$(dirname "$0")/fuzz.sh" decode_ticket "${1:-120}"
