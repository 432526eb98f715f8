{
  "targets": [
    {
      "target_name": "corral_native",
      "sources": ["src/addon.cc", "src/reap.cc", "src/subreaper.cc", "src/pipe.cc", "src/notify.cc", "src/sysinfo.cc", "src/peercred.cc",
                  "src/errors.cc", "src/readable.cc", "src/args.cc", "src/memory.cc",
                  "src/frame.cc", "src/optimizer.cc", "src/ring-index.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2", "-fstack-protector-strong"]
    },
    {
      "target_name": "svexec",
      "type": "executable",
      "sources": ["src/svexec.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-fstack-protector-strong"]
    }
  ]
}
