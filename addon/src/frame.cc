// frameLines: the relay's common case, whole lines each given the same prefix, done in one
// call per chunk read. In JavaScript each line cost a Buffer view, a copy that allocates
// and a collection later; at a million lines a second that was most of corral's CPU while
// relaying (issue 20). The contract is frameLinesInJs's (src/logging/frame-lines.ts), which
// the tests hold this to; over-long lines, carried pieces and JSON stay in JavaScript.
#include <cstdint>
#include <cstring>

#include "args.h"
#include "exports.h"

namespace corral {

namespace {

// info[index] as a Buffer (a Uint8Array is what Node's Buffer is).
bool BytesArg(const Napi::CallbackInfo& info, size_t index, const char* name, uint8_t*& data, size_t& length) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowInvalidArgType(info.Env(), name, "an instance of Buffer or Uint8Array", value);
    return false;
  }
  Napi::Uint8Array array = value.As<Napi::Uint8Array>();
  data = array.Data();
  length = array.ElementLength();
  return true;
}

constexpr int32_t kMaxIndex = 0x7fffffff;

// As addresses: comparing pointers into different objects with < is unspecified in C++.
bool Overlap(const void* a, size_t aLength, const void* b, size_t bLength) {
  const uintptr_t aStart = reinterpret_cast<uintptr_t>(a);
  const uintptr_t bStart = reinterpret_cast<uintptr_t>(b);
  return aLength > 0 && bLength > 0 && aStart < bStart + bLength && bStart < aStart + aLength;
}

}  // namespace

// frameLines(source, start, end, maxLine, head, out, outAt, ends): for each line that ends
// in source[start, end), in order, copies head, the line and its newline to out from
// outAt, and records the newline's index in ends. Stops before a line longer than maxLine
// or one that does not fit in out, when ends is full, or when no newline is left. Returns
// the number of lines written; out then holds lines * head.length + (ends[lines - 1] + 1
// - start) more bytes.
Napi::Value FrameLines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint8_t* source;
  size_t sourceLength;
  uint8_t* head;
  size_t headLength;
  uint8_t* out;
  size_t outLength;
  int32_t start;
  int32_t end;
  int32_t maxLine;
  int32_t outAt;
  if (!BytesArg(info, 0, "source", source, sourceLength)) return env.Undefined();
  const int32_t sourceMax = sourceLength > static_cast<size_t>(kMaxIndex) ? kMaxIndex : static_cast<int32_t>(sourceLength);
  if (!Int32Arg(info, 1, "start", start, 0, sourceMax) || !Int32Arg(info, 2, "end", end, start, sourceMax) ||
      !Int32Arg(info, 3, "maxLine", maxLine, 0) || !BytesArg(info, 4, "head", head, headLength) ||
      !BytesArg(info, 5, "out", out, outLength)) {
    return env.Undefined();
  }
  const int32_t outMax = outLength > static_cast<size_t>(kMaxIndex) ? kMaxIndex : static_cast<int32_t>(outLength);
  if (!Int32Arg(info, 6, "outAt", outAt, 0, outMax)) return env.Undefined();
  Napi::Value endsValue = info[7];
  if (!endsValue.IsTypedArray() || endsValue.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    ThrowInvalidArgType(env, "ends", "an instance of Int32Array", endsValue);
    return env.Undefined();
  }
  Napi::Int32Array endsArray = endsValue.As<Napi::Int32Array>();
  int32_t* ends = endsArray.Data();
  const size_t endsLength = endsArray.ElementLength();
  // memcpy between overlapping bytes is undefined, and an ends that shares memory with
  // the others would be overwritten by them or change what is read: a caller's mistake
  // must not corrupt what corral relays.
  const size_t endsBytes = endsLength * sizeof(int32_t);
  if (Overlap(out, outLength, source, sourceLength) || Overlap(out, outLength, head, headLength) || Overlap(ends, endsBytes, out, outLength) ||
      Overlap(ends, endsBytes, source, sourceLength) || Overlap(ends, endsBytes, head, headLength)) {
    Napi::RangeError error = Napi::RangeError::New(env, "frameLines: out and ends must not share memory with each other, source or head");
    error.Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }

  size_t lines = 0;
  size_t at = static_cast<size_t>(outAt);
  const uint8_t* lineStart = source + start;
  const uint8_t* const stop = source + end;
  while (lines < endsLength && lineStart < stop) {
    const void* found = memchr(lineStart, '\n', static_cast<size_t>(stop - lineStart));
    if (found == nullptr) break;
    const uint8_t* newline = static_cast<const uint8_t*>(found);
    const size_t length = static_cast<size_t>(newline - lineStart);
    if (length > static_cast<size_t>(maxLine) || headLength + length + 1 > outLength - at) break;
    if (headLength > 0) memcpy(out + at, head, headLength);  // an empty Buffer's data may be null
    memcpy(out + at + headLength, lineStart, length + 1);
    at += headLength + length + 1;
    ends[lines++] = static_cast<int32_t>(newline - source);
    lineStart = newline + 1;
  }
  return Napi::Number::New(env, static_cast<double>(lines));
}

}  // namespace corral
