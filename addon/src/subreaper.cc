// PR_SET_CHILD_SUBREAPER: when corral is not PID 1 (docker run --init, Kubernetes
// shareProcessNamespace), orphans of its services are re-parented to corral instead of
// to the real PID 1, so corral can reap them and kill them at shutdown.
#include <sys/prctl.h>

#include <cerrno>

#include "errors.h"
#include "exports.h"

namespace corral {

Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1) ThrowErrno(env, "prctl", errno, "PR_SET_CHILD_SUBREAPER");
  return env.Undefined();
}

Napi::Value IsChildSubreaper(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int on = 0;
  if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) == -1) {
    ThrowErrno(env, "prctl", errno, "PR_GET_CHILD_SUBREAPER");
    return env.Undefined();
  }
  return Napi::Boolean::New(env, on != 0);
}

}  // namespace corral
