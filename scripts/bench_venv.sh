# Sourced by the benchmark and probe scripts: `bench_python MODULE...` prints the Python of
# target/bench-venv (or $BENCH_VENV), first creating it and installing from PyPI whichever of the
# modules it cannot import, so every script shares one venv and one way of making it.
bench_python() {
  local venv="${BENCH_VENV:-${CARGO_TARGET_DIR:-target}/bench-venv}"
  local imports
  imports=$(IFS=,; echo "$*")
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import $imports" 2>/dev/null; then
    python3 -m venv "$venv" >&2 && "$venv/bin/pip" install --quiet "$@" >&2 || {
      echo "error: could not install $* into $venv from PyPI" >&2
      return 1
    }
  fi
  echo "$venv/bin/python"
}
