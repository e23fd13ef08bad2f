# Sourced by the bench scripts: the processes a script starts and how it stops them, free ports, and waiting.
#   pids+=($!) after starting a background process: the EXIT trap stops every one (Ctrl-C exits through it too).
#   free_port              prints a free TCP port on 127.0.0.1
#   wait_for SECONDS WHAT COMMAND...   runs COMMAND every 0.1 s until it succeeds; fails saying WHAT after SECONDS
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out after ${seconds}s waiting for $what" >&2; return 1
}
