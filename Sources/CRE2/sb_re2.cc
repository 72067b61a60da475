// A C surface over RE2 for Swift: compile with a memory budget, search, free.
#include "sb_re2.h"

#include <re2/re2.h>

#include <cstring>
#include <string>

struct sb_re2 {
    re2::RE2 *re;
};

extern "C" sb_re2 *sb_re2_compile(const char *pattern, size_t length, long long max_memory, char *error, size_t error_size) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(max_memory);
    auto *re = new re2::RE2(re2::StringPiece(pattern, length), options);
    if (!re->ok()) {
        if (error_size > 0) {
            std::strncpy(error, re->error().c_str(), error_size - 1);
            error[error_size - 1] = '\0';
        }
        delete re;
        return nullptr;
    }
    return new sb_re2{re};
}

extern "C" int sb_re2_program_size(const sb_re2 *re) { return re->re->ProgramSize(); }

extern "C" int sb_re2_search(const sb_re2 *re, const char *text, size_t length) {
    return re2::RE2::PartialMatch(re2::StringPiece(text, length), *re->re) ? 1 : 0;
}

extern "C" void sb_re2_free(sb_re2 *re) {
    delete re->re;
    delete re;
}
