// Runs the custhub binary as a child process, as users and scripts do.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace custhub::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs to completion (killed after timeout_s).
CommandResult RunCommand(const std::vector<std::string>& args,
                         int timeout_s = 60);

// A long-running child (`custhub broker`, `custhub run`).
class Child {
 public:
  explicit Child(const std::vector<std::string>& args);
  ~Child();  // SIGKILL if still running
  // Reads stdout up to the first newline (waits at most timeout_s).
  std::string ReadLine(int timeout_s = 20);
  // Sends `signal` and waits; returns the exit code (128+sig if killed).
  int Stop(int signal, int timeout_s = 30);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

}  // namespace custhub::testing
