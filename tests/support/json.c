/*
 * json.c - strict JSON parser, renderer and comparator for the tests (json.h).
 *
 * Grammar: RFC 8259, plus the bare number tokens NaN, Infinity, -Infinity that
 * the CLI prints for non-finite floats. Strings must be valid UTF-8 and must not
 * hold raw control characters; \u escapes are decoded to UTF-8 (surrogate pairs
 * combined, a lone surrogate kept as its 3-byte form so Python's
 * surrogate-escaped strings still parse). Nesting is limited to MAX_DEPTH so a
 * hostile or runaway CLI output cannot exhaust the stack.
 *
 * Invariant: a tree returned by tj_parse() is complete and owns every pointer
 * in it; on any error everything allocated so far is freed.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

/* ---- parsing ------------------------------------------------------------------------------ */

struct parser {
    const char *p;
    size_t len;
    size_t pos;
    char *err;
    size_t errcap;
    bool failed;
};

static void fail(struct parser *ps, const char *what)
{
    if (!ps->failed && ps->err != NULL && ps->errcap > 0) {
        snprintf(ps->err, ps->errcap, "JSON: %s at offset %zu", what, ps->pos);
    }
    ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
    while (ps->pos < ps->len) {
        char c = ps->p[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            break;
        }
        ps->pos++;
    }
}

static bool lit(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if (n <= ps->len - ps->pos && memcmp(ps->p + ps->pos, word, n) == 0) {
        ps->pos += n;
        return true;
    }
    return false;
}

/* A growable byte buffer for string bodies. */
struct sbuf {
    char *p;
    size_t n;
    size_t cap;
};

static bool sb_put(struct sbuf *b, const void *src, size_t n)
{
    if (n > b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 32;
        while (n > cap - b->n) {
            cap *= 2;
        }
        char *np = realloc(b->p, cap);
        if (np == NULL) {
            return false;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    return true;
}

static size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool hex4(struct parser *ps, uint32_t *out)
{
    if (4 > ps->len - ps->pos) {
        fail(ps, "truncated \\u escape");
        return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[ps->pos + (size_t)i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            fail(ps, "bad hex digit in \\u escape");
            return false;
        }
    }
    ps->pos += 4;
    *out = v;
    return true;
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid (RFC 3629). */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (need > n) {
        return 0;
    }
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    bool overlong = (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000);
    bool surrogate = need == 3 && cp >= 0xD800 && cp <= 0xDFFF;
    if (overlong || surrogate || cp > 0x10FFFF) {
        return 0;
    }
    return need;
}

/* Parses a string body after the opening quote; *out gets a NUL-terminated copy. */
static bool parse_string(struct parser *ps, char **out, size_t *outlen)
{
    struct sbuf b = {0};
    while (true) {
        if (ps->pos >= ps->len) {
            fail(ps, "unterminated string");
            goto err;
        }
        unsigned char c = (unsigned char)ps->p[ps->pos];
        if (c == '"') {
            ps->pos++;
            break;
        }
        if (c < 0x20) {
            fail(ps, "raw control character in string");
            goto err;
        }
        if (c == '\\') {
            ps->pos++;
            if (ps->pos >= ps->len) {
                fail(ps, "unterminated escape");
                goto err;
            }
            char e = ps->p[ps->pos++];
            char ch;
            switch (e) {
            case '"': ch = '"'; break;
            case '\\': ch = '\\'; break;
            case '/': ch = '/'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!hex4(ps, &cp)) {
                    goto err;
                }
                /* Combine a high surrogate with a following \u low surrogate. */
                if (cp >= 0xD800 && cp <= 0xDBFF && 6 <= ps->len - ps->pos &&
                    ps->p[ps->pos] == '\\' && ps->p[ps->pos + 1] == 'u') {
                    size_t save = ps->pos;
                    uint32_t lo;
                    ps->pos += 2;
                    if (!hex4(ps, &lo)) {
                        goto err;
                    }
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        ps->pos = save;
                    }
                }
                unsigned char u[4];
                size_t un = utf8_encode(cp, u);
                if (!sb_put(&b, u, un)) {
                    fail(ps, "out of memory");
                    goto err;
                }
                continue;
            }
            default:
                ps->pos--;
                fail(ps, "bad escape");
                goto err;
            }
            if (!sb_put(&b, &ch, 1)) {
                fail(ps, "out of memory");
                goto err;
            }
            continue;
        }
        size_t n = utf8_valid_len((const unsigned char *)ps->p + ps->pos, ps->len - ps->pos);
        if (n == 0) {
            fail(ps, "invalid UTF-8 in string");
            goto err;
        }
        if (!sb_put(&b, ps->p + ps->pos, n)) {
            fail(ps, "out of memory");
            goto err;
        }
        ps->pos += n;
    }
    if (!sb_put(&b, "", 1)) {
        fail(ps, "out of memory");
        goto err;
    }
    *out = b.p;
    *outlen = b.n - 1;
    return true;
err:
    free(b.p);
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool parse_number(struct parser *ps, tj_value *v)
{
    size_t start = ps->pos;
    const char *p = ps->p;
    size_t i = ps->pos;
    bool neg = false;
    bool integral = true;

    if (i < ps->len && p[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= ps->len || !is_digit(p[i])) {
        fail(ps, "bad number");
        return false;
    }
    if (p[i] == '0') {
        i++;
    } else {
        while (i < ps->len && is_digit(p[i])) {
            i++;
        }
    }
    if (i < ps->len && p[i] == '.') {
        integral = false;
        i++;
        if (i >= ps->len || !is_digit(p[i])) {
            ps->pos = i;
            fail(ps, "bad number fraction");
            return false;
        }
        while (i < ps->len && is_digit(p[i])) {
            i++;
        }
    }
    if (i < ps->len && (p[i] == 'e' || p[i] == 'E')) {
        integral = false;
        i++;
        if (i < ps->len && (p[i] == '+' || p[i] == '-')) {
            i++;
        }
        if (i >= ps->len || !is_digit(p[i])) {
            ps->pos = i;
            fail(ps, "bad number exponent");
            return false;
        }
        while (i < ps->len && is_digit(p[i])) {
            i++;
        }
    }
    size_t n = i - start;
    char small[64];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (copy == NULL) {
        fail(ps, "out of memory");
        return false;
    }
    memcpy(copy, p + start, n);
    copy[n] = '\0';
    errno = 0;
    v->d = strtod(copy, NULL); /* overflow gives +-HUGE_VAL, which is what Python does too */
    if (copy != small) {
        free(copy);
    }
    v->kind = TJ_NUM;
    v->numclass = TJ_FINITE;
    if (isinf(v->d)) {
        v->numclass = v->d > 0 ? TJ_POS_INF : TJ_NEG_INF;
    }
    if (integral) {
        uint64_t mag = 0;
        bool ok = true;
        for (size_t k = start + (neg ? 1 : 0); k < i; k++) {
            unsigned dgt = (unsigned)(p[k] - '0');
            if (mag > (UINT64_MAX - dgt) / 10) {
                ok = false;
                break;
            }
            mag = mag * 10 + dgt;
        }
        if (ok && neg && mag > (uint64_t)INT64_MAX + 1) {
            ok = false;
        }
        if (ok) {
            v->is_int = true;
            v->mag = mag;
            v->neg = neg && mag != 0;
        }
    }
    ps->pos = i;
    return true;
}

static void free_children(tj_value *v);

static bool parse_value(struct parser *ps, tj_value *v, unsigned depth);

static bool grow_items(struct parser *ps, tj_value *v, size_t *cap, bool with_keys)
{
    if (v->n < *cap) {
        return true;
    }
    size_t ncap = *cap ? *cap * 2 : 4;
    tj_value *ni = realloc(v->items, ncap * sizeof *ni);
    if (ni == NULL) {
        fail(ps, "out of memory");
        return false;
    }
    v->items = ni;
    if (with_keys) {
        char **nk = realloc(v->keys, ncap * sizeof *nk);
        if (nk == NULL) {
            fail(ps, "out of memory");
            return false;
        }
        v->keys = nk;
    }
    *cap = ncap;
    return true;
}

static bool parse_array(struct parser *ps, tj_value *v, unsigned depth)
{
    size_t cap = 0;
    v->kind = TJ_ARR;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == ']') {
        ps->pos++;
        return true;
    }
    while (true) {
        if (!grow_items(ps, v, &cap, false)) {
            return false;
        }
        tj_value *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        v->n++; /* counted before parsing so a failure frees its partial children */
        if (!parse_value(ps, item, depth + 1)) {
            return false;
        }
        skip_ws(ps);
        if (ps->pos >= ps->len) {
            fail(ps, "unterminated array");
            return false;
        }
        char c = ps->p[ps->pos++];
        if (c == ']') {
            return true;
        }
        if (c != ',') {
            ps->pos--;
            fail(ps, "expected ',' or ']'");
            return false;
        }
    }
}

static bool parse_object(struct parser *ps, tj_value *v, unsigned depth)
{
    size_t cap = 0;
    v->kind = TJ_OBJ;
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == '}') {
        ps->pos++;
        return true;
    }
    while (true) {
        skip_ws(ps);
        if (ps->pos >= ps->len || ps->p[ps->pos] != '"') {
            fail(ps, "expected a string key");
            return false;
        }
        ps->pos++;
        if (!grow_items(ps, v, &cap, true)) {
            return false;
        }
        char *key;
        size_t keylen;
        if (!parse_string(ps, &key, &keylen)) {
            return false;
        }
        tj_value *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        v->keys[v->n] = key;
        v->n++;
        skip_ws(ps);
        if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
            fail(ps, "expected ':'");
            return false;
        }
        ps->pos++;
        if (!parse_value(ps, item, depth + 1)) {
            return false;
        }
        skip_ws(ps);
        if (ps->pos >= ps->len) {
            fail(ps, "unterminated object");
            return false;
        }
        char c = ps->p[ps->pos++];
        if (c == '}') {
            return true;
        }
        if (c != ',') {
            ps->pos--;
            fail(ps, "expected ',' or '}'");
            return false;
        }
    }
}

static bool parse_value(struct parser *ps, tj_value *v, unsigned depth)
{
    if (depth > MAX_DEPTH) {
        fail(ps, "nesting too deep");
        return false;
    }
    skip_ws(ps);
    if (ps->pos >= ps->len) {
        fail(ps, "unexpected end of input");
        return false;
    }
    char c = ps->p[ps->pos];
    switch (c) {
    case '{':
        ps->pos++;
        return parse_object(ps, v, depth);
    case '[':
        ps->pos++;
        return parse_array(ps, v, depth);
    case '"':
        ps->pos++;
        v->kind = TJ_STR;
        return parse_string(ps, &v->str, &v->len);
    default:
        break;
    }
    if (lit(ps, "null")) {
        v->kind = TJ_NULL;
        return true;
    }
    if (lit(ps, "true")) {
        v->kind = TJ_BOOL;
        v->b = true;
        return true;
    }
    if (lit(ps, "false")) {
        v->kind = TJ_BOOL;
        v->b = false;
        return true;
    }
    if (lit(ps, "NaN")) {
        v->kind = TJ_NUM;
        v->numclass = TJ_NAN;
        v->d = NAN;
        return true;
    }
    if (lit(ps, "Infinity")) {
        v->kind = TJ_NUM;
        v->numclass = TJ_POS_INF;
        v->d = INFINITY;
        return true;
    }
    if (lit(ps, "-Infinity")) {
        v->kind = TJ_NUM;
        v->numclass = TJ_NEG_INF;
        v->d = -INFINITY;
        return true;
    }
    if (c == '-' || is_digit(c)) {
        return parse_number(ps, v);
    }
    fail(ps, "unexpected character");
    return false;
}

static void free_children(tj_value *v)
{
    free(v->str);
    for (size_t i = 0; i < v->n; i++) {
        free_children(&v->items[i]);
        if (v->keys != NULL) {
            free(v->keys[i]);
        }
    }
    free(v->items);
    free(v->keys);
}

void tj_free(tj_value *v)
{
    if (v != NULL) {
        free_children(v);
        free(v);
    }
}

tj_value *tj_parse(const char *text, size_t len, char *errbuf, size_t errcap)
{
    struct parser ps = {text, len, 0, errbuf, errcap, false};
    tj_value *v = calloc(1, sizeof *v);
    if (v == NULL) {
        fail(&ps, "out of memory");
        return NULL;
    }
    if (!parse_value(&ps, v, 0)) {
        tj_free(v);
        return NULL;
    }
    skip_ws(&ps);
    if (ps.pos != ps.len) {
        fail(&ps, "trailing data after the value");
        tj_free(v);
        return NULL;
    }
    return v;
}

tj_value *tj_parse_file(const char *path, char *errbuf, size_t errcap)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        if (errbuf != NULL && errcap > 0) {
            snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
        }
        return NULL;
    }
    struct sbuf b = {0};
    char chunk[65536];
    size_t got;
    bool ok = true;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (!sb_put(&b, chunk, got)) {
            ok = false;
            break;
        }
    }
    if (ferror(fp)) {
        ok = false;
    }
    fclose(fp);
    tj_value *v = NULL;
    if (!ok) {
        if (errbuf != NULL && errcap > 0) {
            snprintf(errbuf, errcap, "%s: read failed", path);
        }
    } else {
        v = tj_parse(b.p != NULL ? b.p : "", b.n, errbuf, errcap);
    }
    free(b.p);
    return v;
}

const tj_value *tj_get(const tj_value *v, const char *key)
{
    if (v == NULL || v->kind != TJ_OBJ) {
        return NULL;
    }
    for (size_t i = 0; i < v->n; i++) {
        if (strcmp(v->keys[i], key) == 0) {
            return &v->items[i];
        }
    }
    return NULL;
}

const char *tj_get_str(const tj_value *v, const char *key)
{
    const tj_value *m = tj_get(v, key);
    return m != NULL && m->kind == TJ_STR ? m->str : NULL;
}

bool tj_get_bool(const tj_value *v, const char *key, bool dflt)
{
    const tj_value *m = tj_get(v, key);
    return m != NULL && m->kind == TJ_BOOL ? m->b : dflt;
}

/* ---- rendering ---------------------------------------------------------------------------- */

struct out {
    char *buf;
    size_t cap;
    size_t n; /* bytes written (<= cap - 1) */
    bool cut;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->cap == 0 || o->cut) {
        o->cut = o->cut || n > 0;
        return;
    }
    size_t room = o->cap - 1 - o->n;
    if (n > room) {
        n = room;
        o->cut = true;
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
    o->buf[o->n] = '\0';
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void render_string(struct out *o, const char *s, size_t len)
{
    puts_(o, "\"");
    for (size_t i = 0; i < len && !o->cut; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(o, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            puts_(o, esc);
        } else {
            put(o, (const char *)&s[i], 1);
        }
    }
    puts_(o, "\"");
}

static void render_number(struct out *o, const tj_value *v)
{
    char tmp[64];
    switch (v->numclass) {
    case TJ_NAN:
        puts_(o, "NaN");
        return;
    case TJ_POS_INF:
        puts_(o, "Infinity");
        return;
    case TJ_NEG_INF:
        puts_(o, "-Infinity");
        return;
    case TJ_FINITE:
        break;
    }
    if (v->is_int) {
        snprintf(tmp, sizeof tmp, "%s%llu", v->neg ? "-" : "", (unsigned long long)v->mag);
    } else {
        snprintf(tmp, sizeof tmp, "%.17g", v->d);
    }
    puts_(o, tmp);
}

static void render(struct out *o, const tj_value *v, unsigned depth)
{
    if (o->cut) {
        return;
    }
    if (depth > MAX_DEPTH) {
        puts_(o, "...");
        return;
    }
    switch (v->kind) {
    case TJ_NULL:
        puts_(o, "null");
        break;
    case TJ_BOOL:
        puts_(o, v->b ? "true" : "false");
        break;
    case TJ_NUM:
        render_number(o, v);
        break;
    case TJ_STR:
        render_string(o, v->str, v->len);
        break;
    case TJ_ARR:
        puts_(o, "[");
        for (size_t i = 0; i < v->n && !o->cut; i++) {
            if (i > 0) {
                puts_(o, ",");
            }
            render(o, &v->items[i], depth + 1);
        }
        puts_(o, "]");
        break;
    case TJ_OBJ:
        puts_(o, "{");
        for (size_t i = 0; i < v->n && !o->cut; i++) {
            if (i > 0) {
                puts_(o, ",");
            }
            render_string(o, v->keys[i], strlen(v->keys[i]));
            puts_(o, ":");
            render(o, &v->items[i], depth + 1);
        }
        puts_(o, "}");
        break;
    }
}

char *tj_render(const tj_value *v, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0, false};
    if (cap > 0) {
        buf[0] = '\0';
    }
    render(&o, v, 0);
    if (o.cut && cap >= 4) {
        memcpy(buf + (o.n > cap - 4 ? cap - 4 : o.n), "...", 4);
    }
    return buf;
}

/* ---- comparison --------------------------------------------------------------------------- */

struct cmp {
    unsigned flags;
    char path[1024];
    size_t plen;
    char *diff;
    size_t diffcap;
    const char *base;
};

static const char *kind_name(enum tj_kind k)
{
    switch (k) {
    case TJ_NULL: return "null";
    case TJ_BOOL: return "bool";
    case TJ_NUM: return "number";
    case TJ_STR: return "string";
    case TJ_ARR: return "array";
    case TJ_OBJ: return "object";
    }
    return "?";
}

static bool report(struct cmp *c, const tj_value *want, const tj_value *got, const char *note)
{
    if (c->diff != NULL && c->diffcap > 0) {
        char w[160];
        char g[160];
        if (want != NULL) {
            tj_render(want, w, sizeof w);
        } else {
            snprintf(w, sizeof w, "(absent)");
        }
        if (got != NULL) {
            tj_render(got, g, sizeof g);
        } else {
            snprintf(g, sizeof g, "(absent)");
        }
        snprintf(c->diff, c->diffcap, "%s%s: %swant %s, got %s", c->base,
                 c->plen > 0 ? c->path : "", note, w, g);
    }
    return false;
}

static size_t path_push(struct cmp *c, const char *seg)
{
    size_t old = c->plen;
    int k = snprintf(c->path + c->plen, sizeof c->path - c->plen, "/%s", seg);
    if (k > 0) {
        c->plen += (size_t)k;
        if (c->plen >= sizeof c->path) {
            c->plen = sizeof c->path - 1;
        }
    }
    return old;
}

static void path_pop(struct cmp *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

static enum tj_numclass nan_string_class(const tj_value *v, bool *is)
{
    *is = true;
    if (v->len == 3 && strcmp(v->str, "NaN") == 0) {
        return TJ_NAN;
    }
    if (v->len == 8 && strcmp(v->str, "Infinity") == 0) {
        return TJ_POS_INF;
    }
    if (v->len == 9 && strcmp(v->str, "-Infinity") == 0) {
        return TJ_NEG_INF;
    }
    *is = false;
    return TJ_FINITE;
}

static bool num_equal(const tj_value *a, const tj_value *b)
{
    if (a->numclass != TJ_FINITE || b->numclass != TJ_FINITE) {
        return a->numclass == b->numclass;
    }
    if (a->is_int && b->is_int) {
        return a->neg == b->neg && a->mag == b->mag;
    }
    return a->d == b->d;
}

static bool cmp_value(struct cmp *c, const tj_value *want, const tj_value *got, unsigned depth)
{
    if (depth > MAX_DEPTH) {
        return report(c, want, got, "too deep: ");
    }
    if (want->kind != got->kind) {
        if ((c->flags & TJ_CMP_NAN_STRINGS) != 0) {
            const tj_value *s = want->kind == TJ_STR ? want : got->kind == TJ_STR ? got : NULL;
            const tj_value *n = want->kind == TJ_NUM ? want : got->kind == TJ_NUM ? got : NULL;
            if (s != NULL && n != NULL) {
                bool is;
                enum tj_numclass cl = nan_string_class(s, &is);
                if (is && cl == n->numclass) {
                    return true;
                }
            }
        }
        char note[64];
        snprintf(note, sizeof note, "%s vs %s: ", kind_name(want->kind), kind_name(got->kind));
        return report(c, want, got, note);
    }
    switch (want->kind) {
    case TJ_NULL:
        return true;
    case TJ_BOOL:
        return want->b == got->b ? true : report(c, want, got, "");
    case TJ_NUM:
        return num_equal(want, got) ? true : report(c, want, got, "");
    case TJ_STR:
        if (want->len == got->len && memcmp(want->str, got->str, want->len) == 0) {
            return true;
        }
        return report(c, want, got, "");
    case TJ_ARR:
        if (want->n != got->n) {
            char note[96];
            snprintf(note, sizeof note, "length %zu vs %zu: ", want->n, got->n);
            /* Still point at the first differing element when there is one. */
            size_t m = want->n < got->n ? want->n : got->n;
            for (size_t i = 0; i < m; i++) {
                char seg[32];
                snprintf(seg, sizeof seg, "%zu", i);
                size_t old = path_push(c, seg);
                bool eq = cmp_value(c, &want->items[i], &got->items[i], depth + 1);
                path_pop(c, old);
                if (!eq) {
                    return false;
                }
            }
            return report(c, want, got, note);
        }
        for (size_t i = 0; i < want->n; i++) {
            char seg[32];
            snprintf(seg, sizeof seg, "%zu", i);
            size_t old = path_push(c, seg);
            bool eq = cmp_value(c, &want->items[i], &got->items[i], depth + 1);
            path_pop(c, old);
            if (!eq) {
                return false;
            }
        }
        return true;
    case TJ_OBJ:
        for (size_t i = 0; i < want->n; i++) {
            const tj_value *g = tj_get(got, want->keys[i]);
            size_t old = path_push(c, want->keys[i]);
            bool eq = g != NULL ? cmp_value(c, &want->items[i], g, depth + 1)
                                : report(c, &want->items[i], NULL, "missing key: ");
            path_pop(c, old);
            if (!eq) {
                return false;
            }
        }
        for (size_t i = 0; i < got->n; i++) {
            if (tj_get(want, got->keys[i]) == NULL) {
                size_t old = path_push(c, got->keys[i]);
                report(c, NULL, &got->items[i], "unexpected key: ");
                path_pop(c, old);
                return false;
            }
        }
        /* Duplicate keys on one side only would pass the two loops above. */
        if (want->n != got->n) {
            return report(c, want, got, "member count differs: ");
        }
        return true;
    }
    return report(c, want, got, "");
}

bool tj_equal(const tj_value *want, const tj_value *got, unsigned flags, const char *base,
              char *diff, size_t diffcap)
{
    struct cmp c;
    memset(&c, 0, sizeof c);
    c.flags = flags;
    c.diff = diff;
    c.diffcap = diffcap;
    c.base = base != NULL ? base : "";
    if (diff != NULL && diffcap > 0) {
        diff[0] = '\0';
    }
    if (want == NULL || got == NULL) {
        if (want == got) {
            return true;
        }
        return report(&c, want, got, "");
    }
    return cmp_value(&c, want, got, 0);
}
