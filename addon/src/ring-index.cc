// indexLines: the index entries of a run of lines a service's LogRing keeps, one call per
// chunk relayed. Interpreted, the loop over each line (four stores and the arithmetic)
// cost the relay more than everything else it does per chunk put together (with 50
// services writing at once, 230 of 290 ms), which made corral depend on V8's optimizing
// compiler to relay fast, and that compiler costs some 6 MiB while it is in use (issue 20).
// The contract is indexLinesInJs's (src/logging/ring-index.ts), which the tests hold this
// to.
#include <cmath>
#include <cstdint>

#include "args.h"
#include "exports.h"

namespace corral {

namespace {

// info[index] as a typed array of T: its first element (byte offset included; any
// backing store, a SharedArrayBuffer's too) and its length.
template <typename T>
bool TypedArg(const Napi::CallbackInfo& info, size_t index, const char* name, napi_typedarray_type type, const char* expected,
              T*& data, size_t& length) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    ThrowInvalidArgType(info.Env(), name, expected, value);
    return false;
  }
  Napi::TypedArrayOf<T> array = value.As<Napi::TypedArrayOf<T>>();
  data = array.Data();
  length = array.ElementLength();
  // An empty array's data may be null; it is never read or written.
  return data != nullptr || length == 0;
}

void ThrowRange(Napi::Env env, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
  error.ThrowAsJavaScriptException();
}

// 2^53: ordinals count lines, and stay exact integers in a double below it.
constexpr double kMaxOrdinal = 9007199254740991.0;

}  // namespace

// indexLines(ends, from, count, lineStart, lineAt, size, slot, ordinal, flag,
//            starts, lengths, ordinals, flags)
// For each line i in [from, count): it starts at lineStart (the first) or after the
// newline ends[i - 1], and ends at its newline ends[i]. Its entry goes in slot (the next
// slot for each line, wrapping at the index's length): starts = lineAt, where it goes in a
// ring buffer of `size` bytes (the next line's place is after this one's newline,
// wrapping at size), lengths = its length, ordinals = ordinal (one more for each line),
// flags = flag. Throws a RangeError, having written nothing, when the ends are not
// increasing from lineStart or a line with its newline is longer than size.
Napi::Value IndexLines(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t* ends;
  size_t endsLength;
  int32_t from;
  int32_t count;
  int32_t lineStart;
  int32_t lineAt;
  int32_t size;
  int32_t slot;
  int32_t flag;
  int32_t* starts;
  size_t slots;
  int32_t* lengths;
  size_t lengthsLength;
  double* ordinals;
  size_t ordinalsLength;
  uint8_t* flags;
  size_t flagsLength;
  if (!TypedArg(info, 0, "ends", napi_int32_array, "an instance of Int32Array", ends, endsLength)) return env.Undefined();
  const int32_t endsMax = endsLength > 0x7fffffff ? 0x7fffffff : static_cast<int32_t>(endsLength);
  if (!Int32Arg(info, 1, "from", from, 0, endsMax) || !Int32Arg(info, 2, "count", count, from, endsMax) ||
      !Int32Arg(info, 3, "lineStart", lineStart, 0) || !Int32Arg(info, 5, "size", size, 1) ||
      !Int32Arg(info, 4, "lineAt", lineAt, 0, size - 1)) {
    return env.Undefined();
  }
  if (!TypedArg(info, 9, "starts", napi_int32_array, "an instance of Int32Array", starts, slots) ||
      !TypedArg(info, 10, "lengths", napi_int32_array, "an instance of Int32Array", lengths, lengthsLength) ||
      !TypedArg(info, 11, "ordinals", napi_float64_array, "an instance of Float64Array", ordinals, ordinalsLength) ||
      !TypedArg(info, 12, "flags", napi_uint8_array, "an instance of Uint8Array", flags, flagsLength)) {
    return env.Undefined();
  }
  if (slots == 0 || lengthsLength != slots || ordinalsLength != slots || flagsLength != slots) {
    ThrowRange(env, "indexLines: starts, lengths, ordinals and flags must have the same length, at least 1");
    return env.Undefined();
  }
  const int32_t slotMax = slots > 0x7fffffff ? 0x7fffffff : static_cast<int32_t>(slots);
  if (!Int32Arg(info, 6, "slot", slot, 0, slotMax - 1) || !Int32Arg(info, 8, "flag", flag, 0, 255)) return env.Undefined();
  Napi::Value ordinalValue = info[7];
  if (!ordinalValue.IsNumber()) {
    ThrowInvalidArgType(env, "ordinal", "of type number", ordinalValue);
    return env.Undefined();
  }
  double ordinal = ordinalValue.As<Napi::Number>().DoubleValue();
  if (!(ordinal >= 0 && ordinal + (count - from) <= kMaxOrdinal) || std::floor(ordinal) != ordinal) {
    ThrowRange(env, "indexLines: ordinal must be an integer from 0 that stays below 2^53");
    return env.Undefined();
  }
  // Checked before anything is written: a caller's mistake must not leave half an index.
  // In 64 bits: an end of 2^31 - 1 would overflow the next line's start.
  for (int64_t i = from, start = lineStart; i < count; start = static_cast<int64_t>(ends[i++]) + 1) {
    if (ends[i] < start || ends[i] - start + 1 > size) {
      ThrowRange(env, "indexLines: ends must increase from lineStart, each line with its newline at most size bytes");
      return env.Undefined();
    }
  }
  for (int64_t i = from, start = lineStart; i < count; i++) {
    const int64_t end = ends[i];
    starts[slot] = lineAt;
    lengths[slot] = static_cast<int32_t>(end - start);
    ordinals[slot] = ordinal++;
    flags[slot] = static_cast<uint8_t>(flag);
    // lineAt and the line are both below size: the sum is below 2^32.
    int64_t next = lineAt + (end + 1 - start);
    if (next >= size) next -= size;
    lineAt = static_cast<int32_t>(next);
    start = end + 1;
    if (++slot == slotMax) slot = 0;
  }
  return env.Undefined();
}

}  // namespace corral
