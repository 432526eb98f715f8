// Unix datagram sockets, which Node does not have: the receiving end of systemd's
// sd_notify protocol (services send "READY=1\nSTATUS=listening" to $NOTIFY_SOCKET), and
// of syslog (programs send their messages to /dev/log). The sender's pid (which service
// said READY=1) is only available as SCM_CREDENTIALS ancillary data, so it is read here.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "errors.h"
#include "exports.h"

namespace corral {
namespace {

// systemd caps notify messages at this size too; longer ones come back truncated.
constexpr size_t kMaxDatagram = 4096;
// The most readDatagramBytes may be asked to keep of one datagram.
constexpr size_t kLargestDatagram = 65536;
// Bounds one call, so a chatty service cannot keep the event loop in here.
constexpr int kMaxDatagramsPerCall = 64;
// Room for the credentials plus a few fds: a service may attach fds (FDSTORE=1), and we
// must receive them to close them; fds that do not fit are dropped by the kernel.
constexpr size_t kMaxPassedFds = 16;

}  // namespace

Napi::Value NotifySocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  if (!StringArg(info, 0, "path", path)) return env.Undefined();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // sun_path needs its terminating NUL here: senders such as sd_notify read it as a C string.
  if (path.size() >= sizeof(address.sun_path)) {
    ThrowErrno(env, "bind", ENAMETOOLONG);
    return env.Undefined();
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd == -1) {
    ThrowErrno(env, "socket", errno);
    return env.Undefined();
  }
  const char* failed = nullptr;
  const char* detail = nullptr;
  int one = 1;
  // A socket file left by an earlier run (a container restart) would make bind fail.
  if (unlink(path.c_str()) == -1 && errno != ENOENT) {
    failed = "unlink";
  } else if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == -1) {
    failed = "bind";
  } else if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1) {
    failed = "setsockopt";
    detail = "SO_PASSCRED";
  }
  if (failed != nullptr) {
    int err = errno;
    close(fd);
    ThrowErrno(env, failed, err, detail);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

namespace {

// Reads what is waiting on `fd`, at most kMaxDatagramsPerCall datagrams of which the
// first `size` bytes are kept, and hands each to `add(bytes, length, pid, truncated)`.
// Throws (and returns false) on a failure other than "nothing waiting".
template <typename Add>
bool ReceiveDatagrams(Napi::Env env, int fd, size_t size, Add add) {
  std::vector<char> text(size);
  union {
    cmsghdr align;
    char bytes[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * kMaxPassedFds)];
  } control;

  for (int count = 0; count < kMaxDatagramsPerCall;) {
    iovec vector{text.data(), text.size()};
    msghdr message{};
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);
    ssize_t length = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (length == -1) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ThrowErrno(env, "recvmsg", errno);
      return false;
    }
    pid_t pid = 0;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != SOL_SOCKET) continue;
      if (header->cmsg_type == SCM_CREDENTIALS && header->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
        ucred credentials;
        std::memcpy(&credentials, CMSG_DATA(header), sizeof(credentials));
        pid = credentials.pid;
      } else if (header->cmsg_type == SCM_RIGHTS) {
        // corral stores no fds for services: close them rather than leak them.
        size_t fds = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < fds; i++) {
          int passed;
          std::memcpy(&passed, CMSG_DATA(header) + i * sizeof(int), sizeof(passed));
          close(passed);
        }
      }
    }
    // A truncated datagram (MSG_TRUNC) still yields its first `size` bytes.
    size_t kept = static_cast<size_t>(length) < text.size() ? static_cast<size_t>(length) : text.size();
    add(text.data(), kept, pid, (message.msg_flags & MSG_TRUNC) != 0);
    count++;
  }
  return true;
}

}  // namespace

Napi::Value ReadDatagrams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  if (!Int32Arg(info, 0, "fd", fd)) return env.Undefined();
  Napi::Array result = Napi::Array::New(env);
  uint32_t count = 0;
  bool ok = ReceiveDatagrams(env, fd, kMaxDatagram, [&](const char* bytes, size_t length, pid_t pid, bool) {
    Napi::Object datagram = Napi::Object::New(env);
    datagram.Set("text", Napi::String::New(env, bytes, length));
    datagram.Set("pid", Napi::Number::New(env, pid));
    result.Set(count++, datagram);
  });
  return ok ? result : env.Undefined();
}

// As readDatagrams, for payloads that are bytes rather than text (syslog messages, whose
// invalid UTF-8 is passed on as it is): up to maxBytes of each, and whether it was cut.
Napi::Value ReadDatagramBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t fd;
  int32_t max_bytes;
  if (!Int32Arg(info, 0, "fd", fd) || !Int32Arg(info, 1, "maxBytes", max_bytes, 1, static_cast<int32_t>(kLargestDatagram))) {
    return env.Undefined();
  }
  size_t size = static_cast<size_t>(max_bytes);
  Napi::Array result = Napi::Array::New(env);
  uint32_t count = 0;
  bool ok = ReceiveDatagrams(env, fd, size, [&](const char* bytes, size_t length, pid_t pid, bool truncated) {
    Napi::Object datagram = Napi::Object::New(env);
    datagram.Set("data", Napi::Buffer<char>::Copy(env, bytes, length));
    datagram.Set("pid", Napi::Number::New(env, pid));
    datagram.Set("truncated", Napi::Boolean::New(env, truncated));
    result.Set(count++, datagram);
  });
  return ok ? result : env.Undefined();
}

}  // namespace corral
