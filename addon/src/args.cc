#include "args.h"

#include <cmath>
#include <string>

namespace corral {
namespace {

std::string NameOf(const Napi::Object& function) {
  Napi::Value name = function.Get("name");
  return name.IsString() ? name.As<Napi::String>().Utf8Value() : "";
}

// Node's words for the value received (lib/internal/errors.js, determineSpecificType):
// "undefined", "function f", "an instance of Array", "type string ('abc')". Strings are
// quoted, but not escaped as Node's inspect escapes them.
std::string Received(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined:
      return "undefined";
    case napi_null:
      return "null";
    case napi_function: {
      std::string name = NameOf(value.As<Napi::Object>());
      return name.empty() ? "function" : "function " + name;
    }
    case napi_object: {
      Napi::Value constructor = value.As<Napi::Object>().Get("constructor");
      std::string name = constructor.IsFunction() ? NameOf(constructor.As<Napi::Object>()) : "";
      return name.empty() ? "an object" : "an instance of " + name;
    }
    case napi_external:
      return "type external";
    case napi_symbol:
      return "type symbol";
    case napi_number:
    case napi_boolean:
    case napi_string:
    case napi_bigint: {
      std::string shown = value.ToString().Utf8Value();
      if (shown.size() > 28) shown = shown.substr(0, 25) + "...";
      if (value.IsString()) shown = "'" + shown + "'";
      const char* type = value.IsNumber() ? "number" : value.IsBoolean() ? "boolean" : value.IsString() ? "string" : "bigint";
      return std::string("type ") + type + " (" + shown + ")";
    }
  }
  return "a value";
}

void ThrowCoded(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  error.ThrowAsJavaScriptException();
}

}  // namespace

void ThrowInvalidArgType(Napi::Env env, const char* name, const char* expected, const Napi::Value& actual) {
  std::string message = std::string("The \"") + name + "\" argument must be " + expected + ". Received " + Received(actual);
  ThrowCoded(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

bool Int32Arg(const Napi::CallbackInfo& info, size_t index, const char* name, int32_t& out, int32_t min, int32_t max) {
  Napi::Value value = info[index];
  if (!value.IsNumber()) {
    ThrowInvalidArgType(info.Env(), name, "of type number", value);
    return false;
  }
  double number = value.As<Napi::Number>().DoubleValue();
  const char* range = nullptr;
  std::string bounds = ">= " + std::to_string(min) + " && <= " + std::to_string(max);
  if (!std::isfinite(number) || std::trunc(number) != number) {
    range = "an integer";
  } else if (number < min || number > max) {
    range = bounds.c_str();
  }
  if (range != nullptr) {
    std::string message = std::string("The value of \"") + name + "\" is out of range. It must be " + range + ". Received " +
                          value.ToString().Utf8Value();
    ThrowCoded(Napi::RangeError::New(info.Env(), message), "ERR_OUT_OF_RANGE");
    return false;
  }
  out = static_cast<int32_t>(number);
  return true;
}

bool StringArg(const Napi::CallbackInfo& info, size_t index, const char* name, std::string& out) {
  Napi::Value value = info[index];
  if (!value.IsString()) {
    ThrowInvalidArgType(info.Env(), name, "of type string", value);
    return false;
  }
  out = value.As<Napi::String>().Utf8Value();
  if (out.empty()) {
    std::string message = std::string("The argument '") + name + "' must be a non-empty string. Received ''";
    ThrowCoded(Napi::TypeError::New(info.Env(), message), "ERR_INVALID_ARG_VALUE");
    return false;
  }
  return true;
}

bool FunctionArg(const Napi::CallbackInfo& info, size_t index, const char* name, Napi::Function& out) {
  Napi::Value value = info[index];
  if (!value.IsFunction()) {
    ThrowInvalidArgType(info.Env(), name, "of type function", value);
    return false;
  }
  out = value.As<Napi::Function>();
  return true;
}

}  // namespace corral
