#include "bench/broker_process.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/memory.h"
#include "src/kafka/mock_cluster.h"

namespace custhub::bench {
namespace {

// Writes all of `s`; false on a closed or failed socket.
bool WriteAll(int fd, absl::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The child: serves the cluster, answers with one line ("bootstrap=..." or
// "error=..."), then waits for the parent's end to close.
[[noreturn]] void ServeChild(
    int fd, int brokers,
    const std::vector<std::pair<std::string, int>>& topics) {
  // Ctrl-C reaches the whole process group: the parent decides when the
  // broker goes, by closing its end.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_DFL);
  auto cluster = kafka::MockCluster::Start(brokers);
  if (!cluster.ok()) {
    WriteAll(fd, absl::StrCat("error=", cluster.status().ToString(), "\n"));
    ::_exit(1);
  }
  for (const auto& [name, partitions] : topics) {
    if (auto s = (*cluster)->CreateTopic(name, partitions); !s.ok()) {
      WriteAll(fd, absl::StrCat("error=", s.ToString(), "\n"));
      ::_exit(1);
    }
  }
  if (!WriteAll(fd, absl::StrCat("bootstrap=", (*cluster)->bootstrap(), "\n")))
    ::_exit(1);
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
  }
  // No destructors: the process's memory goes with it, and the cluster's
  // threads need not be joined.
  ::_exit(0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<BrokerProcess>> BrokerProcess::Start(
    int brokers, const std::vector<std::pair<std::string, int>>& topics) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::InternalError(
        absl::StrCat("broker process: socketpair: ", std::strerror(errno)));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return absl::InternalError(
        absl::StrCat("broker process: fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    ServeChild(fds[1], brokers, topics);
  }
  ::close(fds[1]);
  std::unique_ptr<BrokerProcess> p(new BrokerProcess());
  p->pid_ = pid;
  p->fd_ = fds[0];
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(p->fd_, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  absl::string_view rest = line;
  if (!absl::ConsumePrefix(&rest, "bootstrap=") || rest.empty()) {
    return absl::InternalError(
        absl::StrCat("broker process: did not start",
                     line.empty() ? "" : absl::StrCat(" (", line, ")")));
  }
  p->bootstrap_ = std::string(rest);
  return p;
}

BrokerProcess::~BrokerProcess() {
  if (fd_ >= 0) ::close(fd_);  // the child sees EOF and exits
  if (pid_ > 0) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

uint64_t BrokerProcess::PeakRssBytes() const { return PeakRssBytesOf(pid_); }

}  // namespace custhub::bench
