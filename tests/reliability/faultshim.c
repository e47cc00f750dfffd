/* Fault injection for tests: the N-th write to the store fails.
 *
 * Loaded with LD_PRELOAD. WTDC_FAULT_AT=N makes the N-th write (write, pwrite,
 * pwrite64) to a file whose path contains WTDC_FAULT_MATCH (default
 * "store.sqlite3", which also matches its -wal and -journal files) fail with
 * WTDC_FAULT_ERRNO (default EIO; 28 = ENOSPC, a full disk). Every later write
 * to those files fails too, as on a disk that has gone bad or full.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long counter = 0;

static int targeted(int fd) {
    char link[64], path[4096];
    const char *match = getenv("WTDC_FAULT_MATCH");
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0) return 0;
    path[n] = 0;
    return strstr(path, match ? match : "store.sqlite3") != NULL;
}

static int should_fail(int fd) {
    const char *at = getenv("WTDC_FAULT_AT");
    if (!at || !targeted(fd)) return 0;
    counter++;
    if (counter >= atol(at)) {
        const char *e = getenv("WTDC_FAULT_ERRNO");
        errno = e ? atoi(e) : EIO;
        return 1;
    }
    return 0;
}

ssize_t write(int fd, const void *buf, size_t count) {
    static ssize_t (*real)(int, const void *, size_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "write");
    if (should_fail(fd)) return -1;
    return real(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "pwrite");
    if (should_fail(fd)) return -1;
    return real(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
    static ssize_t (*real)(int, const void *, size_t, off64_t) = NULL;
    if (!real) real = dlsym(RTLD_NEXT, "pwrite64");
    if (should_fail(fd)) return -1;
    return real(fd, buf, count, offset);
}
