#include "errors.h"

#include <cstring>
#include <string>

namespace corral {

void ThrowErrno(Napi::Env env, const char* syscall, int err) {
  Napi::Error error = Napi::Error::New(env, std::string(syscall) + " failed: " + std::strerror(err));
  error.Set("syscall", Napi::String::New(env, syscall));
  error.Set("errno", Napi::Number::New(env, err));
  error.ThrowAsJavaScriptException();
}

void ThrowUsage(Napi::Env env, const char* usage) {
  Napi::TypeError::New(env, std::string("Usage: ") + usage).ThrowAsJavaScriptException();
}

}  // namespace corral
