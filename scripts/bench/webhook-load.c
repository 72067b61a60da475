// The load generator and receiver of scripts/bench/webhooks.py: one epoll thread each, keep-alive HTTP/1.1, so that
// neither is what the benchmark measures.
//
//   webhook-load receive
//       Listens on a free loopback port and prints it. POST (any path) records a delivery: its webhook-id, and the
//       time from the body's "sentAt" (Unix seconds) to its arrival; it answers 200, or the status set by
//       POST /refuse/STATUS (0: accept again). Signatures are not checked: the integration tests do that.
//       GET /stats answers {"received", "distinct", "repeats", "p50_ms", "p99_ms", "span_s"} since the last
//       POST /reset (span_s: from the first new delivery to the last).
//   webhook-load post HOST:PORT COUNT CONNECTIONS RATE PREFIX PATH SECRET [PATH SECRET ...]
//       Posts COUNT events, signed per Standard Webhooks at the moment each is sent (webhook-id PREFIX<number>), on
//       CONNECTIONS keep-alive connections, each with one post in flight, the paths taking turns; event n not before
//       n / RATE seconds from the start (RATE 0: as fast as answered). Prints {"statuses": {...}, "seconds": s} when
//       every post is answered.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFFER 65536

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

typedef struct {
    int fd;
    char in[BUFFER];
    size_t in_length;
    char out[BUFFER];
    size_t out_length, out_sent;
    // The poster's event in flight on this connection, or -1; whether it waits for the next event to be due.
    long posting;
    int waits;
} Connection;

// A complete message at the start of `c->in`: its head and body lengths, or 0 while it is incomplete.
static size_t message_length(Connection *c, size_t *head_length, long *content_length) {
    char *end = memmem(c->in, c->in_length, "\r\n\r\n", 4);
    if (!end) return 0;
    *head_length = (size_t)(end - c->in) + 4;
    *content_length = 0;
    for (char *line = c->in; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) *content_length = strtol(line + 15, NULL, 10);
    }
    size_t total = *head_length + (size_t)*content_length;
    return c->in_length >= total ? total : 0;
}

// The value of header `name` in the head at `head`, copied into `value`.
static void header_value(const char *head, size_t head_length, const char *name, char *value, size_t capacity) {
    value[0] = 0;
    size_t name_length = strlen(name);
    for (const char *line = head; line < head + head_length; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, name, name_length) == 0 && line[name_length] == ':') {
            const char *start = line + name_length + 1;
            while (*start == ' ') start++;
            size_t length = (size_t)(strstr(start, "\r\n") - start);
            if (length >= capacity) length = capacity - 1;
            memcpy(value, start, length);
            value[length] = 0;
            return;
        }
    }
}

static void queue_output(Connection *c, const char *bytes, size_t length) {
    if (c->out_length + length > BUFFER) {
        fprintf(stderr, "output buffer full\n");
        exit(1);
    }
    memcpy(c->out + c->out_length, bytes, length);
    c->out_length += length;
}

// Writes what is queued; whether the connection is still open.
static int flush_output(Connection *c) {
    while (c->out_sent < c->out_length) {
        ssize_t n = write(c->fd, c->out + c->out_sent, c->out_length - c->out_sent);
        if (n < 0 && errno == EAGAIN) return 1;
        if (n <= 0) return 0;
        c->out_sent += (size_t)n;
    }
    c->out_sent = c->out_length = 0;
    return 1;
}

// Reads what arrived; whether the connection is still open.
static int fill_input(Connection *c) {
    while (c->in_length < BUFFER) {
        ssize_t n = read(c->fd, c->in + c->in_length, BUFFER - c->in_length);
        if (n < 0 && errno == EAGAIN) return 1;
        if (n <= 0) return 0;
        c->in_length += (size_t)n;
    }
    return 1;
}

static void consume_input(Connection *c, size_t length) {
    memmove(c->in, c->in + length, c->in_length - length);
    c->in_length -= length;
}

// MARK: Receiver

// The webhook-ids seen since the last reset, in an open-addressing set that grows at half full.
static char **seen;
static size_t seen_capacity, seen_count;
static double *latencies;
static size_t latency_count, latency_capacity, received;
// When the first and the last new delivery since the last reset arrived.
static double first_arrival, last_arrival;
static int refusing;

static uint64_t hash(const char *text) {
    uint64_t h = 1469598103934665603ULL;
    for (; *text; text++) h = (h ^ (uint8_t)*text) * 1099511628211ULL;
    return h;
}

static int insert_seen(const char *id);

static void grow_seen(void) {
    char **old = seen;
    size_t old_capacity = seen_capacity;
    seen_capacity = seen_capacity ? seen_capacity * 2 : 4096;
    seen = calloc(seen_capacity, sizeof *seen);
    seen_count = 0;
    for (size_t i = 0; i < old_capacity; i++) {
        if (old[i]) {
            insert_seen(old[i]);
            free(old[i]);
        }
    }
    free(old);
}

// Adds `id`; whether it was new.
static int insert_seen(const char *id) {
    if (2 * (seen_count + 1) > seen_capacity) grow_seen();
    size_t slot = hash(id) & (seen_capacity - 1);
    while (seen[slot]) {
        if (strcmp(seen[slot], id) == 0) return 0;
        slot = (slot + 1) & (seen_capacity - 1);
    }
    seen[slot] = strdup(id);
    seen_count++;
    return 1;
}

static void reset_receiver(void) {
    for (size_t i = 0; i < seen_capacity; i++) free(seen[i]);
    free(seen);
    seen = NULL;
    seen_capacity = seen_count = latency_count = received = 0;
    first_arrival = last_arrival = 0;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void answer_stats(Connection *c) {
    qsort(latencies, latency_count, sizeof *latencies, compare_doubles);
    double p50 = latency_count ? latencies[latency_count / 2] : 0;
    double p99 = latency_count ? latencies[latency_count * 99 / 100] : 0;
    char body[256], head[128];
    int body_length = snprintf(
        body, sizeof body,
        "{\"received\": %zu, \"distinct\": %zu, \"repeats\": %zu, \"p50_ms\": %.2f, \"p99_ms\": %.2f, "
        "\"span_s\": %.6f}",
        received, seen_count, received - seen_count, p50 * 1000, p99 * 1000, last_arrival - first_arrival);
    int head_length = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n", body_length);
    queue_output(c, head, (size_t)head_length);
    queue_output(c, body, (size_t)body_length);
}

static void record_delivery(const char *head, size_t head_length, const char *body, long body_length) {
    double arrived = now_seconds();
    char id[256], text[512];
    header_value(head, head_length, "webhook-id", id, sizeof id);
    received++;
    if (!insert_seen(id)) return;
    if (!first_arrival) first_arrival = arrived;
    last_arrival = arrived;
    size_t length = body_length < (long)sizeof text - 1 ? (size_t)body_length : sizeof text - 1;
    memcpy(text, body, length);
    text[length] = 0;
    char *sent = strstr(text, "\"sentAt\":");
    if (!sent) return;
    if (latency_count == latency_capacity) {
        latency_capacity = latency_capacity ? latency_capacity * 2 : 4096;
        latencies = realloc(latencies, latency_capacity * sizeof *latencies);
    }
    latencies[latency_count++] = arrived - strtod(sent + 9, NULL);
}

static void serve_requests(Connection *c) {
    size_t head_length, total;
    long content_length;
    while ((total = message_length(c, &head_length, &content_length))) {
        static const char ok[] = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        if (strncmp(c->in, "GET /stats", 10) == 0) {
            answer_stats(c);
        } else if (strncmp(c->in, "POST /reset", 11) == 0) {
            reset_receiver();
            queue_output(c, ok, sizeof ok - 1);
        } else if (strncmp(c->in, "POST /refuse/", 13) == 0) {
            refusing = atoi(c->in + 13);
            queue_output(c, ok, sizeof ok - 1);
        } else if (refusing) {
            char answer[96];
            int length = snprintf(answer, sizeof answer, "HTTP/1.1 %d Refused\r\ncontent-length: 0\r\n\r\n", refusing);
            queue_output(c, answer, (size_t)length);
        } else {
            record_delivery(c->in, head_length, c->in + head_length, content_length);
            queue_output(c, ok, sizeof ok - 1);
        }
        consume_input(c, total);
    }
}

static _Noreturn void receive(void) {
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 1024)) die("listen");
    getsockname(listener, (struct sockaddr *)&address, &length);
    printf("%d\n", ntohs(address.sin_port));
    fflush(stdout);
    int epoll = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event);
    struct epoll_event ready[256];
    for (;;) {
        int count = epoll_wait(epoll, ready, 256, -1);
        for (int i = 0; i < count; i++) {
            Connection *c = ready[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    Connection *accepted = calloc(1, sizeof *accepted);
                    accepted->fd = fd;
                    struct epoll_event watch = {.events = EPOLLIN, .data.ptr = accepted};
                    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &watch);
                }
                continue;
            }
            int open = fill_input(c);
            serve_requests(c);
            if (!flush_output(c) || !open) {
                close(c->fd);
                free(c);
            }
        }
    }
}

// MARK: Poster

typedef struct {
    const char *path;
    unsigned char key[64];
    int key_length;
} Target;

static Target *targets;
static int target_count;
static long next_number, answered, total_count;
static double rate, started;
// Connections with nothing in flight, waiting for the next event to be due.
static Connection **waiting;
static int waiting_count;
static long statuses[600];
static const char *prefix, *host_port;
static struct sockaddr_in gateway;

static int connect_to_gateway(int epoll, Connection *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&gateway, sizeof gateway) && errno != EINPROGRESS) die("connect");
    c->in_length = c->out_length = c->out_sent = 0;
    struct epoll_event watch = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    return epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &watch);
}

// Queues the post of event `number` on `c`, signed now.
static void queue_post(Connection *c, long number) {
    c->posting = number;
    Target *target = &targets[number % target_count];
    double sent = now_seconds();
    char id[64], body[512], signed_content[700], head[1024];
    snprintf(id, sizeof id, "evt_%s%ld", prefix, number);
    int body_length = snprintf(
        body, sizeof body,
        "{\"eventId\": \"%s\", \"name\": \"page.updated\", \"timestamp\": \"%.6f\", \"data\": {\"sentAt\": %.6f}, "
        "\"cursor\": null}",
        id, sent, sent);
    long timestamp = (long)sent;
    int signed_length = snprintf(signed_content, sizeof signed_content, "%s.%ld.%s", id, timestamp, body);
    unsigned char mac[32];
    unsigned int mac_length = 0;
    HMAC(EVP_sha256(), target->key, target->key_length, (unsigned char *)signed_content, (size_t)signed_length, mac,
         &mac_length);
    unsigned char signature[64];
    EVP_EncodeBlock(signature, mac, (int)mac_length);
    int head_length = snprintf(
        head, sizeof head,
        "POST %s HTTP/1.1\r\nHost: %s\r\ncontent-type: application/json\r\nwebhook-id: %s\r\n"
        "webhook-timestamp: %ld\r\nwebhook-signature: v1,%s\r\ncontent-length: %d\r\n\r\n",
        target->path, host_port, id, timestamp, signature, body_length);
    queue_output(c, head, (size_t)head_length);
    queue_output(c, body, (size_t)body_length);
}

static double due(long number) { return rate > 0 ? started + number / rate : 0; }

static void queue_next_post(Connection *c) {
    c->posting = -1;
    if (next_number >= total_count) return;
    if (now_seconds() < due(next_number)) {
        if (!c->waits) waiting[waiting_count++] = c;
        c->waits = 1;
        return;
    }
    queue_post(c, next_number++);
}

static void watch_output(int epoll, Connection *c) {
    struct epoll_event watch = {.events = EPOLLIN | (c->out_length ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &watch);
}

// Hands the events now due to waiting connections; the milliseconds until the next is due (-1: none waits).
static int post_due(int epoll) {
    while (waiting_count && next_number < total_count && now_seconds() >= due(next_number)) {
        Connection *c = waiting[--waiting_count];
        c->waits = 0;
        queue_post(c, next_number++);
        flush_output(c);
        watch_output(epoll, c);
    }
    if (!waiting_count || next_number >= total_count) return -1;
    return (int)((due(next_number) - now_seconds()) * 1000) + 1;
}

static int post(int argc, char **argv) {
    host_port = argv[2];
    total_count = atol(argv[3]);
    int connections = atoi(argv[4]);
    rate = atof(argv[5]);
    prefix = argv[6];
    target_count = (argc - 7) / 2;
    targets = calloc((size_t)target_count, sizeof *targets);
    for (int i = 0; i < target_count; i++) {
        targets[i].path = argv[7 + 2 * i];
        const char *secret = argv[8 + 2 * i] + strlen("whsec_");
        unsigned char decoded[96];
        int length = EVP_DecodeBlock(decoded, (const unsigned char *)secret, (int)strlen(secret));
        for (const char *end = secret + strlen(secret); end > secret && end[-1] == '='; end--) length--;
        memcpy(targets[i].key, decoded, (size_t)length);
        targets[i].key_length = length;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strchr(host_port, ':') - host_port), host_port);
    gateway = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(strchr(host_port, ':') + 1))};
    inet_pton(AF_INET, host, &gateway.sin_addr);

    int epoll = epoll_create1(0);
    Connection *pool = calloc((size_t)connections, sizeof *pool);
    waiting = calloc((size_t)connections, sizeof *waiting);
    started = now_seconds();
    for (int i = 0; i < connections; i++) {
        connect_to_gateway(epoll, &pool[i]);
        queue_next_post(&pool[i]);
    }
    struct epoll_event ready[256];
    while (answered < total_count) {
        int count = epoll_wait(epoll, ready, 256, post_due(epoll));
        for (int i = 0; i < count; i++) {
            Connection *c = ready[i].data.ptr;
            int open = fill_input(c);
            size_t head_length, total;
            long content_length;
            while ((total = message_length(c, &head_length, &content_length))) {
                int status = atoi(c->in + 9);
                statuses[status > 0 && status < 600 ? status : 0]++;
                answered++;
                char connection[32];
                header_value(c->in, head_length, "connection", connection, sizeof connection);
                consume_input(c, total);
                c->posting = -1;
                if (strcasecmp(connection, "close") == 0) open = 0;
                else queue_next_post(c);
            }
            if (!open || !flush_output(c)) {
                // The gateway closed: a post in flight was not answered, so it goes out again, as an upstream
                // retries, on a new connection.
                long unanswered = c->posting;
                close(c->fd);
                connect_to_gateway(epoll, c);
                if (unanswered >= 0) queue_post(c, unanswered);
                else queue_next_post(c);
                continue;
            }
            watch_output(epoll, c);
        }
    }
    printf("{\"statuses\": {");
    const char *separator = "";
    for (int status = 0; status < 600; status++) {
        if (statuses[status]) {
            printf("%s\"%d\": %ld", separator, status, statuses[status]);
            separator = ", ";
        }
    }
    printf("}, \"seconds\": %.3f}\n", now_seconds() - started);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "receive") == 0) receive();
    if (argc >= 9 && argc % 2 == 1 && strcmp(argv[1], "post") == 0) return post(argc, argv);
    fprintf(stderr, "usage: webhook-load receive | post HOST:PORT COUNT CONNECTIONS RATE PREFIX PATH SECRET [...]\n");
    return 2;
}
