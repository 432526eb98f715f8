// A real pipe for a service's stdout or stderr. libuv's 'pipe' stdio is a socketpair, on
// which open("/dev/stdout") fails with ENXIO; services such as nginx log to /dev/stdout.
// Both ends are close-on-exec: the write end reaches the service only through dup2 onto
// fd 1 or 2, which clears the flag, so no other child inherits it and EOF arrives.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "args.h"
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

// growPipe(fd, bytes): F_SETPIPE_SZ on a pipe corral writes to (its own stdout or
// stderr, when the runtime gave it a pipe). The default 64 KiB makes corral stop reading
// its services every time the log reader falls one read behind; a larger pipe lets the
// two run side by side. Returns the size the kernel set.
Napi::Value GrowPipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  int32_t bytes;
  if (!Int32Arg(info, 0, "fd", fd) || !Int32Arg(info, 1, "bytes", bytes)) return env.Undefined();
  int size = fcntl(fd, F_SETPIPE_SZ, bytes);
  if (size == -1) {
    ThrowErrno(env, "fcntl", errno, "F_SETPIPE_SZ");
    return env.Undefined();
  }
  return Napi::Number::New(env, size);
}

}  // namespace corral
