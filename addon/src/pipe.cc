// A real pipe for a service's stdout or stderr. libuv's 'pipe' stdio is a socketpair, on
// which open("/dev/stdout") fails with ENXIO; services such as nginx log to /dev/stdout.
// Both ends are close-on-exec: the write end reaches the service only through dup2 onto
// fd 1 or 2, which clears the flag, so no other child inherits it and EOF arrives.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "exports.h"

namespace corral {

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) == -1) {
    ThrowErrno(env, "pipe2", errno);
    return env.Undefined();
  }
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(uint32_t{0}, Napi::Number::New(env, fds[0]));
  result.Set(uint32_t{1}, Napi::Number::New(env, fds[1]));
  return result;
}

}  // namespace corral
