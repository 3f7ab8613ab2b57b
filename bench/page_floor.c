/*
 * page_floor.c - the kernel's share of a walk, alone: map FILE as h5rd maps it (PROT_READ,
 * MAP_SHARED) and read one byte of every page, then exit. bench/run_meta.sh times it against
 * `h5ls -r` next to W5: the ratio it prints is the most any reader that maps the file and
 * touches each of its pages can reach - the walk of W5 earliest does, since every page of that
 * file holds an object header - before it parses a byte or prints a line. It counts exec,
 * the page faults that map the pages and the unmapping at exit, which depend on how the page
 * cache holds the file (single-page folios just after libhdf5 wrote it, large folios once read
 * back: run_meta.sh's PAGECACHE).
 *
 *   page_floor FILE
 */
#define _POSIX_C_SOURCE 200809L /* mmap, sysconf */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: page_floor FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
        fprintf(stderr, "page_floor: cannot open %s\n", argv[1]);
        return 1;
    }
    size_t n = (size_t)st.st_size;
    const volatile uint8_t *m = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
    if (m == (const volatile uint8_t *)MAP_FAILED) {
        fprintf(stderr, "page_floor: cannot map %s\n", argv[1]);
        return 1;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned sum = 0;
    for (size_t off = 0; off < n; off += page) {
        sum += m[off];
    }
    printf("%u\n", sum); /* the reads cannot be left out */
    return 0;
}
