#!/usr/bin/env bash
# Runs the load benchmark matrix: up with 1 000, 5 000 and 10 000 HTTP
# checks at a 10 s interval, ten checks per component and one (as after a
# migration from Gatus or Uptime Kuma), each beside the bare net/http floor;
# then 10 000 with a tenth of the targets hanging, then 5 000 TCP checks,
# then 1 000 DNS and 1 000 gRPC checks. Prints figures; asserts nothing.
# Takes about eight minutes; run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
make build >/dev/null
go build -o bin/load ./bench/load
window=${WINDOW:-35s}
for n in 1000 5000 10000; do
  for per in 10 1; do
    bin/load -up bin/up -checks "$n" -per-component "$per" -floor -window "$window"
    echo
  done
done
bin/load -up bin/up -checks 10000 -hang 0.1 -window "$window"
echo
bin/load -up bin/up -checks 5000 -type tcp -window "$window"
echo
bin/load -up bin/up -checks 5000 -type connect -window "$window"
echo
bin/load -up bin/up -checks 1000 -type dns -window "$window"
echo
bin/load -up bin/up -checks 1000 -type grpc -window "$window"
