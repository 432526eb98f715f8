// Reaps orphaned zombies without ever taking the exit status of a child that libuv
// spawned. libuv waits for each of its children by pid and, if someone else reaped one
// first, silently never reports its exit (libuv src/unix/process.c, uv__wait_children).
// So: peek at the first exited child with waitid(WNOWAIT), reap it only if it is not a
// live libuv process handle, and when a libuv zombie sits at the head of the kernel's
// queue (hiding the orphans behind it), find the orphans through /proc instead and ask
// the caller to try again once libuv has had its turn.
//
// It runs on every burst of orphans, so it costs little per call: the live pids are
// looked up only once a peek has found an exited child, and what was reaped comes back
// as one Int32Array rather than an object per orphan (each property an addon sets is a
// slow lookup in V8).
#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace corral {
namespace {

// Bounds one call, so a fork bomb cannot keep the event loop in here.
constexpr size_t kMaxReapsPerCall = 4096;

struct Reaped {
  pid_t pid;
  int status;
};

// The first syscall that failed in a call, with its errno. It is returned beside what
// was reaped rather than thrown: a throw would lose those exit statuses, which no one
// can wait for again, and the caller runs from a timer, where a throw is an internal
// error that stops every service.
struct Failure {
  const char* syscall = nullptr;
  int err = 0;
  std::string detail;

  void Note(const char* failed, int errno_value, std::string what = "") {
    if (syscall != nullptr) return;
    syscall = failed;
    err = errno_value;
    detail = std::move(what);
  }
};

// The pids libuv still waits for: active process handles on the main loop. They are
// walked for at most once per call, and only when a child has exited: uv_walk visits
// every handle (a few per service), and most calls (the safety sweep, the last call of
// a burst) find no exited child at all. Nothing in libuv changes during the call: it
// runs on the loop thread, between two of libuv's own steps.
class LivePids {
 public:
  explicit LivePids(uv_loop_t* loop) : loop_(loop) {}

  bool Has(pid_t pid) {
    if (!walked_) {
      uv_walk(loop_, Add, &pids_);
      std::sort(pids_.begin(), pids_.end());
      walked_ = true;
    }
    return std::binary_search(pids_.begin(), pids_.end(), pid);
  }

 private:
  static void Add(uv_handle_t* handle, void* arg) {
    if (uv_handle_get_type(handle) != UV_PROCESS || !uv_is_active(handle)) return;
    static_cast<std::vector<pid_t>*>(arg)->push_back(uv_process_get_pid(reinterpret_cast<const uv_process_t*>(handle)));
  }

  uv_loop_t* loop_;
  bool walked_ = false;
  std::vector<pid_t> pids_;
};

// The main loop, or nullptr with a JS error thrown. Only the main thread may reap. A
// worker thread has a loop of its own, which holds none of the main loop's children:
// every one of them that has exited would look like an orphan there and be reaped, and
// libuv would then never report its exit. Node runs its main thread on
// uv_default_loop() and gives each worker a new loop.
uv_loop_t* MainLoop(Napi::Env env) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Napi::Error::New(env, "reapOrphans: no libuv loop for this thread").ThrowAsJavaScriptException();
    return nullptr;
  }
  if (loop != uv_default_loop()) {
    // Node's error for what a worker may not do (process.chdir() in a worker).
    Napi::TypeError error = Napi::TypeError::New(
        env, "reapOrphans() is not supported in workers: only the main thread's loop knows which exited children libuv still waits for");
    error.Set("code", Napi::String::New(env, "ERR_WORKER_UNSUPPORTED_OPERATION"));
    error.ThrowAsJavaScriptException();
    return nullptr;
  }
  return loop;
}

bool ReapOne(pid_t pid, std::vector<Reaped>& out, Failure& failure) {
  int status = 0;
  pid_t got;
  do got = waitpid(pid, &status, WNOHANG);
  while (got == -1 && errno == EINTR);
  if (got == -1) {
    failure.Note("waitpid", errno, std::to_string(pid));
    return false;
  }
  // 0: a child of that pid has not exited. Nothing failed; only a waiter elsewhere that
  // took the zombie, and the pid's reuse since, can make it so.
  if (got != pid) return false;
  out.push_back({pid, status});
  return true;
}

// Zombies whose parent is this process, from /proc/[pid]/stat. Not /proc/self/task/*/
// children, which proc(5) says may omit children while others exit (research note
// pid1-in-node.md, section 2). A process that exits and is reaped meanwhile is no
// failure: its files are gone (ENOENT on open, ESRCH on read).
std::vector<pid_t> ZombieChildren(Failure& failure) {
  std::vector<pid_t> zombies;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) {
    failure.Note("opendir", errno, "/proc");
    return zombies;
  }
  const long self = getpid();
  char path[64];
  char stat[512];
  for (;;) {
    errno = 0;  // readdir returns NULL both at the end and on an error; only errno tells
    dirent* entry = readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) failure.Note("readdir", errno, "/proc");
      break;
    }
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
      if (errno != ENOENT) failure.Note("open", errno, path);
      continue;
    }
    ssize_t n;
    do n = read(fd, stat, sizeof stat - 1);
    while (n == -1 && errno == EINTR);
    const int read_errno = errno;
    close(fd);
    if (n == -1 && read_errno != ESRCH) failure.Note("read", read_errno, path);
    if (n <= 0) continue;
    stat[n] = '\0';
    // comm may hold spaces and ')', so the fields start after the last ')'.
    const char* fields = std::strrchr(stat, ')');
    char state = 0;
    long ppid = 0;
    if (fields == nullptr || std::sscanf(fields + 1, " %c %ld", &state, &ppid) != 2) continue;
    if (state == 'Z' && ppid == self) zombies.push_back(static_cast<pid_t>(pid));
  }
  closedir(dir);
  return zombies;
}

// pid, exit code, signal for each orphan; -1 stands for "none" (no exit code when a
// signal killed it, no signal when it exited), as neither is ever -1.
Napi::Int32Array ToJs(Napi::Env env, const std::vector<Reaped>& reaped) {
  Napi::Int32Array triples = Napi::Int32Array::New(env, reaped.size() * 3);
  int32_t* out = triples.Data();
  for (const Reaped& r : reaped) {
    *out++ = r.pid;
    *out++ = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
    *out++ = WIFSIGNALED(r.status) ? WTERMSIG(r.status) : -1;
  }
  return triples;
}

}  // namespace

// reapOrphans(): { reaped: Int32Array, retry: boolean, failure?: Error } | null
// reaped holds pid, code, signal for each orphan reaped (see ToJs). retry is true when a
// libuv zombie blocked the fast path or the per-call bound was hit: the caller runs it
// again after libuv has reaped its own children. failure, when set, is the first
// syscall that failed (as ErrnoError makes it); the rest was still done. A call with
// none of the three returns null, and allocates nothing.
Napi::Value ReapOrphans(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uv_loop_t* loop = MainLoop(env);
  if (loop == nullptr) return env.Undefined();
  LivePids live(loop);

  std::vector<Reaped> reaped;
  Failure failure;
  bool retry = false;
  size_t round = 0;
  for (; round < kMaxReapsPerCall; ++round) {
    siginfo_t si;
    std::memset(&si, 0, sizeof si);  // si_pid stays 0 when no child has exited
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == -1) {
      if (errno == EINTR) continue;
      if (errno != ECHILD) failure.Note("waitid", errno);  // ECHILD: no children at all
      break;
    }
    if (si.si_pid == 0) break;
    if (!live.Has(si.si_pid)) {
      if (!ReapOne(si.si_pid, reaped, failure)) break;
      continue;
    }
    // A libuv child is at the head of the queue: every peek would return it again.
    for (pid_t zombie : ZombieChildren(failure)) {
      if (reaped.size() == kMaxReapsPerCall) break;
      if (!live.Has(zombie)) ReapOne(zombie, reaped, failure);
    }
    retry = true;
    break;
  }
  if (round == kMaxReapsPerCall) retry = true;

  if (reaped.empty() && !retry && failure.syscall == nullptr) return env.Null();
  Napi::Object result = Napi::Object::New(env);
  result.Set("reaped", ToJs(env, reaped));
  result.Set("retry", Napi::Boolean::New(env, retry));
  if (failure.syscall != nullptr) {
    const char* detail = failure.detail.empty() ? nullptr : failure.detail.c_str();
    result.Set("failure", ErrnoError(env, failure.syscall, failure.err, detail).Value());
  }
  return result;
}

}  // namespace corral
