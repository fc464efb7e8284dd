// The mapping's state and the operations on it: opening and closing through platform.h, the range and
// change-on-disk checks, and the SIGBUS-guarded copies. The Node-API surface that parses arguments and calls
// these is mapping_js.cc.
#include "mapping.h"

#include <algorithm>
#include <string>

#include "gather.h"
#include "guard.h"

namespace arrayscope {

const char* ModeName(MapMode mode) {
  switch (mode) {
    case MapMode::kRead:
      return "r";
    case MapMode::kReadWrite:
      return "r+";
    case MapMode::kCopyOnWrite:
      return "c";
    case MapMode::kCreate:
      return "w+";
  }
  return "?";
}

void Mapping::Open(Napi::Env env, int64_t createSize) {
  Failure why;
  if (!OpenMapped(path_, mode_, createSize, &map_, &why)) ThrowCoded(env, why.code, why.message);
  closed_ = false;
  *alive_ = true;
}

Mapping::~Mapping() { Unmap(); }

void Mapping::Unmap() {
  if (closed_) return;
  closed_ = true;
  *alive_ = false;
  if (!scans_.empty()) {
    for (auto& s : scans_) s->cancel = true;
    unmapPending_ = true;  // the last scan to settle unmaps
    return;
  }
  ReleaseMapping();
}

void Mapping::ReleaseMapping() {
  CloseMapped(&map_);
  unmapPending_ = false;
}

void Mapping::AddScan(const std::shared_ptr<ScanState>& state) { scans_.push_back(state); }

void Mapping::ForgetScan(const std::shared_ptr<ScanState>& state) {
  scans_.erase(std::remove(scans_.begin(), scans_.end(), state), scans_.end());
  if (scans_.empty() && unmapPending_) ReleaseMapping();
}

void Mapping::EnsureOpen(Napi::Env env) const {
  if (closed_) ThrowCoded(env, "ECLOSED", "the mapping of " + path_ + " is closed");
}

int64_t Mapping::CurrentFileSize() const { return FileSizeNow(map_); }

MapInfo Mapping::Info() const {
  MapInfo map;
  map.data = map_.data;
  map.size = map_.size;
  map.fd = map_.fd;
  // Holes may be skipped and pages dropped only while the file is what the mapping shows: in r (c and r+
  // pages may differ).
  map.readOnly = mode_ == MapMode::kRead;
  return map;
}

void Mapping::CheckRange(Napi::Env env, int64_t first, int64_t end, const char* what) const {
  if (first < 0 || end > map_.size || first > end) {
    ThrowCoded(env, "ERANGE",
               std::string(what) + " of bytes [" + std::to_string(first) + ", " + std::to_string(end) +
                   ") is outside the mapping of " + path_ + " (" + std::to_string(map_.size) + " bytes)");
  }
  // A private (c) mapping keeps pages it has copied, but unread pages still come from the file.
  int64_t now = CurrentFileSize();
  if (now >= 0 && now < end) {
    ThrowCoded(env, "ECHANGED",
               "file changed on disk: " + path_ + " is now " + std::to_string(now) + " bytes, it was " +
                   std::to_string(map_.size) + " when opened; reopen it");
  }
}

void Mapping::ThrowFault(Napi::Env env, int64_t end, bool writing, const char* doing) const {
  const int64_t now = CurrentFileSize();
  if (now >= 0 && now < end) {
    ThrowCoded(env, "ECHANGED",
               "file changed on disk: " + path_ + " was truncated while " + doing + "; reopen it");
  }
  // The file is still long enough, so nobody truncated it: the kernel could not back the page. Writing into a
  // hole of a sparse file (every w+ file starts as one) needs a new block, which a full disk cannot give; on
  // tmpfs even reading a hole allocates a page. A read fault is put down to space only when the file system
  // has no free blocks left; otherwise it is an I/O error.
  const bool full = writing || FileSystemFull(map_);
  if (full) {
    ThrowCoded(env, "ENOSPC",
               "no space left on device: " + path_ + " could not get disk space for the bytes before " +
                   std::to_string(end) + " while " + doing +
                   " (the file is sparse until written); free some space and try again");
  }
  ThrowCoded(env, "EIO",
             "the file system could not provide the bytes of " + path_ + " while " + doing +
                 " (an I/O error, or no space to back a sparse page)");
}

void Mapping::CopyOutBytes(Napi::Env env, int64_t offset, uint8_t* dst, int64_t n, bool checkFileSize) {
  if (checkFileSize)
    CheckRange(env, offset, offset + n, "read");
  else if (offset + n > map_.size)
    ThrowCoded(env, "ERANGE", "read is outside the mapping");
  if (!GuardedCopy(dst, map_.data + offset, static_cast<size_t>(n))) {
    ThrowFault(env, offset + n, false, "reading");
  }
}

void Mapping::EnsureWritable(Napi::Env env) const {
  if (mode_ == MapMode::kRead) {
    ThrowCoded(env, "EREADONLY",
               path_ +
                   " is open read-only (mode r): reopen it with mode r+ to edit the file, "
                   "or c to edit a private copy");
  }
}

void Mapping::WriteBytes(Napi::Env env, int64_t offset, const uint8_t* src, int64_t n) {
  CheckRange(env, offset, offset + n, "write");
  if (!GuardedCopy(map_.data + offset, src, static_cast<size_t>(n))) {
    ThrowFault(env, offset + n, true, "writing");
  }
}

void Mapping::GatherInto(Napi::Env env, const Window2D& w, uint8_t* dst) {
  int64_t first = 0, end = 0;
  WindowExtent(w, &first, &end);
  if (end > first) CheckRange(env, first, end, "window");
  if (!GatherWindow(map_.data, w, dst)) ThrowFault(env, end, false, "reading");
}

int64_t Mapping::CopyToFd(Napi::Env env, int out, int64_t offset, int64_t length) {
  CheckRange(env, offset, offset + length, "copy");
  // A page truncated meanwhile makes write fail with EFAULT: no SIGBUS.
  int64_t done = 0;
  Failure why;
  if (!WriteFromMapping(map_, path_, out, offset, length, &done, &why))
    ThrowCoded(env, why.code, why.message);
  return done;
}

void Mapping::FlushBytes(Napi::Env env, int64_t offset, int64_t length) {
  Failure why;
  if (!FlushRange(map_, path_, offset, length, &why)) ThrowCoded(env, why.code, why.message);
}

void Mapping::AdviseBytes(Advice advice, int64_t offset, int64_t length) {
  if (map_.data == nullptr || length == 0) return;
  AdviseRange(map_, mode_, advice, offset, length);
}

int64_t Mapping::ResidentIn(Napi::Env env, int64_t offset, int64_t length) {
  int64_t bytes = 0;
  Failure why;
  if (!ResidentBytes(map_, offset, length, &bytes, &why)) ThrowCoded(env, why.code, why.message);
  return bytes;
}

FileStat Mapping::StatNow(Napi::Env env) const {
  FileStat st;
  if (!StatFile(map_, &st)) ThrowCoded(env, "EIO", "cannot stat " + path_);
  return st;
}

}  // namespace arrayscope
