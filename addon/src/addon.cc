// Export table of corral's native addon; the work is in the other files.
#include <napi.h>

#include "exports.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("reapOrphans", Napi::Function::New(env, corral::ReapOrphans, "reapOrphans"));
  exports.Set("setChildSubreaper", Napi::Function::New(env, corral::SetChildSubreaper, "setChildSubreaper"));
  exports.Set("isChildSubreaper", Napi::Function::New(env, corral::IsChildSubreaper, "isChildSubreaper"));
  exports.Set("pipe", Napi::Function::New(env, corral::Pipe, "pipe"));
  exports.Set("growPipe", Napi::Function::New(env, corral::GrowPipe, "growPipe"));
  exports.Set("notifySocket", Napi::Function::New(env, corral::NotifySocket, "notifySocket"));
  exports.Set("readDatagrams", Napi::Function::New(env, corral::ReadDatagrams, "readDatagrams"));
  exports.Set("readDatagramBytes", Napi::Function::New(env, corral::ReadDatagramBytes, "readDatagramBytes"));
  exports.Set("watchReadable", Napi::Function::New(env, corral::WatchReadable, "watchReadable"));
  exports.Set("unwatchReadable", Napi::Function::New(env, corral::UnwatchReadable, "unwatchReadable"));
  exports.Set("systemConstants", Napi::Function::New(env, corral::SystemConstants, "systemConstants"));
  exports.Set("peerCredentials", Napi::Function::New(env, corral::PeerCredentials, "peerCredentials"));
  exports.Set("limitArenas", Napi::Function::New(env, corral::LimitArenas, "limitArenas"));
  exports.Set("trimMemory", Napi::Function::New(env, corral::TrimMemory, "trimMemory"));
  exports.Set("frameLines", Napi::Function::New(env, corral::FrameLines, "frameLines"));
  exports.Set("setOptimizer", Napi::Function::New(env, corral::SetOptimizer, "setOptimizer"));
  exports.Set("indexLines", Napi::Function::New(env, corral::IndexLines, "indexLines"));
  return exports;
}

}  // namespace

NODE_API_MODULE(corral_native, Init)
