#!/usr/bin/env bash
# npm test: every test of the project (docs/development.md "Lanes"). After the build, two lanes run at
# once, one per core: the stack tests (`integration`), and beside them the static checks (types, lint,
# format, import cycles), the unit tier and the `components` tests. Then the files that disturb the whole
# host run alone (`exclusive`), then the compose deployment test on the images `npm run images` makes.
# The images are built in the background from the start: on a fresh machine that is minutes of Debian
# and npm downloads, which would otherwise be added to the run. With arguments
# (`npm test -- test/accounts.test.ts`) only those tests run, after the build and the static checks.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STATE="${DAIS_STATE_DIR:-$ROOT/.dais}"
mkdir -p "$STATE"
IMAGES_LOG="$STATE/images-build.log"

npm run -s build
if [ $# -gt 0 ]; then
  npm run -s check:static
  exec env DAIS_TEST_SKIP_BUILD=1 npx vitest run "$@"
fi
DAIS_IMAGES_SKIP_BUILD=1 bash scripts/build-images.sh >"$IMAGES_LOG" 2>&1 &
IMAGES=$!
# A failed check or test ends the run: the image build must not outlive it.
trap 'kill "$IMAGES" 2>/dev/null || true' EXIT

# The side lane writes to its own log, shown once the stack lane is done (two live outputs would
# interleave). Its own session, so that ending the run ends every process of it.
SIDE_LOG="$STATE/side-lane.log"
setsid bash -c 'npm run -s check:static && DAIS_TEST_SKIP_BUILD=1 npx vitest run --project unit --project components' >"$SIDE_LOG" 2>&1 &
SIDE=$!
trap 'kill "$IMAGES" 2>/dev/null || true; kill -- "-$SIDE" 2>/dev/null || true' EXIT

stack_status=0
DAIS_TEST_SKIP_BUILD=1 npx vitest run --project integration || stack_status=$?
side_status=0
wait "$SIDE" || side_status=$?
echo
echo "── static checks, unit and component tests (ran beside the stack tests; log: $SIDE_LOG) ──"
cat "$SIDE_LOG"
if [ "$stack_status" -ne 0 ] || [ "$side_status" -ne 0 ]; then
  echo "failed: stack lane exit $stack_status, side lane (static checks, unit, components) exit $side_status" >&2
  exit 1
fi
DAIS_TEST_SKIP_BUILD=1 npx vitest run --project exclusive

echo "Waiting for the images (log: $IMAGES_LOG)"
if ! wait "$IMAGES"; then
  tail -n 30 "$IMAGES_LOG" >&2
  echo "building the images failed (whole log: $IMAGES_LOG)" >&2
  exit 1
fi
trap - EXIT
cat "$IMAGES_LOG"
DAIS_TEST_SKIP_BUILD=1 DAIS_TEST_IMAGES_BUILT=1 DAIS_TEST_COMPOSE=1 npx vitest run --project compose
