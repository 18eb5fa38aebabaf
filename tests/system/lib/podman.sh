# Sourced by the image tests: makes sure podman is installed, installing it from Debian's
# packages when this is root. Prints why not and returns 1 when it cannot.
ensure_podman() {
  command -v podman >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "podman is not installed and this is not root (apt-get install -y podman)"
    return 1
  fi
  echo "installing podman" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null) ||
    { echo "apt-get install podman failed"; return 1; }
}
