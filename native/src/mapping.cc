#include "mapping.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>

#include "gather.h"
#include "guard.h"
#include "scan.h"
#include "view_js.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#endif

namespace arrayscope {

namespace {

constexpr int64_t kMaxSafe = 9007199254740991LL;  // 2^53 - 1

int64_t ToInt64(Napi::Env env, const Napi::Value& value, const char* name) {
  if (value.IsBigInt()) {
    bool lossless = false;
    int64_t v = value.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) ThrowCoded(env, "ERANGE", std::string(name) + " does not fit in 64 bits");
    return v;
  }
  if (value.IsNumber()) {
    double d = value.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > static_cast<double>(kMaxSafe)) {
      ThrowCoded(env, "EINVAL", std::string(name) + " must be an integer, got " + std::to_string(d));
    }
    return static_cast<int64_t>(d);
  }
  ThrowCoded(env, "EINVAL", std::string(name) + " must be a number or bigint");
}

int64_t ToOffset(Napi::Env env, const Napi::Value& value, const char* name) {
  int64_t v = ToInt64(env, value, name);
  if (v < 0) ThrowCoded(env, "ERANGE", std::string(name) + " must not be negative, got " + std::to_string(v));
  return v;
}

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

Napi::Uint8Array ToBytes(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowCoded(env, "EINVAL", std::string(name) + " must be a Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}

#ifndef _WIN32
std::string OpenErrorMessage(int err, const std::string& path, MapMode mode) {
  std::string m = ModeName(mode);
  switch (err) {
    case ENOENT:
      return "no such file: " + path;
    case EACCES:
    case EPERM:
      if (mode == MapMode::kReadWrite || mode == MapMode::kCreate)
        return "permission denied opening " + path + " for writing (mode " + m +
               "): open it with mode r or c, or change the file's permissions";
      return "permission denied reading " + path;
    case EISDIR:
      return path + " is a directory, not a file";
    case EROFS:
      return path + " is on a read-only file system: open it with mode r or c";
    case ENOTDIR:
      return "a part of " + path + " before its last name is a file, not a folder: check the path";
    case ENAMETOOLONG:
      return "the path " + path + " is too long for the file system: choose a shorter name";
    case ELOOP:
      if (mode == MapMode::kCreate)
        return path +
               " is a symbolic link: mode w+ does not create a file through a link; name the file itself";
      return "too many symbolic links while resolving " + path + ": check the links";
    case ENOSPC:
      return "no space left on device creating " + path + ": free some space or choose another folder";
    default:
      return "cannot open " + path + " (mode " + m + "): " + std::strerror(err);
  }
}

const char* ErrnoCode(int err) {
  switch (err) {
    case ENOENT:
      return "ENOENT";
    case EACCES:
      return "EACCES";
    case EPERM:
      return "EPERM";
    case EISDIR:
      return "EISDIR";
    case EROFS:
      return "EROFS";
    case ENOMEM:
      return "ENOMEM";
    case ENOSPC:
      return "ENOSPC";
#ifdef EDQUOT
    case EDQUOT:
      return "ENOSPC";
#endif
    case EFBIG:
      return "EFBIG";
    case ENOTDIR:
      return "ENOTDIR";
    case ENAMETOOLONG:
      return "ENAMETOOLONG";
    case ELOOP:
      return "ELOOP";
    default:
      return "EIO";
  }
}
#endif

}  // namespace

Napi::Function Mapping::Init(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "Mapping",
                                    {
                                        InstanceMethod<&Mapping::Read>("read"),
                                        InstanceMethod<&Mapping::ReadUnchecked>("readUnchecked"),
                                        InstanceMethod<&Mapping::Write>("write"),
                                        InstanceMethod<&Mapping::Gather>("gather"),
                                        InstanceMethod<&Mapping::CopyTo>("copyTo"),
                                        InstanceMethod<&Mapping::Scan>("scan"),
                                        InstanceMethod<&Mapping::ReadStream>("readStream"),
                                        InstanceMethod<&Mapping::Resident>("resident"),
                                        InstanceMethod<&Mapping::Dequantize>("dequantize"),
                                        InstanceMethod<&Mapping::Flush>("flush"),
                                        InstanceMethod<&Mapping::Advise>("advise"),
                                        InstanceMethod<&Mapping::Stat>("stat"),
                                        InstanceMethod<&Mapping::Close>("close"),
                                        InstanceAccessor<&Mapping::GetSize>("size"),
                                        InstanceAccessor<&Mapping::GetMode>("mode"),
                                        InstanceAccessor<&Mapping::GetPath>("path"),
                                        InstanceAccessor<&Mapping::GetClosed>("closed"),
                                    });
  // Kept so that a Mapping passed back from JS (a diff's second file) can be checked to be one.
  env.SetInstanceData<Napi::FunctionReference>(new Napi::FunctionReference(Napi::Persistent(ctor)));
  return ctor;
}

// new Mapping(path, mode, size?) — size is required for w+ (the new file's length) and ignored otherwise.
Mapping::Mapping(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Mapping>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    ThrowCoded(env, "EINVAL", "usage: new Mapping(path: string, mode: 'r'|'r+'|'c'|'w+', size?: number)");
  }
  path_ = info[0].As<Napi::String>().Utf8Value();
  const std::string mode = info[1].As<Napi::String>().Utf8Value();
  if (mode == "r")
    mode_ = MapMode::kRead;
  else if (mode == "r+")
    mode_ = MapMode::kReadWrite;
  else if (mode == "c")
    mode_ = MapMode::kCopyOnWrite;
  else if (mode == "w+")
    mode_ = MapMode::kCreate;
  else
    ThrowCoded(env, "EINVAL", "mode must be one of r, r+, c, w+; got '" + mode + "'");

  int64_t create_size = 0;
  if (mode_ == MapMode::kCreate) {
    if (info.Length() < 3) ThrowCoded(env, "EINVAL", "mode w+ needs the size of the file to create");
    create_size = ToOffset(env, info[2], "size");
  }

#ifndef _WIN32
  int flags = O_RDONLY;
  if (mode_ == MapMode::kReadWrite) flags = O_RDWR;
  // never through a symbolic link: the service creates files at their resolved real path, so a link found
  // here was planted after its check
  if (mode_ == MapMode::kCreate) flags = O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW;
  int fd = ::open(path_.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    ThrowCoded(env, ErrnoCode(err), OpenErrorMessage(err, path_, mode_));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    ThrowCoded(env, "EINVAL", path_ + " is not a regular file");
  }
  if (mode_ == MapMode::kCreate) {
    if (ftruncate(fd, static_cast<off_t>(create_size)) != 0) {
      int err = errno;
      ::close(fd);
      ThrowCoded(
          env, ErrnoCode(err),
          "cannot size " + path_ + " to " + std::to_string(create_size) + " bytes: " + std::strerror(err));
    }
    size_ = create_size;
  } else {
    size_ = static_cast<int64_t>(st.st_size);
  }
  if (size_ > 0) {
    int prot = PROT_READ;
    int mflags = MAP_SHARED;
    if (mode_ == MapMode::kReadWrite || mode_ == MapMode::kCreate) prot |= PROT_WRITE;
    if (mode_ == MapMode::kCopyOnWrite) {
      prot |= PROT_WRITE;
      // NORESERVE: only the pages edited need memory; without it the kernel's overcommit check charges the
      // whole file up front and refuses to map files larger than RAM + swap in mode c.
      mflags = MAP_PRIVATE | MAP_NORESERVE;
    }
    void* p = mmap(nullptr, static_cast<size_t>(size_), prot, mflags, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      ThrowCoded(env, ErrnoCode(err),
                 "cannot map " + path_ + " (" + std::to_string(size_) + " bytes): " + std::strerror(err));
    }
    data_ = static_cast<uint8_t*>(p);
  }
  fd_ = fd;
#else
  std::wstring wpath;
  {
    int n = MultiByteToWideChar(CP_UTF8, 0, path_.c_str(), -1, nullptr, 0);
    wpath.resize(n > 0 ? n - 1 : 0);
    if (n > 1) MultiByteToWideChar(CP_UTF8, 0, path_.c_str(), -1, &wpath[0], n);
  }
  DWORD access = GENERIC_READ;
  if (mode_ == MapMode::kReadWrite || mode_ == MapMode::kCreate) access |= GENERIC_WRITE;
  DWORD disposition = mode_ == MapMode::kCreate ? CREATE_ALWAYS : OPEN_EXISTING;
  HANDLE file = CreateFileW(wpath.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            nullptr, disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) ThrowCoded(env, "EIO", "cannot open " + path_);
  if (mode_ == MapMode::kCreate) {
    LARGE_INTEGER li;
    li.QuadPart = create_size;
    if (!SetFilePointerEx(file, li, nullptr, FILE_BEGIN) || !SetEndOfFile(file)) {
      CloseHandle(file);
      ThrowCoded(env, "EIO", "cannot size " + path_);
    }
    size_ = create_size;
  } else {
    LARGE_INTEGER li;
    GetFileSizeEx(file, &li);
    size_ = li.QuadPart;
  }
  if (size_ > 0) {
    DWORD protect = PAGE_READONLY, view = FILE_MAP_READ;
    if (mode_ == MapMode::kReadWrite || mode_ == MapMode::kCreate) {
      protect = PAGE_READWRITE;
      view = FILE_MAP_WRITE;
    } else if (mode_ == MapMode::kCopyOnWrite) {
      protect = PAGE_WRITECOPY;
      view = FILE_MAP_COPY;
    }
    HANDLE section = CreateFileMappingW(file, nullptr, protect, 0, 0, nullptr);
    if (section == nullptr) {
      CloseHandle(file);
      ThrowCoded(env, "EIO", "cannot map " + path_);
    }
    void* p = MapViewOfFile(section, view, 0, 0, 0);
    if (p == nullptr) {
      CloseHandle(section);
      CloseHandle(file);
      ThrowCoded(env, "EIO", "cannot map " + path_);
    }
    section_ = section;
    data_ = static_cast<uint8_t*>(p);
  }
  file_ = file;
#endif
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
#ifndef _WIN32
  if (data_ != nullptr) munmap(data_, static_cast<size_t>(size_));
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
#else
  if (data_ != nullptr) UnmapViewOfFile(data_);
  if (section_ != nullptr) CloseHandle(section_);
  if (file_ != nullptr) CloseHandle(file_);
  section_ = nullptr;
  file_ = nullptr;
#endif
  data_ = nullptr;
  unmapPending_ = false;
}

void Mapping::EnsureOpen(Napi::Env env) const {
  if (closed_) ThrowCoded(env, "ECLOSED", "the mapping of " + path_ + " is closed");
}

int64_t Mapping::CurrentFileSize() const {
#ifndef _WIN32
  struct stat st;
  if (fstat(fd_, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
#else
  LARGE_INTEGER li;
  if (!GetFileSizeEx(static_cast<HANDLE>(file_), &li)) return -1;
  return li.QuadPart;
#endif
}

void Mapping::CheckRange(Napi::Env env, int64_t first, int64_t end, const char* what) const {
  if (first < 0 || end > size_ || first > end) {
    ThrowCoded(env, "ERANGE",
               std::string(what) + " of bytes [" + std::to_string(first) + ", " + std::to_string(end) +
                   ") is outside the mapping of " + path_ + " (" + std::to_string(size_) + " bytes)");
  }
  // A private (c) mapping keeps pages it has copied, but unread pages still come from the file.
  int64_t now = CurrentFileSize();
  if (now >= 0 && now < end) {
    ThrowCoded(env, "ECHANGED",
               "file changed on disk: " + path_ + " is now " + std::to_string(now) + " bytes, it was " +
                   std::to_string(size_) + " when opened; reopen it");
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
  bool full = writing;
#ifndef _WIN32
  struct statvfs vfs;
  if (!full && fstatvfs(fd_, &vfs) == 0 && vfs.f_bavail == 0) full = true;
#endif
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

// read(offset, target: Uint8Array) -> number of bytes copied (target.length)
Napi::Value Mapping::Read(const Napi::CallbackInfo& info) { return CopyOut(info, true); }

// readUnchecked(offset, target): read without the file-size check, so that only the SIGBUS guard stands
// between a truncated file and a crash. Exists to test that guard (a race no test can time).
Napi::Value Mapping::ReadUnchecked(const Napi::CallbackInfo& info) { return CopyOut(info, false); }

Napi::Value Mapping::CopyOut(const Napi::CallbackInfo& info, bool checkFileSize) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  int64_t offset = ToOffset(env, info[0], "offset");
  Napi::Uint8Array target = ToBytes(env, info[1], "target");
  int64_t n = static_cast<int64_t>(target.ByteLength());
  if (offset > kMaxSafe - n) ThrowCoded(env, "ERANGE", "offset + length overflows");
  if (checkFileSize)
    CheckRange(env, offset, offset + n, "read");
  else if (offset + n > size_)
    ThrowCoded(env, "ERANGE", "read is outside the mapping");
  if (!GuardedCopy(target.Data(), data_ + offset, static_cast<size_t>(n))) {
    ThrowFault(env, offset + n, false, "reading");
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// copyTo(fd, offset, length) -> bytes written: appends the mapping's bytes [offset, offset + length) to the
// open file fd at its position by write(2) straight from the mapping, with no copy through JS (what numpy's
// tofile does). A page truncated meanwhile makes write fail with EFAULT: no SIGBUS.
Napi::Value Mapping::CopyTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 3 || !info[0].IsNumber())
    ThrowCoded(env, "EINVAL", "copyTo needs (fd, offset, length)");
  const int out = info[0].As<Napi::Number>().Int32Value();
  const int64_t offset = ToOffset(env, info[1], "offset");
  const int64_t length = ToOffset(env, info[2], "length");
  if (offset > kMaxSafe - length) ThrowCoded(env, "ERANGE", "offset + length overflows");
  CheckRange(env, offset, offset + length, "copy");
#ifdef _WIN32
  (void)out;
  ThrowCoded(env, "EINVAL", "copyTo is not available on Windows");
#else
  // In 32 KiB writes. The kernel sizes the page-cache folios of the output by the write, and 32 KiB (order 3)
  // is the largest it takes from its per-CPU lists of recently freed pages. Larger folios come from the free
  // blocks, which a VM with free page reporting (this machine: page_reporting_order=11) has handed back to
  // its host: the copy into them ran at 0.4 GB/s (perf: 95% in copy_folio_from_iter_atomic), 2.4 s per GiB
  // from a session's mapping whose pages earlier reads had mapped. Warm 1 GiB here: 16 MiB writes 253–2267
  // ms, 32 KiB writes 271–303 ms (one 636), numpy's tofile 420–440 ms.
  constexpr int64_t kPiece = 32 << 10;
  int64_t done = 0;
  while (done < length) {
    const size_t chunk = static_cast<size_t>(std::min<int64_t>(length - done, kPiece));
    const ssize_t n = ::write(out, data_ + offset + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EFAULT)
      ThrowCoded(env, "ECHANGED",
                 "file changed on disk: " + path_ + " was truncated while copying; reopen it");
    if (n < 0 && (errno == ENOSPC
#ifdef EDQUOT
                  || errno == EDQUOT
#endif
                  )) {
      ThrowCoded(
          env, "ENOSPC",
          "no space left on device while writing the export: free some space or choose another folder");
    }
    if (n <= 0) ThrowCoded(env, "EIO", std::string("cannot write the export: ") + std::strerror(errno));
    done += n;
  }
  return Napi::Number::New(env, static_cast<double>(done));
#endif
}

// write(offset, source: Uint8Array) -> number of bytes copied
Napi::Value Mapping::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (mode_ == MapMode::kRead) {
    ThrowCoded(env, "EREADONLY",
               path_ +
                   " is open read-only (mode r): reopen it with mode r+ to edit the file, "
                   "or c to edit a private copy");
  }
  int64_t offset = ToOffset(env, info[0], "offset");
  Napi::Uint8Array source = ToBytes(env, info[1], "source");
  int64_t n = static_cast<int64_t>(source.ByteLength());
  if (offset > kMaxSafe - n) ThrowCoded(env, "ERANGE", "offset + length overflows");
  CheckRange(env, offset, offset + n, "write");
  if (!GuardedCopy(data_ + offset, source.Data(), static_cast<size_t>(n))) {
    ThrowFault(env, offset + n, true, "writing");
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// gather({base, rows, cols, rowStride, colStride, itemsize}, target: Uint8Array)
Napi::Value Mapping::Gather(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (!info[0].IsObject())
    ThrowCoded(env, "EINVAL", "gather needs a window {base, rows, cols, rowStride, colStride, itemsize}");
  Napi::Object spec = info[0].As<Napi::Object>();
  Window2D w;
  w.base = ToOffset(env, spec.Get("base"), "base");
  w.rows = ToOffset(env, spec.Get("rows"), "rows");
  w.cols = ToOffset(env, spec.Get("cols"), "cols");
  w.rowStride = ToInt64(env, spec.Get("rowStride"), "rowStride");
  w.colStride = ToInt64(env, spec.Get("colStride"), "colStride");
  w.itemsize = ToOffset(env, spec.Get("itemsize"), "itemsize");
  Napi::Uint8Array target = ToBytes(env, info[1], "target");
  if (w.itemsize == 0) ThrowCoded(env, "EINVAL", "itemsize must be positive");
  // Guard against overflow in rows*cols*itemsize and in the extent computation.
  const double cells =
      static_cast<double>(w.rows) * static_cast<double>(w.cols) * static_cast<double>(w.itemsize);
  if (cells != static_cast<double>(target.ByteLength())) {
    ThrowCoded(env, "EINVAL",
               "target has " + std::to_string(target.ByteLength()) + " bytes, the window needs " +
                   std::to_string(static_cast<int64_t>(cells)));
  }
  const double reach = std::fabs(static_cast<double>(w.rowStride)) * static_cast<double>(w.rows) +
                       std::fabs(static_cast<double>(w.colStride)) * static_cast<double>(w.cols);
  if (reach > static_cast<double>(kMaxSafe)) ThrowCoded(env, "ERANGE", "window strides overflow");
  int64_t first = 0, end = 0;
  WindowExtent(w, &first, &end);
  if (end > first) CheckRange(env, first, end, "window");
  if (!GatherWindow(data_, w, target.Data())) ThrowFault(env, end, false, "reading");
  return env.Undefined();
}

// scan(spec, onProgress?) -> {promise, cancel()}: a whole-view kernel on worker threads (see scan.h).
Napi::Value Mapping::Scan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  // A diff reads a second mapping (spec.b.mapping): it is kept open and alive while the scan runs, and
  // closing it cancels the scan as closing this one does.
  Mapping* other = nullptr;
  Napi::Object otherObj;
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Object spec = info[0].As<Napi::Object>();
    if (spec.Get("op").ToString().Utf8Value() == "diff") {
      Napi::Value b = spec.Get("b");
      Napi::Value m = b.IsObject() ? b.As<Napi::Object>().Get("mapping") : env.Undefined();
      Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
      if (!m.IsObject() || ctor == nullptr || !m.As<Napi::Object>().InstanceOf(ctor->Value()))
        ThrowCoded(env, "EINVAL", "a diff needs b.mapping: the Mapping of the other file");
      otherObj = m.As<Napi::Object>();
      other = Napi::ObjectWrap<Mapping>::Unwrap(otherObj);
      other->EnsureOpen(env);
      if (other == this) other = nullptr;
    }
  }
  auto state = std::make_shared<ScanState>();
  auto forget = [state](Mapping* m) {
    m->scans_.erase(std::remove(m->scans_.begin(), m->scans_.end(), state), m->scans_.end());
    if (m->scans_.empty() && m->unmapPending_) m->ReleaseMapping();
  };
  scans_.push_back(state);
  if (other) other->scans_.push_back(state);
  std::vector<Napi::Object> owners{Value()};
  if (other) owners.push_back(otherObj);
  Napi::Value handle;
  try {
    handle = StartScan(info, Info(), other ? other->Info() : Info(), owners, state, [this, other, forget] {
      forget(this);
      if (other) forget(other);
    });
  } catch (...) {
    forget(this);
    if (other) forget(other);
    throw;
  }
  return handle;
}

MapInfo Mapping::Info() const {
  MapInfo map;
  map.data = data_;
  map.size = size_;
#ifndef _WIN32
  map.fd = fd_;
#endif
  // Holes may be skipped and pages dropped only while the file is what the mapping shows: in r (c and r+
  // pages may differ).
  map.readOnly = mode_ == MapMode::kRead;
  return map;
}

// readStream({base, shape, strides, itemsize}) -> {ahead(i0, i1), retire(), close()}: readahead for a reader
// in JS that walks a view's flat elements in order (exports, the CLI's show): ahead asks for the pages of
// elements [i0, i1) that are not in memory; retire says the oldest range asked for is consumed (and, for a
// view larger than half of memory in mode r, drops the pages it read in); close retires everything. Each
// returns bytes.
Napi::Value Mapping::ReadStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 1 || !info[0].IsObject()) ThrowCoded(env, "EINVAL", "readStream needs a view");
  Napi::Object spec = info[0].As<Napi::Object>();
  const int64_t itemsize = GetInt(env, spec, "itemsize", "readStream view");
  if (itemsize < 1) ThrowCoded(env, "EINVAL", "readStream: itemsize must be positive");
  struct State {
    Prefetcher pf;
    ViewSpec view;
    int64_t itemsize, count;
    std::shared_ptr<bool> alive;
    std::vector<ByteRange> ranges;
  };
  ViewSpec view = ParseViewSpec(env, spec, itemsize, size_, "readStream view");
  int64_t first = 0, end = 0;
  const int64_t count = view.size();
  if (count > 0) view.Extent(itemsize, &first, &end);
  const MapInfo map = Info();
  auto st = std::make_shared<State>(
      State{Prefetcher(map, ShouldDropBehind(map, end)), view, itemsize, count, alive_, {}});
  Napi::Object out = Napi::Object::New(env);
  out.Set("ahead", Napi::Function::New(env, [st](const Napi::CallbackInfo& ci) {
            Napi::Env e = ci.Env();
            if (ci.Length() < 2 || !ci[0].IsNumber() || !ci[1].IsNumber())
              ThrowCoded(e, "EINVAL", "ahead needs (i0, i1)");
            const int64_t i0 = std::max<int64_t>(0, ci[0].As<Napi::Number>().Int64Value());
            const int64_t i1 = std::min(st->count, ci[1].As<Napi::Number>().Int64Value());
            if (!*st->alive || i0 >= i1) return Napi::Number::New(e, 0);
            ChunkRanges(st->view, st->itemsize, i0, i1, st->ranges);
            return Napi::Number::New(e, static_cast<double>(st->pf.Issue(st->ranges)));
          }));
  out.Set("retire", Napi::Function::New(env, [st](const Napi::CallbackInfo& ci) {
            if (!*st->alive) return Napi::Number::New(ci.Env(), 0);
            return Napi::Number::New(ci.Env(), static_cast<double>(st->pf.Retire()));
          }));
  out.Set("close", Napi::Function::New(env, [st](const Napi::CallbackInfo& ci) {
            int64_t n = 0;
            while (*st->alive && !st->pf.Empty()) n += st->pf.Retire();
            return Napi::Number::New(ci.Env(), static_cast<double>(n));
          }));
  return out;
}

// resident(offset?, length?) -> bytes of the range whose pages are in memory now (mincore): what a pass left
// in the page cache, for tests and benchmarks.
Napi::Value Mapping::Resident(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const int64_t offset = info.Length() > 0 && !info[0].IsUndefined() ? ToOffset(env, info[0], "offset") : 0;
  const int64_t length =
      info.Length() > 1 && !info[1].IsUndefined() ? ToOffset(env, info[1], "length") : size_ - offset;
  if (offset > size_ || length > size_ - offset)
    ThrowCoded(env, "ERANGE", "resident range is outside the mapping");
  int64_t bytes = 0;
#ifndef _WIN32
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page, end = offset + length;
  std::vector<unsigned char> vec(1 << 16);
  for (int64_t at = start; at < end;) {
    const int64_t n = std::min<int64_t>(end - at, static_cast<int64_t>(vec.size()) * page);
    if (mincore(data_ + at, static_cast<size_t>(n), vec.data()) != 0)
      ThrowCoded(env, "EIO", std::string("mincore failed: ") + std::strerror(errno));
    for (int64_t k = 0; k < (n + page - 1) / page; ++k) {
      if (!(vec[k] & 1)) continue;
      const int64_t a = std::max(offset, at + k * page), b = std::min(end, at + (k + 1) * page);
      bytes += b - a;
    }
    at += n;
  }
#endif
  return Napi::Number::New(env, static_cast<double>(bytes));
}

// flush(offset?, length?) — msync for r+/w+; nothing to do for r and c (the file never sees c's pages).
Napi::Value Mapping::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (mode_ == MapMode::kRead || mode_ == MapMode::kCopyOnWrite || data_ == nullptr) return env.Undefined();
  int64_t offset = info.Length() > 0 && !info[0].IsUndefined() ? ToOffset(env, info[0], "offset") : 0;
  int64_t length =
      info.Length() > 1 && !info[1].IsUndefined() ? ToOffset(env, info[1], "length") : size_ - offset;
  if (offset > size_ || length > size_ - offset)
    ThrowCoded(env, "ERANGE", "flush range is outside the mapping");
#ifndef _WIN32
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page;
  if (msync(data_ + start, static_cast<size_t>(length + (offset - start)), MS_SYNC) != 0) {
    const int err = errno;
    if (err == ENOSPC) {
      ThrowCoded(env, "ENOSPC",
                 "no space left on device: the flush of " + path_ +
                     " could not write its pages; free some space and flush again");
    }
    ThrowCoded(env, "EIO", "flush of " + path_ + " failed: " + std::strerror(err));
  }
#else
  if (!FlushViewOfFile(data_ + offset, static_cast<SIZE_T>(length)) ||
      !FlushFileBuffers(static_cast<HANDLE>(file_))) {
    ThrowCoded(env, "EIO", "flush of " + path_ + " failed");
  }
#endif
  return env.Undefined();
}

// advise(kind: 'normal'|'random'|'sequential'|'willneed'|'dontneed', offset?, length?)
Napi::Value Mapping::Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 1 || !info[0].IsString()) ThrowCoded(env, "EINVAL", "advise needs a kind");
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  int64_t offset = info.Length() > 1 && !info[1].IsUndefined() ? ToOffset(env, info[1], "offset") : 0;
  int64_t length =
      info.Length() > 2 && !info[2].IsUndefined() ? ToOffset(env, info[2], "length") : size_ - offset;
  if (offset > size_ || length > size_ - offset)
    ThrowCoded(env, "ERANGE", "advise range is outside the mapping");
#ifndef _WIN32
  int advice;
  if (kind == "normal")
    advice = MADV_NORMAL;
  else if (kind == "random")
    advice = MADV_RANDOM;
  else if (kind == "sequential")
    advice = MADV_SEQUENTIAL;
  else if (kind == "willneed")
    advice = MADV_WILLNEED;
  else if (kind == "dontneed")
    advice = MADV_DONTNEED;
  else
    ThrowCoded(env, "EINVAL", "advise kind must be normal, random, sequential, willneed or dontneed");
  if (data_ == nullptr || length == 0) return env.Undefined();
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page;
  // MADV_DONTNEED on a private mapping would drop the user's unsaved c-mode edits: never do that.
  if (advice == MADV_DONTNEED && mode_ == MapMode::kCopyOnWrite) return env.Undefined();
  madvise(data_ + start, static_cast<size_t>(length + (offset - start)), advice);
#else
  (void)kind;
#endif
  return env.Undefined();
}

// stat() -> {size, mtimeMs, ino, dev} of the mapped file as it is now (detects changes by other processes).
// ino and dev (bigints) identify the mapped file, so the service can tell whether its path still names it.
Napi::Value Mapping::Stat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  Napi::Object out = Napi::Object::New(env);
#ifndef _WIN32
  struct stat st;
  if (fstat(fd_, &st) != 0) ThrowCoded(env, "EIO", "cannot stat " + path_);
  out.Set("size", Napi::Number::New(env, static_cast<double>(st.st_size)));
  out.Set("mtimeMs", Napi::Number::New(env, static_cast<double>(st.st_mtim.tv_sec) * 1e3 +
                                                static_cast<double>(st.st_mtim.tv_nsec) / 1e6));
  out.Set("ino", Napi::BigInt::New(env, static_cast<uint64_t>(st.st_ino)));
  out.Set("dev", Napi::BigInt::New(env, static_cast<uint64_t>(st.st_dev)));
#else
  out.Set("size", Napi::Number::New(env, static_cast<double>(CurrentFileSize())));
  FILETIME ft;
  GetFileTime(static_cast<HANDLE>(file_), nullptr, nullptr, &ft);
  ULARGE_INTEGER u;
  u.LowPart = ft.dwLowDateTime;
  u.HighPart = ft.dwHighDateTime;
  out.Set("mtimeMs", Napi::Number::New(env, static_cast<double>(u.QuadPart) / 1e4 - 11644473600000.0));
  // Node's fs.stat gives the same pair on Windows: the file index and the volume's serial number.
  BY_HANDLE_FILE_INFORMATION fi;
  const bool known = GetFileInformationByHandle(static_cast<HANDLE>(file_), &fi) != 0;
  const uint64_t index = (static_cast<uint64_t>(fi.nFileIndexHigh) << 32) | fi.nFileIndexLow;
  out.Set("ino", Napi::BigInt::New(env, known ? index : 0));
  out.Set("dev", Napi::BigInt::New(env, known ? static_cast<uint64_t>(fi.dwVolumeSerialNumber) : 0));
#endif
  return out;
}

Napi::Value Mapping::Close(const Napi::CallbackInfo& info) {
  Unmap();
  return info.Env().Undefined();
}

Napi::Value Mapping::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(size_));
}
Napi::Value Mapping::GetMode(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ModeName(mode_));
}
Napi::Value Mapping::GetPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), path_); }
Napi::Value Mapping::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), closed_);
}

}  // namespace arrayscope
