#include "src/store/aside_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/store/state_store.h"

namespace custhub::store {
namespace {

// reference = marker, be64 size, be64 digest, file name. Inline outbox
// values start with 0x00 'B' (a batch's entry) or 0x0a (one record).
constexpr absl::string_view kMarker{"\0A", 2};
constexpr size_t kHeader = 2 + 8 + 8;

absl::Status ErrnoStatus(int err, absl::string_view what,
                         absl::string_view path) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(msg);
  }
  return absl::UnavailableError(msg);
}

// Closes on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

AsideFiles::AsideFiles(std::string dir)
    : dir_(std::move(dir)),
      nonce_((static_cast<uint64_t>(std::random_device()()) << 32) ^
             std::random_device()()) {}

absl::Status AsideFiles::Create() {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("create ", dir_, ": ", ec.message()));
  }
  return absl::OkStatus();
}

bool AsideFiles::IsReference(absl::string_view stored) {
  return stored.size() > kHeader && stored.substr(0, 2) == kMarker;
}

std::string AsideFiles::NameOf(absl::string_view stored) {
  if (!IsReference(stored)) return "";
  return std::string(stored.substr(kHeader));
}

absl::StatusOr<std::string> AsideFiles::Write(absl::string_view value,
                                              bool sync) {
  std::string name = absl::StrCat(Hex64(nonce_), "-", ++written_);
  std::string path = absl::StrCat(dir_, "/", name);
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoStatus(errno, "create", path);
  for (size_t done = 0; done < value.size();) {
    ssize_t n = ::write(fd.get(), value.data() + done, value.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::unlink(path.c_str());
      return ErrnoStatus(err, "write", path);
    }
    done += static_cast<size_t>(n);
  }
  if (sync && ::fdatasync(fd.get()) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return ErrnoStatus(err, "sync", path);
  }
  return absl::StrCat(kMarker, EncodeBigEndian64(value.size()),
                      EncodeBigEndian64(Hash64(value)), name);
}

absl::Status AsideFiles::SyncDirectory() {
  Fd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open", dir_);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "sync", dir_);
  return absl::OkStatus();
}

absl::StatusOr<std::string> AsideFiles::Read(
    absl::string_view reference) const {
  if (!IsReference(reference)) {
    return absl::InvalidArgumentError("not a reference to a file");
  }
  const uint64_t size = DecodeBigEndian64(reference.substr(2, 8));
  const uint64_t digest = DecodeBigEndian64(reference.substr(10, 8));
  std::string path = absl::StrCat(dir_, "/", reference.substr(kHeader));
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return absl::DataLossError(absl::StrCat(path, " is missing"));
    }
    return ErrnoStatus(errno, "open", path);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "stat", path);
  if (static_cast<uint64_t>(st.st_size) != size) {
    return absl::DataLossError(
        absl::StrCat(path, " has ", st.st_size, " bytes, not ", size));
  }
  std::string value(size, '\0');
  for (size_t done = 0; done < size;) {
    ssize_t n = ::read(fd.get(), value.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read", path);
    if (n == 0) return absl::DataLossError(absl::StrCat(path, " shrank"));
    done += static_cast<size_t>(n);
  }
  if (Hash64(value) != digest) {
    return absl::DataLossError(
        absl::StrCat(path, " differs from what was written"));
  }
  return value;
}

void AsideFiles::Remove(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    ::unlink(absl::StrCat(dir_, "/", name).c_str());
  }
}

size_t AsideFiles::RemoveExcept(const absl::flat_hash_set<std::string>& keep) {
  std::error_code ec;
  std::vector<std::string> gone;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = entry.path().filename().string();
    if (!keep.contains(name)) gone.push_back(std::move(name));
  }
  Remove(gone);
  return gone.size();
}

uint64_t AsideFiles::Bytes() const {
  std::error_code ec;
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    std::error_code size_ec;
    uint64_t n = entry.file_size(size_ec);
    if (!size_ec) total += n;
  }
  return total;
}

}  // namespace custhub::store
