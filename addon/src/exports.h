// The functions addon.cc exports. Each is synchronous, runs on the main loop thread only
// (reapOrphans throws on any other: reap.cc), installs no signal handler and changes no
// signal mask (libuv owns those). Each checks its arguments with args.h, so a wrong one
// is the TypeError Node would throw.
#pragma once
#include <napi.h>

namespace corral {

Napi::Value ReapOrphans(const Napi::CallbackInfo& info);
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info);
Napi::Value IsChildSubreaper(const Napi::CallbackInfo& info);
Napi::Value Pipe(const Napi::CallbackInfo& info);
Napi::Value GrowPipe(const Napi::CallbackInfo& info);
Napi::Value NotifySocket(const Napi::CallbackInfo& info);
Napi::Value ReadDatagrams(const Napi::CallbackInfo& info);
Napi::Value ReadDatagramBytes(const Napi::CallbackInfo& info);
Napi::Value WatchReadable(const Napi::CallbackInfo& info);
Napi::Value UnwatchReadable(const Napi::CallbackInfo& info);
Napi::Value SystemConstants(const Napi::CallbackInfo& info);
Napi::Value PeerCredentials(const Napi::CallbackInfo& info);
Napi::Value TrimMemory(const Napi::CallbackInfo& info);
Napi::Value LimitArenas(const Napi::CallbackInfo& info);
Napi::Value FrameLines(const Napi::CallbackInfo& info);
Napi::Value SetOptimizer(const Napi::CallbackInfo& info);
Napi::Value IndexLines(const Napi::CallbackInfo& info);

}  // namespace corral
