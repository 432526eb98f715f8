// Errors thrown to JS carry the failing syscall and its errno, so the TypeScript side can
// branch on them and print them in words.
#pragma once
#include <napi.h>

namespace corral {

// Throws `Error("<syscall> failed: <strerror>")` with `.syscall` and `.errno` set.
void ThrowErrno(Napi::Env env, const char* syscall, int err);

// Throws a TypeError with the call's usage line.
void ThrowUsage(Napi::Env env, const char* usage);

}  // namespace corral
