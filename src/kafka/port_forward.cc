#include "src/kafka/port_forward.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace custhub::kafka {
namespace {

// Copies bytes both ways until either side closes.
void Relay(int a, int b) {
  pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
  char buf[64 * 1024];
  for (;;) {
    if (poll(fds, 2, 1000) < 0 && errno != EINTR) break;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        closed = true;
        break;
      }
      int to = fds[1 - i].fd;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, n - off);
        if (w <= 0) {
          closed = true;
          break;
        }
        off += w;
      }
    }
    if (closed) break;
  }
  close(a);
  close(b);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PortForward>> PortForward::Start(
    int port, const std::string& target) {
  size_t colon = target.rfind(':');
  std::unique_ptr<PortForward> f(new PortForward());
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(target.substr(colon + 1), &f->target_port_)) {
    return absl::InvalidArgumentError(absl::StrCat("bad target ", target));
  }
  f->target_host_ = target.substr(0, colon);
  f->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(f->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(f->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
          0 ||
      listen(f->listen_fd_, 64) != 0) {
    std::string err = std::strerror(errno);
    close(f->listen_fd_);
    return absl::UnavailableError(
        absl::StrCat("--port: cannot listen on 127.0.0.1:", port, ": ", err));
  }
  f->acceptor_ = std::thread([raw = f.get()] { raw->AcceptLoop(); });
  return f;
}

PortForward::~PortForward() {
  stop_ = true;
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
}

void PortForward::AcceptLoop() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) continue;
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(target_port_));
    inet_pton(AF_INET, target_host_.c_str(), &addr.sin_addr);
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
        0) {
      close(client);
      close(upstream);
      continue;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    // Connections live as long as their peers; the process ends them.
    std::thread(Relay, client, upstream).detach();
  }
}

}  // namespace custhub::kafka
