# Shared helpers for the benchmarks: pinned servers, wrk runs and CPU accounting from /proc.
started_pids=()

# start_pinned CORE COMMAND...: starts COMMAND on CORE in the background; sets started_pid.
start_pinned() {
    local core=$1
    shift
    taskset -c "$core" "$@" &
    started_pid=$!
    started_pids+=("$started_pid")
}

# nginx_config DIR HTTP_BLOCK: writes DIR/nginx.conf for one worker in the foreground, logging every request to
# DIR/nginx-access.log, with HTTP_BLOCK inside `http { }`.
nginx_config() {
    cat >"$1/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log $1/nginx-access.log;
$2
}
CONF
}

stop_all() {
    for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}

# wait_for_port PORT [SECONDS]: waits until something listens on PORT (default 10 s; valgrind needs longer).
wait_for_port() {
    local tries=$(( ${2:-10} * 10 ))
    for _ in $(seq 1 "$tries"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    exit 1
}

# cpu_ticks PID: user+system clock ticks of PID and its children threads/processes (nginx forks its worker).
cpu_ticks() {
    local total=0 pid
    for pid in "$1" $(pgrep -P "$1" || true); do
        # Fields 14 and 15 of /proc/PID/stat, counted after the parenthesised command name.
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

# measure NAME PID URL SECONDS CONNECTIONS [wrk args...]: runs wrk on core 1; sets requests, rps, p50, p99
# and cpu_us (the CPU time of PID per request; empty PID: not measured).
measure() {
    local name=$1 pid=$2 url=$3 seconds=$4 connections=$5
    shift 5
    local before=0 after=0 output
    taskset -c 1 wrk -t1 -c"$connections" -d1s "$url" "$@" >/dev/null  # warm-up
    [[ -n $pid ]] && before=$(cpu_ticks "$pid")
    output=$(taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --latency "$url" "$@")
    [[ -n $pid ]] && after=$(cpu_ticks "$pid")
    requests=$(awk '/requests in/ {print $1}' <<<"$output")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$output")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$output")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$output")
    local hz
    hz=$(getconf CLK_TCK)
    cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}')
    [[ -n $pid ]] || cpu_us="-"
    if grep -q "Non-2xx" <<<"$output"; then echo "$name answered errors:" >&2; echo "$output" >&2; exit 1; fi
    grep "Socket errors" <<<"$output" | sed "s/^ */$name: /" >&2 || true
}

# rss_mb PID: resident memory in MiB.
rss_mb() {
    awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"
}

ratio() {
    awk -v label="$1" -v a="$2" -v b="$3" 'BEGIN {printf "%-40s %.2f\n", label ":", a / b}'
}
