// Tells JS when a file descriptor becomes readable, through a libuv poll handle on Node's
// own loop: the unix datagram sockets (sd_notify, syslog) are then read as soon as a
// datagram arrives, as a daemon blocked in recv() would be, instead of on a timer. The
// kernel queues only a few datagrams per socket (net.unix.max_dgram_qlen) and blocks
// their senders, so a timer would hold a busy sender to a few hundred messages a second.
// No thread: libuv calls back on the loop thread, and the callback reads in bounded
// batches; the poll is level-triggered, so what is left wakes it again next turn.
#include <uv.h>

#include "args.h"
#include "errors.h"
#include "exports.h"

namespace corral {
namespace {

struct Watch {
  uv_poll_t poll;
  napi_env env;
  Napi::FunctionReference callback;
  Napi::AsyncContext* context;
  bool closed;
};

void OnClosed(uv_handle_t* handle) {
  Watch* watch = static_cast<Watch*>(handle->data);
  delete watch->context;
  delete watch;
}

void OnReadable(uv_poll_t* handle, int status, int /*events*/) {
  Watch* watch = static_cast<Watch*>(handle->data);
  if (watch->closed) return;
  Napi::Env env(watch->env);
  Napi::HandleScope scope(env);
  watch->callback.MakeCallback(env.Global(), {Napi::Number::New(env, status)}, *watch->context);
  // Out of a libuv callback there is no caller to throw to: the process is told, as for
  // any uncaught exception (corral's callback catches everything itself).
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

}  // namespace

Napi::Value WatchReadable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  Napi::Function on_readable;
  if (!Int32Arg(info, 0, "fd", fd) || !FunctionArg(info, 1, "onReadable", on_readable)) return env.Undefined();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Napi::Error::New(env, "watchReadable: no event loop").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Watch* watch = new Watch{};
  watch->env = env;
  watch->callback = Napi::Persistent(on_readable);
  watch->context = new Napi::AsyncContext(env, "corral:readable");
  watch->poll.data = watch;
  const char* failed = "uv_poll_init";
  int err = uv_poll_init(loop, &watch->poll, fd);
  if (err == 0) {
    failed = "uv_poll_start";
    err = uv_poll_start(&watch->poll, UV_READABLE, OnReadable);
  }
  if (err != 0) {
    // uv_poll_init fails before it makes the handle (its type stays 0): then it is freed
    // here; a handle that exists is closed, and freed once libuv is done with it.
    if (watch->poll.type == UV_POLL) {
      watch->closed = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), OnClosed);
    } else {
      delete watch->context;
      delete watch;
    }
    // libuv returns the negated errno.
    ThrowErrno(env, failed, -err);
    return env.Undefined();
  }
  // Not a reason to keep corral running: the poll is for as long as something else is.
  uv_unref(reinterpret_cast<uv_handle_t*>(&watch->poll));
  return Napi::External<Watch>::New(env, watch);
}

Napi::Value UnwatchReadable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Watch* watch = nullptr;
  if (!ExternalArg(info, 0, "watch", "the value watchReadable returned", watch)) return env.Undefined();
  if (watch == nullptr || watch->closed) return env.Undefined();
  watch->closed = true;
  uv_poll_stop(&watch->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), OnClosed);
  return env.Undefined();
}

}  // namespace corral
