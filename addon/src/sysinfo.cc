// The kernel's units for /proc: /proc/PID/stat counts CPU time in clock ticks and resident
// memory in pages. Node exposes neither sysconf value, and guessing (100 Hz, 4 KiB) is wrong
// on arm64 kernels with 16 or 64 KiB pages, so `corral status` asks the C library.
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "exports.h"

namespace corral {

Napi::Value SystemConstants(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // sysconf returns -1 without touching errno for a limit it does not know.
  errno = 0;
  long page_size = sysconf(_SC_PAGESIZE);
  if (page_size <= 0) {
    ThrowErrno(env, "sysconf", errno != 0 ? errno : EINVAL, "_SC_PAGESIZE");
    return env.Undefined();
  }
  errno = 0;
  long clock_ticks = sysconf(_SC_CLK_TCK);
  if (clock_ticks <= 0) {
    ThrowErrno(env, "sysconf", errno != 0 ? errno : EINVAL, "_SC_CLK_TCK");
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("pageSize", Napi::Number::New(env, static_cast<double>(page_size)));
  result.Set("clockTicks", Napi::Number::New(env, static_cast<double>(clock_ticks)));
  return result;
}

}  // namespace corral
