/*
 * json.h - a small, strict JSON reader and tree comparator for the tests.
 *
 * The e2e tests compare what `h5rd ls -r --json` prints with what libhdf5 read
 * (the corpus oracles and fixtures/expected, both written by Python's json
 * module). Parsing is strict RFC 8259 with two extensions the CLI needs: the
 * bare tokens NaN, Infinity and -Infinity are numbers.
 *
 * Numbers keep both readings: the double, and - when the text was an integer
 * (no fraction, no exponent) that fits in 64 bits - the exact integer as a sign
 * and a magnitude, so uint64 and int64 extremes compare exactly.
 *
 * The tree is immutable after parsing and owns all its memory; free it with
 * tj_free(). Nothing here is thread-shared.
 */
#ifndef H5RD_TEST_JSON_H
#define H5RD_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tj_kind {
    TJ_NULL,
    TJ_BOOL,
    TJ_NUM,
    TJ_STR,
    TJ_ARR,
    TJ_OBJ,
};

/* A number's class: finite, or one of the three non-finite tokens. */
enum tj_numclass {
    TJ_FINITE,
    TJ_NAN,
    TJ_POS_INF,
    TJ_NEG_INF,
};

typedef struct tj_value {
    enum tj_kind kind;
    bool b; /* TJ_BOOL */
    /* TJ_NUM */
    double d;
    enum tj_numclass numclass;
    bool is_int;   /* the text was an integer that fits in [-2^63, 2^64-1] */
    bool neg;      /* is_int: negative (never set for zero) */
    uint64_t mag;  /* is_int: magnitude */
    /* TJ_STR: UTF-8 bytes, NUL-terminated; len excludes the NUL (may hold \0) */
    char *str;
    size_t len;
    /* TJ_ARR / TJ_OBJ: n items; for objects keys[i] (NUL-terminated) names items[i] */
    size_t n;
    struct tj_value *items;
    char **keys;
} tj_value;

/*
 * Parses text[0..len) into a freshly allocated tree. Returns NULL on error and,
 * when errbuf is given, a message with the byte offset. Trailing whitespace is
 * allowed; anything else after the value is an error. Nesting deeper than 512
 * is an error.
 */
tj_value *tj_parse(const char *text, size_t len, char *errbuf, size_t errcap);
/* Reads a whole file and parses it. */
tj_value *tj_parse_file(const char *path, char *errbuf, size_t errcap);
void tj_free(tj_value *v);

/* Object member lookup (first match), NULL when absent or v is not an object. */
const tj_value *tj_get(const tj_value *v, const char *key);
/* Member as a string (NULL when absent or not a string). */
const char *tj_get_str(const tj_value *v, const char *key);
/* Member as a bool; dflt when absent or not a bool. */
bool tj_get_bool(const tj_value *v, const char *key, bool dflt);

/* Comparison flags. */
enum {
    /* The strings "NaN", "Infinity", "-Infinity" equal the matching number. */
    TJ_CMP_NAN_STRINGS = 1u << 0,
    /* What the oracle comparisons use. */
    TJ_CMP_DEFAULT = TJ_CMP_NAN_STRINGS,
};

/*
 * Compares 'want' with 'got'. Object member order does not matter; integers
 * compare exactly when both sides are exact integers, otherwise numbers compare
 * as doubles (NaN equals NaN). Returns true when equal. When they differ and
 * diff is given, writes the first difference as
 *     "<base><pointer>: want <json>, got <json>"
 * where <pointer> is a JSON-pointer-like path (/key/3/key), values shortened.
 */
bool tj_equal(const tj_value *want, const tj_value *got, unsigned flags, const char *base,
              char *diff, size_t diffcap);

/*
 * Writes v as compact JSON into buf (snprintf semantics: always NUL-terminated
 * when cap > 0, output cut to fit; cut output ends in "..."). Returns buf.
 */
char *tj_render(const tj_value *v, char *buf, size_t cap);

#endif
