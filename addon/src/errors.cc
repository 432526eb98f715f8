#include "errors.h"

#include <uv.h>

#include <cstring>
#include <string>

namespace corral {
namespace {

// libuv's words for errors it knows ("too many open files", as in Node's messages);
// false for the others (ECHILD, for one), whose name and words come from the C library.
bool UvDescribes(int err, std::string& name, std::string& words) {
  char buffer[128];
  uv_err_name_r(-err, buffer, sizeof buffer);
  // For an errno it has no UV_ code for, libuv writes "Unknown system error <n>".
  if (std::strncmp(buffer, "Unknown system error", 20) == 0) return false;
  name = buffer;
  uv_strerror_r(-err, buffer, sizeof buffer);
  words = buffer;
  return true;
}

std::string CName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* name = strerrorname_np(err)) return name;
#endif
  (void)err;
  return "UNKNOWN";  // what Node says for an errno libuv does not know
}

}  // namespace

Napi::Error ErrnoError(Napi::Env env, const char* syscall, int err, const char* detail) {
  std::string name;
  std::string words;
  if (!UvDescribes(err, name, words)) {
    name = CName(err);
    words = std::strerror(err);
  }
  std::string call = syscall;
  if (detail != nullptr) call += std::string("(") + detail + ")";
  Napi::Error error = Napi::Error::New(env, name + ": " + words + ", " + call);
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("code", Napi::String::New(env, name));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

void ThrowErrno(Napi::Env env, const char* syscall, int err, const char* detail) {
  ErrnoError(env, syscall, err, detail).ThrowAsJavaScriptException();
}

}  // namespace corral
