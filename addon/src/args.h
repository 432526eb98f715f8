// Argument checks for the exported functions, throwing what Node's own validators
// (validateInt32, validateString, validateFunction) throw: a TypeError with code
// ERR_INVALID_ARG_TYPE for a value of the wrong type, ERR_INVALID_ARG_VALUE for an empty
// string, and a RangeError with code ERR_OUT_OF_RANGE for a number the call cannot take.
// Each returns false once it has thrown; the caller then returns at once.
#pragma once
#include <napi.h>

#include <cstdint>
#include <limits>
#include <string>

namespace corral {

// Throws ERR_INVALID_ARG_TYPE: `The "<name>" argument must be <expected>. Received ...`.
void ThrowInvalidArgType(Napi::Env env, const char* name, const char* expected, const Napi::Value& actual);

// info[index] as an integer within [min, max].
bool Int32Arg(const Napi::CallbackInfo& info, size_t index, const char* name, int32_t& out,
              int32_t min = std::numeric_limits<int32_t>::min(), int32_t max = std::numeric_limits<int32_t>::max());

// info[index] as a non-empty string.
bool StringArg(const Napi::CallbackInfo& info, size_t index, const char* name, std::string& out);

// info[index] as a function.
bool FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Function& out);

// info[index] as the data of an External made by this addon; `expected` says which.
template <typename T>
bool ExternalArg(const Napi::CallbackInfo& info, size_t index, const char* name, const char* expected, T*& out) {
  if (!info[index].IsExternal()) {
    ThrowInvalidArgType(info.Env(), name, expected, info[index]);
    return false;
  }
  out = info[index].As<Napi::External<T>>().Data();
  return true;
}

}  // namespace corral
