# Sourced by bench/alloc, bench/switches and bench/jit-tail: builds the bench tools and starts ours
# (redis-server, the bench backend and two distributors on free loopback ports), stopping everything it
# started on exit.
# Before sourcing: HERE (this folder), WORK (a scratch directory), TOOLS (bench projects to build besides
# LoadGen and BenchServer; may be empty), and optionally OURS_ENV (NAME=value ... for the three .NET
# processes; "%ROLE%" in it becomes each process's role: distributor1, distributor2 or backend). After it:
# LOADGEN (the generator's command, an array), REDIS, BACKEND, D1, D2 (pids), P1, P2 (the distributors'
# ports), P3 (the backend's), OURS_TARGET (LoadGen's --target and --urls for the two distributors, an
# array), PIDS_ARG (LoadGen's --pids for all four processes).

PIDS=()
cleanup() { for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap cleanup EXIT
"$HERE/ensure-redis"
echo "== build (Release); work directory $WORK"
for project in SocketIO.Distributor.LoadGen SocketIO.Distributor.BenchServer ${TOOLS:-}; do
  dotnet build -c Release --nologo -v q "$HERE/$project" > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
done
LOADGEN=(dotnet "$HERE/SocketIO.Distributor.LoadGen/bin/Release/net10.0/SocketIO.Distributor.LoadGen.dll")
SERVER="$HERE/SocketIO.Distributor.BenchServer/bin/Release/net10.0/SocketIO.Distributor.BenchServer.dll"
freeport() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

REDIS_PORT=$(freeport); P1=$(freeport); P2=$(freeport); P3=$(freeport)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no > "$WORK/redis.log" 2>&1 & PIDS+=($!); REDIS=$!
# start ROLE PORT LOG: one bench server process of ours on that port, with OURS_ENV; its pid in STARTED
start() {
  local env_words=${OURS_ENV:-}
  # shellcheck disable=SC2086 # OURS_ENV is a list of NAME=value words
  env ${env_words//%ROLE%/$3} dotnet "$SERVER" "$1" --redis "127.0.0.1:$REDIS_PORT" --urls "http://127.0.0.1:$2" > "$WORK/$3.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}
start backend "$P3" backend; BACKEND=$STARTED
start distributor "$P1" distributor1; D1=$STARTED
start distributor "$P2" distributor2; D2=$STARTED
"${LOADGEN[@]}" wait "http://127.0.0.1:$P3/bench-stats" 60 > /dev/null
"${LOADGEN[@]}" wait "http://127.0.0.1:$P1/bench-stats,http://127.0.0.1:$P2/bench-stats" 60 backends > /dev/null
OURS_TARGET=(--target ours --urls "http://127.0.0.1:$P1,http://127.0.0.1:$P2")
PIDS_ARG="distributor1=$D1@http://127.0.0.1:$P1/bench-stats,distributor2=$D2@http://127.0.0.1:$P2/bench-stats,backend=$BACKEND@http://127.0.0.1:$P3/bench-stats,redis=$REDIS"
