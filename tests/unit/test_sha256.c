/*
 * test_sha256.c - the tests' SHA-256 (tests/support/sha256.c) against the FIPS 180-4 /
 * NIST example vectors, plus incremental updates split at every awkward boundary (the
 * padding cases around 55, 56 and 64 bytes).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void expect_hex(const void *data, size_t n, const char *want)
{
    char hex[65];
    sha256_hex(data, n, hex);
    cr_expect_str_eq(hex, want, "sha256 of %zu bytes", n);
}

Test(sha256, nist_vectors)
{
    expect_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    expect_hex(m448, strlen(m448),
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect_hex(m896, strlen(m896),
               "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, one_million_a_incremental)
{
    struct sha256_ctx c;
    sha256_init(&c);
    char a[1000];
    memset(a, 'a', sizeof a);
    for (int i = 0; i < 1000; i++) {
        sha256_update(&c, a, sizeof a);
    }
    unsigned char d[32];
    char hex[65];
    sha256_final(&c, d);
    sha256_to_hex(d, hex);
    cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, split_updates_match_one_shot)
{
    unsigned char msg[768];
    for (size_t i = 0; i < sizeof msg; i++) {
        msg[i] = (unsigned char)i;
    }
    expect_hex(msg, sizeof msg,
               "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363");
    /* Every message length around the padding boundaries, hashed in uneven pieces. */
    for (size_t len = 0; len <= 200; len++) {
        char want[65], got[65];
        sha256_hex(msg, len, want);
        for (size_t piece = 1; piece <= 70; piece += 3) {
            struct sha256_ctx c;
            sha256_init(&c);
            for (size_t off = 0; off < len; off += piece) {
                sha256_update(&c, msg + off, len - off < piece ? len - off : piece);
            }
            unsigned char d[32];
            sha256_final(&c, d);
            sha256_to_hex(d, got);
            cr_assert_str_eq(got, want, "len %zu piece %zu", len, piece);
        }
    }
}
