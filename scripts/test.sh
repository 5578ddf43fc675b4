#!/usr/bin/env bash
# Runs leakhound's tests: what the README's Quick start and CI (.ci/run) call.
# Tests that need ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
go vet ./...
go test ./...
