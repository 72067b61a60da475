#ifndef SWITCHBOARD_CSHIMS_H
#define SWITCHBOARD_CSHIMS_H

#include <semaphore.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include <sys/socket.h>

/// An epoll event with natural alignment: the kernel's `struct epoll_event` is packed on x86_64,
/// which Swift cannot import faithfully.
typedef struct {
    uint32_t events;
    uint64_t data;
} sb_epoll_event;

enum {
    SB_EPOLLIN = 0x001,
    SB_EPOLLOUT = 0x004,
    SB_EPOLLERR = 0x008,
    SB_EPOLLHUP = 0x010,
    SB_EPOLLRDHUP = 0x2000,
};

int sb_epoll_create(void);
int sb_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/// Waits like epoll_wait and copies the events into `out`; returns the count or -1 with errno set.
int sb_epoll_wait(int epfd, sb_epoll_event *out, int max_events, int timeout_ms);

int sb_eventfd(void);
int sb_accept4(int fd, struct sockaddr *addr, socklen_t *len);
int sb_socket_nonblocking(int domain, int type);
/// Names the calling thread (visible in top and gdb); longer names are cut to 15 bytes.
void sb_set_thread_name(const char *name);
/// Waits like sem_wait until `deadline` on CLOCK_MONOTONIC (glibc's sem_clockwait, a GNU extension); returns 0,
/// or -1 with errno set (ETIMEDOUT when the deadline passed).
int sb_sem_wait_monotonic(sem_t *sem, const struct timespec *deadline);
/// Returns freed heap at the top of every malloc arena to the system (glibc's malloc_trim(0)).
void sb_malloc_trim(void);

#endif
