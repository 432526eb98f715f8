// Gives the C library's free memory back to the kernel. A worker thread gets a malloc
// arena of its own, and when the thread ends the arena's freed pages stay resident: after
// the thread that reads the services directory (src/config/load-in-worker.ts), about
// 2-3 MiB that corral as PID 1 would hold for the life of the container (issue 20).
// glibc has malloc_trim; elsewhere (musl) there is nothing to trim this way.
// Any C library header defines __GLIBC__ when the library is glibc.
#include <cstdlib>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "exports.h"

namespace corral {

Napi::Value TrimMemory(const Napi::CallbackInfo& info) {
#ifdef __GLIBC__
  // 0: keep no padding at the top of the heap. Returns 1 when memory was given back.
  return Napi::Boolean::New(info.Env(), malloc_trim(0) == 1);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace corral
