// platform.h on Linux and macOS: open/mmap/msync/madvise/mincore/fstat/write.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "platform.h"

namespace arrayscope {

namespace {

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

bool Fail(Failure* why, const char* code, std::string message) {
  why->code = code;
  why->message = std::move(message);
  return false;
}

}  // namespace

bool OpenMapped(const std::string& path, MapMode mode, int64_t createSize, MappedFile* out, Failure* why) {
  int flags = O_RDONLY;
  if (mode == MapMode::kReadWrite) flags = O_RDWR;
  // never through a symbolic link: the service creates files at their resolved real path, so a link found
  // here was planted after its check
  if (mode == MapMode::kCreate) flags = O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW;
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return Fail(why, ErrnoCode(err), OpenErrorMessage(err, path, mode));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(why, "EINVAL", path + " is not a regular file");
  }
  int64_t size = 0;
  if (mode == MapMode::kCreate) {
    if (ftruncate(fd, static_cast<off_t>(createSize)) != 0) {
      int err = errno;
      ::close(fd);
      return Fail(
          why, ErrnoCode(err),
          "cannot size " + path + " to " + std::to_string(createSize) + " bytes: " + std::strerror(err));
    }
    size = createSize;
  } else {
    size = static_cast<int64_t>(st.st_size);
  }
  uint8_t* data = nullptr;
  if (size > 0) {
    int prot = PROT_READ;
    int mflags = MAP_SHARED;
    if (mode == MapMode::kReadWrite || mode == MapMode::kCreate) prot |= PROT_WRITE;
    if (mode == MapMode::kCopyOnWrite) {
      prot |= PROT_WRITE;
      // NORESERVE: only the pages edited need memory; without it the kernel's overcommit check charges the
      // whole file up front and refuses to map files larger than RAM + swap in mode c.
      mflags = MAP_PRIVATE | MAP_NORESERVE;
    }
    void* p = mmap(nullptr, static_cast<size_t>(size), prot, mflags, fd, 0);
    if (p == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return Fail(why, ErrnoCode(err),
                  "cannot map " + path + " (" + std::to_string(size) + " bytes): " + std::strerror(err));
    }
    data = static_cast<uint8_t*>(p);
  }
  out->data = data;
  out->size = size;
  out->fd = fd;
  return true;
}

void CloseMapped(MappedFile* m) {
  if (m->data != nullptr) munmap(m->data, static_cast<size_t>(m->size));
  if (m->fd >= 0) ::close(m->fd);
  m->fd = -1;
  m->data = nullptr;
}

int64_t FileSizeNow(const MappedFile& m) {
  struct stat st;
  if (fstat(m.fd, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

bool FileSystemFull(const MappedFile& m) {
  struct statvfs vfs;
  return fstatvfs(m.fd, &vfs) == 0 && vfs.f_bavail == 0;
}

bool FlushRange(const MappedFile& m, const std::string& path, int64_t offset, int64_t length, Failure* why) {
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page;
  if (msync(m.data + start, static_cast<size_t>(length + (offset - start)), MS_SYNC) != 0) {
    const int err = errno;
    if (err == ENOSPC) {
      return Fail(why, "ENOSPC",
                  "no space left on device: the flush of " + path +
                      " could not write its pages; free some space and flush again");
    }
    return Fail(why, "EIO", "flush of " + path + " failed: " + std::strerror(err));
  }
  return true;
}

void AdviseRange(const MappedFile& m, MapMode mode, Advice advice, int64_t offset, int64_t length) {
  int native = MADV_NORMAL;
  switch (advice) {
    case Advice::kNormal:
      native = MADV_NORMAL;
      break;
    case Advice::kRandom:
      native = MADV_RANDOM;
      break;
    case Advice::kSequential:
      native = MADV_SEQUENTIAL;
      break;
    case Advice::kWillNeed:
      native = MADV_WILLNEED;
      break;
    case Advice::kDontNeed:
      native = MADV_DONTNEED;
      break;
  }
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page;
  // MADV_DONTNEED on a private mapping would drop the user's unsaved c-mode edits: never do that.
  if (native == MADV_DONTNEED && mode == MapMode::kCopyOnWrite) return;
  madvise(m.data + start, static_cast<size_t>(length + (offset - start)), native);
}

bool ResidentBytes(const MappedFile& m, int64_t offset, int64_t length, int64_t* bytes, Failure* why) {
  *bytes = 0;
  const int64_t page = sysconf(_SC_PAGESIZE);
  const int64_t start = offset - offset % page, end = offset + length;
  std::vector<unsigned char> vec(1 << 16);
  for (int64_t at = start; at < end;) {
    const int64_t n = std::min<int64_t>(end - at, static_cast<int64_t>(vec.size()) * page);
    if (mincore(m.data + at, static_cast<size_t>(n), vec.data()) != 0)
      return Fail(why, "EIO", std::string("mincore failed: ") + std::strerror(errno));
    for (int64_t k = 0; k < (n + page - 1) / page; ++k) {
      if (!(vec[k] & 1)) continue;
      const int64_t a = std::max(offset, at + k * page), b = std::min(end, at + (k + 1) * page);
      *bytes += b - a;
    }
    at += n;
  }
  return true;
}

bool StatFile(const MappedFile& m, FileStat* out) {
  struct stat st;
  if (fstat(m.fd, &st) != 0) return false;
  out->size = static_cast<int64_t>(st.st_size);
  out->mtimeMs = static_cast<double>(st.st_mtim.tv_sec) * 1e3 + static_cast<double>(st.st_mtim.tv_nsec) / 1e6;
  out->ino = static_cast<uint64_t>(st.st_ino);
  out->dev = static_cast<uint64_t>(st.st_dev);
  return true;
}

bool WriteFromMapping(const MappedFile& m, const std::string& path, int out, int64_t offset, int64_t length,
                      int64_t* done, Failure* why) {
  // In 32 KiB writes. The kernel sizes the page-cache folios of the output by the write, and 32 KiB (order 3)
  // is the largest it takes from its per-CPU lists of recently freed pages. Larger folios come from the free
  // blocks, which a VM with free page reporting (this machine: page_reporting_order=11) has handed back to
  // its host: the copy into them ran at 0.4 GB/s (perf: 95% in copy_folio_from_iter_atomic), 2.4 s per GiB
  // from a session's mapping whose pages earlier reads had mapped. Warm 1 GiB here: 16 MiB writes 253–2267
  // ms, 32 KiB writes 271–303 ms (one 636), numpy's tofile 420–440 ms.
  constexpr int64_t kPiece = 32 << 10;
  *done = 0;
  while (*done < length) {
    const size_t chunk = static_cast<size_t>(std::min<int64_t>(length - *done, kPiece));
    const ssize_t n = ::write(out, m.data + offset + *done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EFAULT)
      return Fail(why, "ECHANGED",
                  "file changed on disk: " + path + " was truncated while copying; reopen it");
    if (n < 0 && (errno == ENOSPC
#ifdef EDQUOT
                  || errno == EDQUOT
#endif
                  )) {
      return Fail(
          why, "ENOSPC",
          "no space left on device while writing the export: free some space or choose another folder");
    }
    if (n <= 0) return Fail(why, "EIO", std::string("cannot write the export: ") + std::strerror(errno));
    *done += n;
  }
  return true;
}

bool PunchHole(int fd, int64_t offset, int64_t length) {
  if (fd < 0 || offset < 0 || length <= 0) return false;
#if defined(__linux__)
  return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                   static_cast<off_t>(length)) == 0;
#elif defined(__APPLE__) && defined(F_PUNCHHOLE)
  fpunchhole_t hole{};
  hole.fp_offset = offset;
  hole.fp_length = length;
  return fcntl(fd, F_PUNCHHOLE, &hole) == 0;
#else
  return false;
#endif
}

}  // namespace arrayscope
