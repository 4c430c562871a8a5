#!/bin/sh
# Prisma's CLI wants a native schema engine it cannot download here. Pointing it at this script
# makes every native-engine command fail loudly (never `true`: that would fake success).
echo "The native Prisma schema engine is not used by Dais: run scripts/migrate.mjs instead." >&2
exit 1
