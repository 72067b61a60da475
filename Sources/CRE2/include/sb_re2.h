#ifndef SWITCHBOARD_RE2_H
#define SWITCHBOARD_RE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 pattern (opaque).
typedef struct sb_re2 sb_re2;

/// Compiles `pattern` with RE2's defaults and a memory budget. Returns NULL on failure and writes a
/// NUL-terminated reason into `error` (at most `error_size` bytes).
sb_re2 *sb_re2_compile(const char *pattern, size_t length, long long max_memory, char *error, size_t error_size);

/// The size of the compiled program, RE2's measure of its cost.
int sb_re2_program_size(const sb_re2 *re);

/// Whether the pattern matches anywhere in `text` (an unanchored search, like JavaScript's RegExp.test).
int sb_re2_search(const sb_re2 *re, const char *text, size_t length);

void sb_re2_free(sb_re2 *re);

#ifdef __cplusplus
}
#endif

#endif
