#include "ops/system.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace shopbox::ops {

void sd_notify(const std::string& message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || (path[0] != '/' && path[0] != '@')) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t len = std::strlen(path);
  if (len >= sizeof(addr.sun_path)) return;
  std::memcpy(addr.sun_path, path, len);
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr),
           static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len));
  ::close(fd);
}

void hold_serve_lock(const std::string& data_dir) {
  std::string path = data_dir + "/" + kServeLockName;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return;  // read-only data dir: nothing to protect
  ::flock(fd, LOCK_SH | LOCK_NB);
  // fd stays open until the process ends; the kernel drops the lock then.
}

bool serve_lock_held(const std::string& data_dir) {
  std::string path = data_dir + "/" + kServeLockName;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

Result<std::string> run_as_owner(const std::string& dir) {
  if (::geteuid() != 0) return std::string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || st.st_uid == 0) return std::string();
  const passwd* pw = ::getpwuid(st.st_uid);
  std::string name = pw ? pw->pw_name : "uid " + std::to_string(st.st_uid);
  int rc = pw ? ::initgroups(pw->pw_name, st.st_gid) : ::setgroups(0, nullptr);
  if (rc != 0 || ::setgid(st.st_gid) != 0 || ::setuid(st.st_uid) != 0)
    return Status::Internal("cannot switch to " + name + ", the owner of " + dir);
  return name;
}

Status run_as_owner_of(const std::string& dir) {
  auto r = run_as_owner(dir);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace shopbox::ops
