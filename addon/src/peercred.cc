// SO_PEERCRED: who is at the other end of a connected unix stream socket, as the kernel
// recorded it at connect(). The control socket refuses any uid other than corral's own.
// Its file mode alone cannot enforce that, because root bypasses file modes, so the
// kernel-reported peer uid is checked too. Node's net.Socket does not expose it.
#include <sys/socket.h>

#include <cerrno>

#include "args.h"
#include "errors.h"
#include "exports.h"

namespace corral {

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  if (!Int32Arg(info, 0, "fd", fd)) return env.Undefined();
  ucred credentials{};
  socklen_t length = sizeof(credentials);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == -1) {
    ThrowErrno(env, "getsockopt", errno, "SO_PEERCRED");
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, credentials.pid));
  result.Set("uid", Napi::Number::New(env, credentials.uid));
  result.Set("gid", Napi::Number::New(env, credentials.gid));
  return result;
}

}  // namespace corral
