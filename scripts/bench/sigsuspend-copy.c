// Preloaded under valgrind by profile.sh: valgrind 3.19 writes into the signal mask given to sigsuspend, and
// libdispatch's main thread passes a mask that lives in read-only memory, which kills valgrind. This sigsuspend
// hands the kernel a copy on the stack instead.
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
