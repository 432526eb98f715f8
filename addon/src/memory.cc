// corral's own memory, given back when it no longer needs it (issue 20).
//
// TrimMemory(collect): first, if `collect`, a full V8 collection (LowMemoryNotification),
// which frees what start-up, a reload or a burst of restarts left as garbage and shrinks
// the young generation and V8's pooled pages back, in tens of ms with hundreds of
// services; then malloc_trim(0), well under a millisecond, which gives the C library's
// free pages back to the kernel. A worker thread gets a malloc arena of its own, and when
// the thread ends the arena's freed pages stay resident: after the thread that reads the
// services directory (src/config/load-in-worker.ts), about 2-3 MiB that corral as PID 1
// would hold for the life of the container.
//
// LimitArenas: mallopt(M_ARENA_MAX, n). glibc gives each thread that allocates while
// another holds the lock an arena of its own, up to 8 per core, and a free chunk in one
// arena serves no other. corral's JavaScript runs on one thread; V8's helper threads and
// the load worker allocate now and then, and with 500 services their arenas held some
// 10 MiB, resident. Only threads that have no arena yet are affected, so corral calls it
// first thing (src/cli/early-load.ts).
//
// glibc has both; elsewhere (musl) there is no arena and nothing to trim this way. Any C
// library header defines __GLIBC__ when the library is glibc.
#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <v8.h>

#include "exports.h"

namespace corral {

Napi::Value TrimMemory(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsBoolean()) {
    Napi::TypeError::New(info.Env(), "trimMemory(collect): collect must be a boolean").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  // N-API has no call for this; the addon is built against this node's own headers.
  if (info[0].As<Napi::Boolean>().Value()) v8::Isolate::GetCurrent()->LowMemoryNotification();
#ifdef __GLIBC__
  // 0: keep no padding at the top of the heap. Returns 1 when memory was given back.
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Value LimitArenas(const Napi::CallbackInfo& info) {
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(info.Env(), "limitArenas(count): count must be a number").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  int count = info[0].As<Napi::Number>().Int32Value();
  if (count < 1) {
    Napi::RangeError::New(info.Env(), "limitArenas(count): count must be at least 1").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
#ifdef __GLIBC__
  return Napi::Boolean::New(info.Env(), mallopt(M_ARENA_MAX, count) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace corral
