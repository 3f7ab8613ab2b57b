/*
 * ohdr.h - object headers (Spec v3.0 IV.A.1 "Object Header", versions 1 and 2):
 * prefix, chunks, continuation chains (bounded, visited set), gaps, v2
 * checksums (verified before parsing), and the message iterator. Also the
 * resolution of shared messages (IV.A.2 "Shared Message", versions 1-3) to the
 * real message body, through committed objects or the file's shared object
 * header message (SOHM) table.
 */
#ifndef H5RD_OBJECT_OHDR_H
#define H5RD_OBJECT_OHDR_H

#include "internal.h"
#include "io/source.h"

/* Header message types (Spec v3.0 IV.A.2). */
enum {
    H5RD__MSG_NIL = 0x0000,
    H5RD__MSG_DATASPACE = 0x0001,
    H5RD__MSG_LINK_INFO = 0x0002,
    H5RD__MSG_DATATYPE = 0x0003,
    H5RD__MSG_FILL_OLD = 0x0004,
    H5RD__MSG_FILL = 0x0005,
    H5RD__MSG_LINK = 0x0006,
    H5RD__MSG_EXTERNAL_FILES = 0x0007,
    H5RD__MSG_LAYOUT = 0x0008,
    H5RD__MSG_BOGUS = 0x0009,
    H5RD__MSG_GROUP_INFO = 0x000A,
    H5RD__MSG_FILTER_PIPELINE = 0x000B,
    H5RD__MSG_ATTRIBUTE = 0x000C,
    H5RD__MSG_COMMENT = 0x000D,
    H5RD__MSG_MTIME_OLD = 0x000E,
    H5RD__MSG_SHARED_TABLE = 0x000F,
    H5RD__MSG_CONTINUATION = 0x0010,
    H5RD__MSG_SYMBOL_TABLE = 0x0011,
    H5RD__MSG_MTIME = 0x0012,
    H5RD__MSG_BTREE_K = 0x0013,
    H5RD__MSG_DRIVER_INFO = 0x0014,
    H5RD__MSG_ATTRIBUTE_INFO = 0x0015,
    H5RD__MSG_REFCOUNT = 0x0016,
    H5RD__MSG_FSINFO = 0x0017
};

/* Header message flags (Spec v3.0 IV.A.1). */
#define H5RD__MSGFLAG_CONSTANT 0x01
#define H5RD__MSGFLAG_SHARED 0x02
#define H5RD__MSGFLAG_DONT_SHARE 0x04
#define H5RD__MSGFLAG_FAIL_IF_UNKNOWN_W 0x08
#define H5RD__MSGFLAG_MARK_IF_UNKNOWN 0x10
#define H5RD__MSGFLAG_WAS_UNKNOWN 0x20
#define H5RD__MSGFLAG_SHAREABLE 0x40
#define H5RD__MSGFLAG_FAIL_IF_UNKNOWN 0x80

struct h5rd__msg {
    uint16_t type;
    uint8_t flags;
    uint32_t nbytes;       /* size of the message body */
    uint64_t addr;         /* relative address of the body (for error reports) */
    const uint8_t *data;   /* the body, inside one of the header's chunk views */
    int64_t corder;        /* v2 headers that track creation order, else -1 */
};

/* Messages and chunks a header holds without an allocation, and the message types (all those
 * the spec defines) whose first message is indexed. */
#define H5RD__OHDR_INLINE_MSGS 12
#define H5RD__OHDR_INLINE_CHUNKS 2
#define H5RD__OHDR_INDEXED_TYPES 32

/* A loaded header. Not to be copied: 'msgs' and 'chunks' may point into it. */
struct h5rd__ohdr {
    uint64_t addr;         /* relative address of the header */
    uint8_t version;       /* 1 or 2 */
    uint8_t flags;         /* v2 header flags */
    uint32_t refcount;     /* v1 field or Reference Count message; 1 when absent */
    int64_t mtime;         /* v2 times / Modification Time message; -1 when absent */
    uint16_t max_compact, min_dense;  /* v2 attribute phase change values (0 when absent) */
    uint32_t n_msgs;
    struct h5rd__msg *msgs;
    uint32_t n_chunks;
    struct h5rd_view *chunks;  /* kept alive so msgs[].data stay valid */
    /* 1 + the index of the first message of each type below H5RD__OHDR_INDEXED_TYPES, 0 when
     * there is none; used by h5rd__ohdr_find while n_msgs < 255 (an object is classified and
     * decoded with a dozen lookups: a scan each was 3% of a W5 `ls -r`, issue 13). */
    uint8_t first[H5RD__OHDR_INDEXED_TYPES];
    bool indexed;          /* 'first' is kept (set by h5rd__ohdr_load; a header built by hand
                              without it is scanned) */
    struct h5rd__msg msg_inline[H5RD__OHDR_INLINE_MSGS];
    struct h5rd_view chunk_inline[H5RD__OHDR_INLINE_CHUNKS];
};

/* Loads the object header at 'addr'. Messages of every chunk are gathered in file order;
 * NIL and continuation messages are consumed (not listed). An unknown message type with the
 * "fail if unknown" flag (0x80) is H5RD_E_UNSUPPORTED. Limits: max_ohdr_chunks, max_messages.
 * Free with h5rd__ohdr_free. */
h5rd_err h5rd__ohdr_load(const struct h5rd_file *f, uint64_t addr, struct h5rd__ohdr *oh,
                         struct h5rd_error *ec);
void h5rd__ohdr_free(const struct h5rd_file *f, struct h5rd__ohdr *oh);

/* The nth (0-based) message of 'type', or NULL. Inline for the common lookup (the first
 * message of a type, from the index): a dozen a dataset open. */
const struct h5rd__msg *h5rd__ohdr_find_scan(const struct h5rd__ohdr *oh, uint16_t type,
                                             uint32_t nth);
static inline const struct h5rd__msg *h5rd__ohdr_find(const struct h5rd__ohdr *oh, uint16_t type,
                                                      uint32_t nth)
{
    /* The type index is exact for headers of fewer than 255 messages. */
    if (nth == 0 && oh->indexed && type < H5RD__OHDR_INDEXED_TYPES && oh->n_msgs < 255) {
        return oh->first[type] == 0 ? NULL : &oh->msgs[oh->first[type] - 1u];
    }
    return h5rd__ohdr_find_scan(oh, type, nth);
}

/* Resolves the shared-message encoding in 'p'/'nbytes' (a message of 'type' whose "shared"
 * flag is set, or the shared datatype inside an attribute message) to the real body. */
h5rd_err h5rd__shared_resolve(const struct h5rd_file *f, uint16_t type, const uint8_t *p,
                              size_t nbytes, uint64_t addr, struct h5rd_view *body_ret,
                              struct h5rd_error *ec);

/* A view of the real body of message 'm': m's own bytes when it is not shared, otherwise the
 * shared message resolved (committed datatype's header, or the SOHM fractal heap). Release
 * with h5rd__io_release. Inline: an open decodes five or six messages this way (issue 13). */
static inline h5rd_err h5rd__msg_body(const struct h5rd_file *f, const struct h5rd__msg *m,
                                      struct h5rd_view *body_ret, struct h5rd_error *ec)
{
    if ((m->flags & H5RD__MSGFLAG_SHARED) == 0) {
        struct h5rd_view v = {m->data, m->nbytes, m->addr, NULL};
        *body_ret = v;
        return H5RD_OK;
    }
    return h5rd__shared_resolve(f, m->type, m->data, m->nbytes, m->addr, body_ret, ec);
}

/* Shared object header message table (Spec v3.0 III.H? "Shared Object Header Message Table"),
 * loaded by the superblock code from the extension's Shared Message Table message. */
struct h5rd__sohm_index {
    uint8_t type;              /* 0 list, 1 v2 B-tree */
    uint16_t msg_type_flags;   /* which message types it holds */
    uint32_t min_msg_nbytes;
    uint16_t list_max, btree_min;
    uint32_t n_messages;
    uint64_t index_addr;       /* list ("SMLI") or v2 B-tree header */
    uint64_t heap_addr;        /* fractal heap holding the messages */
};
struct h5rd__sohm_table {
    uint32_t n_indexes;
    struct h5rd__sohm_index *idx;
};
h5rd_err h5rd__sohm_load(struct h5rd_file *f, uint64_t table_addr, uint32_t n_indexes,
                         struct h5rd_error *ec);
void h5rd__sohm_free(const struct h5rd_file *f, struct h5rd__sohm_table *t);

#endif
