/*
 * superblock.h - Spec v3.0 II.A "Format Signature and Superblock" (versions 0-3),
 * the superblock extension (II.B? "Superblock Extension" object header), and the
 * driver information block (skipped: only its presence is noted).
 */
#ifndef H5RD_FORMAT_SUPERBLOCK_H
#define H5RD_FORMAT_SUPERBLOCK_H

#include "internal.h"

/* Finds the signature at 0, 512, 1024, 2048, ... (H5RD_E_NOT_HDF5 when none), decodes the
 * superblock into f->sb (verifying the v2/v3 checksum unless H5RD_OPEN_SKIP_CHECKSUMS), and,
 * when a superblock extension exists, loads from it the shared message table (f->sohm) and
 * the B-tree 'K' values. The effective base address is the signature's offset when the stored
 * base address differs from it (libhdf5's rule for files with a user block). */
h5rd_err h5rd__sb_read(struct h5rd_file *f, struct h5rd_error *ec);

#endif
