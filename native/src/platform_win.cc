// platform.h on Windows: CreateFileW/CreateFileMappingW/MapViewOfFile. Compiled only there (binding.gyp).
// Mapped-view faults arrive as structured exceptions, which guard.cc turns into failed copies.
#include <windows.h>

#include <string>
#include <utility>

#include "platform.h"

namespace arrayscope {

namespace {

bool Fail(Failure* why, const char* code, std::string message) {
  why->code = code;
  why->message = std::move(message);
  return false;
}

}  // namespace

bool OpenMapped(const std::string& path, MapMode mode, int64_t createSize, MappedFile* out, Failure* why) {
  std::wstring wpath;
  {
    int n = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
    wpath.resize(n > 0 ? n - 1 : 0);
    if (n > 1) MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, &wpath[0], n);
  }
  DWORD access = GENERIC_READ;
  if (mode == MapMode::kReadWrite || mode == MapMode::kCreate) access |= GENERIC_WRITE;
  DWORD disposition = mode == MapMode::kCreate ? CREATE_ALWAYS : OPEN_EXISTING;
  HANDLE file = CreateFileW(wpath.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                            nullptr, disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return Fail(why, "EIO", "cannot open " + path);
  int64_t size = 0;
  if (mode == MapMode::kCreate) {
    LARGE_INTEGER li;
    li.QuadPart = createSize;
    if (!SetFilePointerEx(file, li, nullptr, FILE_BEGIN) || !SetEndOfFile(file)) {
      CloseHandle(file);
      return Fail(why, "EIO", "cannot size " + path);
    }
    size = createSize;
  } else {
    LARGE_INTEGER li;
    GetFileSizeEx(file, &li);
    size = li.QuadPart;
  }
  HANDLE section = nullptr;
  uint8_t* data = nullptr;
  if (size > 0) {
    DWORD protect = PAGE_READONLY, view = FILE_MAP_READ;
    if (mode == MapMode::kReadWrite || mode == MapMode::kCreate) {
      protect = PAGE_READWRITE;
      view = FILE_MAP_WRITE;
    } else if (mode == MapMode::kCopyOnWrite) {
      protect = PAGE_WRITECOPY;
      view = FILE_MAP_COPY;
    }
    section = CreateFileMappingW(file, nullptr, protect, 0, 0, nullptr);
    if (section == nullptr) {
      CloseHandle(file);
      return Fail(why, "EIO", "cannot map " + path);
    }
    void* p = MapViewOfFile(section, view, 0, 0, 0);
    if (p == nullptr) {
      CloseHandle(section);
      CloseHandle(file);
      return Fail(why, "EIO", "cannot map " + path);
    }
    data = static_cast<uint8_t*>(p);
  }
  out->data = data;
  out->size = size;
  out->file = file;
  out->section = section;
  return true;
}

void CloseMapped(MappedFile* m) {
  if (m->data != nullptr) UnmapViewOfFile(m->data);
  if (m->section != nullptr) CloseHandle(m->section);
  if (m->file != nullptr) CloseHandle(m->file);
  m->section = nullptr;
  m->file = nullptr;
  m->data = nullptr;
}

int64_t FileSizeNow(const MappedFile& m) {
  LARGE_INTEGER li;
  if (!GetFileSizeEx(static_cast<HANDLE>(m.file), &li)) return -1;
  return li.QuadPart;
}

bool FileSystemFull(const MappedFile&) { return false; }

bool FlushRange(const MappedFile& m, const std::string& path, int64_t offset, int64_t length, Failure* why) {
  if (!FlushViewOfFile(m.data + offset, static_cast<SIZE_T>(length)) ||
      !FlushFileBuffers(static_cast<HANDLE>(m.file))) {
    return Fail(why, "EIO", "flush of " + path + " failed");
  }
  return true;
}

void AdviseRange(const MappedFile&, MapMode, Advice, int64_t, int64_t) {}

bool ResidentBytes(const MappedFile&, int64_t, int64_t, int64_t* bytes, Failure*) {
  *bytes = 0;
  return true;
}

bool StatFile(const MappedFile& m, FileStat* out) {
  out->size = FileSizeNow(m);
  FILETIME ft;
  GetFileTime(static_cast<HANDLE>(m.file), nullptr, nullptr, &ft);
  ULARGE_INTEGER u;
  u.LowPart = ft.dwLowDateTime;
  u.HighPart = ft.dwHighDateTime;
  out->mtimeMs = static_cast<double>(u.QuadPart) / 1e4 - 11644473600000.0;
  // Node's fs.stat gives the same pair on Windows: the file index and the volume's serial number.
  BY_HANDLE_FILE_INFORMATION fi;
  const bool known = GetFileInformationByHandle(static_cast<HANDLE>(m.file), &fi) != 0;
  const uint64_t index = (static_cast<uint64_t>(fi.nFileIndexHigh) << 32) | fi.nFileIndexLow;
  out->ino = known ? index : 0;
  out->dev = known ? static_cast<uint64_t>(fi.dwVolumeSerialNumber) : 0;
  return true;
}

bool WriteFromMapping(const MappedFile&, const std::string&, int, int64_t, int64_t, int64_t* done,
                      Failure* why) {
  *done = 0;
  return Fail(why, "EINVAL", "copyTo is not available on Windows");
}

bool PunchHole(int, int64_t, int64_t) { return false; }  // a C runtime descriptor: not asked here

}  // namespace arrayscope
