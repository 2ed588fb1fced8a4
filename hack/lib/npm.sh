# shellcheck shell=bash
# npm packages for the project's scripts: `npm_ci` installs them as package-lock.json says;
# `ensure_npm_packages` does so only when node_modules is missing or older than package-lock.json.

npm_ci() {
  printf '==> Installing npm packages (npm ci)\n' >&2
  # The machine's npm config has a `nodedir` key npm 11 warns about on every call: filter that line only.
  if ! npm ci --no-audit --no-fund --loglevel=error > >(grep -v 'Unknown user config "nodedir"' >&2) 2>&1; then
    echo "ERROR: npm ci failed (see above); is the npm registry reachable, and is package-lock.json in step with package.json?" >&2
    return 1
  fi
}

ensure_npm_packages() {
  if [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
    return 0
  fi
  npm_ci
}
