# Sourced by the bench scripts: start_azurite DIR starts Azurite in memory on free ports, logging to DIR/azurite.log,
# appends its pid to the caller's `pids` array (the caller's EXIT trap stops it) and sets `connection` to its
# connection string.
start_azurite() {
  local dir=$1 log="$1/azurite.log"
  node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --disableProductStyleUrl --disableTelemetry \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort 0 --queuePort 0 --tablePort 0 > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    [ "$(grep -c 'successfully listening' "$log" 2>/dev/null || true)" -ge 3 ] && break
    sleep 0.1
  done
  [ "$(grep -c 'successfully listening' "$log")" -ge 3 ] || { echo "Azurite did not start; see $log" >&2; return 1; }
  local port_of key
  port_of() { sed -n "s/.*$1 service is successfully listening at http:\/\/[^:]*:\([0-9]*\).*/\1/p" "$log"; }
  key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$(port_of Blob)/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$(port_of Queue)/devstoreaccount1;TableEndpoint=http://127.0.0.1:$(port_of Table)/devstoreaccount1;"
}
