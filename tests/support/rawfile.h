/*
 * rawfile.h - opening an HDF5 file for unit tests without the public API:
 * a hand-initialised struct h5rd_file (malloc hooks, default limits), the
 * source and the superblock. Also a memory-image variant whose superblock
 * fields the test fills in itself, for hand-built structures.
 */
#ifndef H5RD_TEST_RAWFILE_H
#define H5RD_TEST_RAWFILE_H

#include "internal.h"

#include <stdbool.h>

/* Path of a fixture under H5RD_SOURCE_DIR "/fixtures/h5/" or of a corpus file under
 * H5RD_SOURCE_DIR "/../shared/corpus/"; these return false when the file is absent. */
bool rawfile_fixture_path(const char *name, char *buf, size_t buflen);
bool rawfile_corpus_path(const char *rel, char *buf, size_t buflen);

/* Initialises *f without a source: malloc/realloc/free hooks, default limits, 'flags', no
 * descriptor, one reference. Unit tests that attach a source themselves start here. */
void rawfile_init(struct h5rd_file *f, uint32_t flags);

/* Initialises *f (malloc/realloc/free hooks, default limits, 'flags'), opens 'path' and reads
 * its superblock. On failure *f is closed again and the error returned. */
h5rd_err rawfile_open(struct h5rd_file *f, const char *path, uint32_t flags,
                      struct h5rd_error *ec);

/* Initialises *f over a memory image with the given sizes of offsets/lengths and group K
 * values, base address 0, root address 'root_addr'; no superblock is parsed. */
h5rd_err rawfile_open_memory(struct h5rd_file *f, const void *buf, size_t nbytes, uint8_t so,
                             uint8_t sl, uint32_t sym_leaf_k, uint32_t btree_internal_k,
                             struct h5rd_error *ec);

/* Releases what rawfile_open / rawfile_open_memory set up. */
void rawfile_close(struct h5rd_file *f);

#endif
