/* Host-only helpers of the timing harnesses (tinyids/codegen/host.py's model harness and
 * litert_native.c): read a whole file, sort doubles, a monotonic clock in ns. Not for boards. */
#ifndef TINYIDS_HOST_IO_H
#define TINYIDS_HOST_IO_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void *slurp(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    void *buf;
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    *size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)*size + 1);
    if (!buf || fread(buf, 1, (size_t)*size, f) != (size_t)*size) { perror(path); exit(2); }
    fclose(f);
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    const double da = *(const double *)a, db = *(const double *)b;
    return (da > db) - (da < db);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#endif
