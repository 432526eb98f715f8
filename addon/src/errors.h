// Errors thrown to JS have the shape of Node's own system errors (fs, net), so code that
// handles one handles the other: `code` is the errno's name ('EMFILE'), `errno` its
// negated number (-24, as libuv and Node report it) and `syscall` the call that failed;
// the message reads "EMFILE: too many open files, pipe2".
#pragma once
#include <napi.h>

namespace corral {

// The error for `syscall` failing with errno `err` (positive, as errno holds it).
// `detail`, when given, is added to the message in parentheses after the call, e.g.
// "fcntl(F_SETPIPE_SZ)"; `syscall` stays the bare name ("fcntl").
Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err, const char* detail = nullptr);

// Throws ErrnoError(env, syscall, err, detail).
void ThrowErrno(Napi::Env env, const char* syscall, int err, const char* detail = nullptr);

}  // namespace corral
