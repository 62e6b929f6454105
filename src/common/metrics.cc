#include "src/common/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"

namespace custhub {
namespace {

// HELP text escapes backslash and newline only.
std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `{a="x",b="y"}`, with `extra` appended (a histogram's le), or "" if empty.
std::string LabelText(const MetricLabels& labels,
                      const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& kv) {
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, kv.first, "=\"", EscapeLabelValue(kv.second), "\"");
  };
  for (const auto& kv : labels) add(kv);
  if (extra != nullptr) add(*extra);
  out.push_back('}');
  return out;
}

}  // namespace

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Integral values within double's exact range print without a fraction
  // or exponent, so counters read as integers.
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return absl::StrCat(value);
  return std::string(buf, end);
}

// ---- ValueFamily ------------------------------------------------------------

void ValueFamily::Add(const MetricLabels& labels, double delta) {
  std::lock_guard<std::mutex> lock(*mu_);
  series_[labels] += delta;
}

void ValueFamily::Set(const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(*mu_);
  series_[labels] = value;
}

double ValueFamily::Value(const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(*mu_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second;
}

void ValueFamily::Clear() {
  std::lock_guard<std::mutex> lock(*mu_);
  series_.clear();
}

// ---- HistogramFamily --------------------------------------------------------

void HistogramFamily::Observe(const MetricLabels& labels, double value) {
  std::lock_guard<std::mutex> lock(*mu_);
  Series& s = series_[labels];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size() + 1, 0);
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++s.buckets[i];
  s.sum += value;
  ++s.count;
}

// ---- MetricsRegistry --------------------------------------------------------

ValueFamily& MetricsRegistry::ValueOf(const std::string& name,
                                      const std::string& help, Kind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, created] = families_.try_emplace(name);
  Family& f = it->second;
  if (created) {
    f.kind = kind;
    f.help = help;
    f.values.reset(new ValueFamily(&mu_));
  } else if (f.kind != kind) {
    std::fprintf(stderr, "metrics: %s registered twice with different kinds\n",
                 name.c_str());
    std::abort();
  }
  return *f.values;
}

ValueFamily& MetricsRegistry::Counter(const std::string& name,
                                      const std::string& help) {
  return ValueOf(name, help, Kind::kCounter);
}

ValueFamily& MetricsRegistry::Gauge(const std::string& name,
                                    const std::string& help) {
  return ValueOf(name, help, Kind::kGauge);
}

HistogramFamily& MetricsRegistry::Histogram(const std::string& name,
                                            const std::string& help,
                                            std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, created] = families_.try_emplace(name);
  Family& f = it->second;
  if (created) {
    f.kind = Kind::kHistogram;
    f.help = help;
    f.histogram.reset(new HistogramFamily(&mu_, std::move(bounds)));
  } else if (f.kind != Kind::kHistogram) {
    std::fprintf(stderr, "metrics: %s registered twice with different kinds\n",
                 name.c_str());
    std::abort();
  }
  return *f.histogram;
}

std::string MetricsRegistry::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.kind == Kind::kCounter ? "counter"
                       : f.kind == Kind::kGauge ? "gauge"
                                                : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(f.help), "\n",
                    "# TYPE ", name, " ", type, "\n");
    if (f.kind != Kind::kHistogram) {
      for (const auto& [labels, value] : f.values->series_) {
        absl::StrAppend(&out, name, LabelText(labels, nullptr), " ",
                        FormatMetricValue(value), "\n");
      }
      continue;
    }
    const HistogramFamily& h = *f.histogram;
    for (const auto& [labels, s] : h.series_) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i <= h.bounds_.size(); ++i) {
        cumulative += s.buckets[i];
        std::pair<std::string, std::string> le{
            "le", i < h.bounds_.size() ? FormatMetricValue(h.bounds_[i])
                                       : std::string("+Inf")};
        absl::StrAppend(&out, name, "_bucket", LabelText(labels, &le), " ",
                        cumulative, "\n");
      }
      absl::StrAppend(&out, name, "_sum", LabelText(labels, nullptr), " ",
                      FormatMetricValue(s.sum), "\n", name, "_count",
                      LabelText(labels, nullptr), " ", s.count, "\n");
    }
  }
  return out;
}

}  // namespace custhub
