// Process memory figures for the benchmark: peak resident set size over the
// whole run (getrusage ru_maxrss) and over one phase (Linux's VmHWM, reset
// through /proc/self/clear_refs), so a phase's growth can be told apart from
// what earlier phases hold. The broker is a process of its own
// (BrokerProcess), outside these figures.
//
//   ReleaseFreeMemory();
//   uint64_t before = CurrentRssBytes();
//   ResetPhasePeak();
//   RunPhase();
//   uint64_t growth = PhasePeakRssBytes() - before;
//
// Thread-safety: call from one thread.
#pragma once

#include <cstdint>

namespace custhub::bench {

// Resident set size now.
uint64_t CurrentRssBytes();
// Peak resident set size since the last ResetPhasePeak() (or the start).
uint64_t PhasePeakRssBytes();
// Starts a new phase peak; the process peak keeps what came before.
void ResetPhasePeak();
// Peak resident set size (VmHWM) of another process, e.g. a child; 0 if
// unknown.
uint64_t PeakRssBytesOf(int pid);
// Peak resident set size of the whole process so far.
uint64_t ProcessPeakRssBytes();
// Returns freed heap to the kernel, so a phase starts from a fair baseline.
void ReleaseFreeMemory();

}  // namespace custhub::bench
