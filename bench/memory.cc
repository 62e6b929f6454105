#include "bench/memory.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace custhub::bench {
namespace {

// The largest phase peak seen before a reset: clear_refs also lowers what
// getrusage reports, so the process peak is kept here.
uint64_t& EarlierPeak() {
  static uint64_t peak = 0;
  return peak;
}

uint64_t StatusField(const std::string& status_path, const char* name) {
  std::ifstream in(status_path);
  std::string line;
  size_t len = std::strlen(name);
  while (std::getline(in, line)) {
    if (line.compare(0, len, name) == 0) {
      return std::stoull(line.substr(len + 1)) * 1024;  // "VmHWM:  123 kB"
    }
  }
  return 0;
}

}  // namespace

uint64_t CurrentRssBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<uint64_t>(resident) * sysconf(_SC_PAGESIZE);
}

uint64_t PhasePeakRssBytes() {
  return StatusField("/proc/self/status", "VmHWM:");
}

uint64_t PeakRssBytesOf(int pid) {
  return StatusField("/proc/" + std::to_string(pid) + "/status", "VmHWM:");
}

void ResetPhasePeak() {
  EarlierPeak() = std::max(EarlierPeak(), PhasePeakRssBytes());
  std::ofstream("/proc/self/clear_refs") << "5";
}

uint64_t ProcessPeakRssBytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  uint64_t maxrss = static_cast<uint64_t>(ru.ru_maxrss) * 1024;  // kB on Linux
  return std::max({EarlierPeak(), PhasePeakRssBytes(), maxrss});
}

// jemalloc's control interface, when the binary links it (custhub does).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp,
                       void* newp, size_t newlen) __attribute__((weak));

void ReleaseFreeMemory() {
  if (mallctl != nullptr) {
    // MALLCTL_ARENAS_ALL is 4096: every arena returns its dirty pages.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
  }
  malloc_trim(0);
}

}  // namespace custhub::bench
