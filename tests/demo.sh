#!/usr/bin/env bash
# The main job on its embedded default (the README's first command): build our
# tools, boot the VM with its scsi_debug SAN and run the end-to-end demo.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release --workspace --bins --quiet
exec tests/vm/vm demo "$@"
