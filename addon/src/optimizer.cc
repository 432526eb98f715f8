// SetOptimizer(on): turns V8's optimizing compiler (TurboFan) off or back on, for
// src/native/optimizer-gate.ts (issue 20).
//
// Why: start-up runs the same code once per service (parse each file, spawn each
// service), so with hundreds of services V8 finds it hot and optimizes it, on a helper
// thread, just before it is never run again. That first optimization is what pages in
// the compiler's own code, some 3.5 MiB of the node binary, and the zones it compiles in,
// some 2 MiB more: with 500 idle services, RSS 58.8 MiB with it and 53.1 without. While
// it is off, functions run in the interpreter and Sparkplug's baseline code, and V8
// only passes them over when they turn hot; once it is on again, those that stay hot are
// optimized as usual.
//
// How: V8 reads --turbofan (--opt) at each tiering decision, so setting it with
// V8::SetFlagsFromString takes effect from the next decision. Node lets flags change
// after start (v8.setFlagsFromString, which V8 would refuse were its flags frozen); this
// is the same call without loading node:v8 and what it brings. Code optimized before it
// was turned off stays optimized. Main thread only, like every function of the addon.
// Written for Node 20 (V8 11.3), where TurboFan is the only optimizing tier; where
// Maglev is on as well (Node 22), --no-turbofan leaves Maglev running, and this saves
// less. test/unit/set-optimizer.test.ts checks that it works on the node that runs it.
#include <v8.h>

#include "args.h"
#include "exports.h"

namespace corral {

Napi::Value SetOptimizer(const Napi::CallbackInfo& info) {
  if (!info[0].IsBoolean()) {
    ThrowInvalidArgType(info.Env(), "on", "of type boolean", info[0]);
    return info.Env().Undefined();
  }
  v8::V8::SetFlagsFromString(info[0].As<Napi::Boolean>().Value() ? "--turbofan" : "--no-turbofan");
  return info.Env().Undefined();
}

}  // namespace corral
