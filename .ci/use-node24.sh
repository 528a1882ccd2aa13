# Sourced by .ci/run: puts Node 24 first on PATH, installing it from the npm registry when the machine
# has another major version (the node@24 package ships the official binary for this platform).
want=24
current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current" != "$want" ]; then
  prefix="${NODE24_PREFIX:-$HOME/.cache/qlik-cicd/node$want}"
  if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
    echo "Installing Node $want from the npm registry into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund "node@$want" >/dev/null
  fi
  export PATH="$prefix/node_modules/node/bin:$PATH"
fi
echo "Using Node $(node -v), npm $(npm -v)"
