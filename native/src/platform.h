// The operating system under a Mapping: opening and mapping a file, unmapping it, flushing, advising, asking
// the file's size, identity and residency, and writing a range of the mapping to another file.
//
// Why a layer: mapping.cc (the mapping's state and checks) and mapping_js.cc (the Node-API surface) stay free
// of #ifdef; platform_posix.cc (open/mmap/msync/madvise/mincore/fstat) and platform_win.cc (CreateFileMapping
// …) implement this header, and binding.gyp compiles exactly one of them. Nothing here knows Node-API:
// failures come back as a Failure (an error code of native/index.d.ts and the message to show), which the
// caller throws.
#pragma once
#include <cstdint>
#include <string>

namespace arrayscope {

enum class MapMode { kRead, kReadWrite, kCopyOnWrite, kCreate };

// The mode as JS spells it ('r', 'r+', 'c', 'w+').
const char* ModeName(MapMode mode);

enum class Advice { kNormal, kRandom, kSequential, kWillNeed, kDontNeed };

// Why a platform call failed: the .code of the JS error and its message.
struct Failure {
  const char* code = "EIO";
  std::string message;
};

// One open, mapped file. data is null when the file is empty (nothing is mapped).
struct MappedFile {
  uint8_t* data = nullptr;
  int64_t size = 0;
  int fd = -1;              // POSIX: the open file (-1 where there is none to ask, as on Windows)
  void* file = nullptr;     // Windows: the file's HANDLE
  void* section = nullptr;  // Windows: the file mapping's HANDLE
};

// What stat() reports of the mapped file as it is now.
struct FileStat {
  int64_t size = 0;
  double mtimeMs = 0;
  uint64_t ino = 0;
  uint64_t dev = 0;
};

// Opens path in mode and maps all of it (w+: creates it, never through a symbolic link, with createSize
// bytes). False, with why filled, when it cannot; nothing is left open then.
bool OpenMapped(const std::string& path, MapMode mode, int64_t createSize, MappedFile* out, Failure* why);

// Unmaps and closes; m is empty afterwards. Safe on an empty m.
void CloseMapped(MappedFile* m);

// The file's length now (another process may have changed it), or -1 when it cannot be asked.
int64_t FileSizeNow(const MappedFile& m);

// True when the file system holding the file has no free blocks left (never known on Windows).
bool FileSystemFull(const MappedFile& m);

// Writes the mapped pages of [offset, offset + length) back to the file (r+ and w+).
bool FlushRange(const MappedFile& m, const std::string& path, int64_t offset, int64_t length, Failure* why);

// Advises the kernel on the pages of [offset, offset + length), a range inside the mapping. Does nothing
// where there is no such call (Windows).
void AdviseRange(const MappedFile& m, MapMode mode, Advice advice, int64_t offset, int64_t length);

// Bytes of [offset, offset + length) whose pages are in memory now; 0 where it cannot be asked (Windows).
bool ResidentBytes(const MappedFile& m, int64_t offset, int64_t length, int64_t* bytes, Failure* why);

bool StatFile(const MappedFile& m, FileStat* out);

// Writes the mapping's bytes [offset, offset + length) to the open file descriptor out at its position,
// straight from the mapping; *done counts the bytes written. Not available on Windows.
bool WriteFromMapping(const MappedFile& m, const std::string& path, int out, int64_t offset, int64_t length,
                      int64_t* done, Failure* why);

// Gives the file system back the blocks of [offset, offset + length) of an open file (they read as zeros
// after, the size unchanged): fallocate's PUNCH_HOLE on Linux, F_PUNCHHOLE on macOS. False where the file
// system or the platform cannot (Windows here), with nothing changed.
bool PunchHole(int fd, int64_t offset, int64_t length);

}  // namespace arrayscope
