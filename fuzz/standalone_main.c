/*
 * standalone_main.c - replays inputs through a harness's LLVMFuzzerTestOneInput without
 * libFuzzer, so that gcc builds (CI, the normal and ASan+UBSan builds) run every corpus and
 * regression file: `fuzz_replay_<harness> [-r] FILE|DIR...` (the files of each directory
 * in sorted order; after -r, directories given later are read recursively, at most 8
 * levels). Exit 0 when every input returned; a crash or sanitizer report aborts the process.
 * With H5RD_REPLAY_VERBOSE set, each file name is printed before it runs (to find the input
 * that crashed). A directory that does not exist is skipped with a note (optional corpora).
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, int verbose)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(fp);
        return 1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                fclose(fp);
                return 1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            break;
        }
    }
    int bad = ferror(fp) != 0;
    fclose(fp);
    if (bad) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return 1;
    }
    if (verbose) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    }
    /* An exact-size copy so that ASan sees reads past the input's end. */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int verbose, unsigned long *count, int depth, int recurse)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        char *p = malloc(len);
        if (p == NULL) {
            rc = 1;
            break;
        }
        snprintf(p, len, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st) != 0) {
            free(p);
            continue;
        }
        bool sub = recurse && S_ISDIR(st.st_mode) && depth < 8;
        if (!sub && !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (nn == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nnames = realloc(names, ncap * sizeof *names);
            if (nnames == NULL) {
                free(p);
                rc = 1;
                break;
            }
            names = nnames;
            cap = ncap;
        }
        names[nn++] = p;
    }
    closedir(d);
    if (nn > 1) {
        qsort(names, nn, sizeof *names, cmp_str);
    }
    for (size_t i = 0; i < nn; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            rc |= run_dir(names[i], verbose, count, depth + 1, recurse);
        } else {
            rc |= run_file(names[i], verbose);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int verbose = getenv("H5RD_REPLAY_VERBOSE") != NULL;
    unsigned long count = 0;
    int rc = 0, recurse = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0) {
            recurse = 1;
            continue;
        }
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s does not exist, skipped\n", argv[i]);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc |= run_dir(argv[i], verbose, &count, 0, recurse);
        } else {
            rc |= run_file(argv[i], verbose);
            count++;
        }
    }
    fprintf(stderr, "replay: %lu inputs run\n", count);
    return rc;
}
