// Mapping: one memory-mapped file, private to the addon.
//
// The mapping is never exposed to JS as a Buffer (Electron's V8 memory cage forbids external backing stores,
// docs/architecture.md#own-addon-not-mmap-io): read/gather copy into Uint8Arrays that JS allocated, write
// copies out of them.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coded_error.h"
#include "pass.h"
#include "scan_state.h"

namespace arrayscope {

enum class MapMode { kRead, kReadWrite, kCopyOnWrite, kCreate };

class Mapping : public Napi::ObjectWrap<Mapping> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Mapping(const Napi::CallbackInfo& info);
  ~Mapping() override;

 private:
  Napi::Value Read(const Napi::CallbackInfo& info);
  Napi::Value ReadUnchecked(const Napi::CallbackInfo& info);
  // Copies [offset, offset + target.length) out of the mapping; checkFileSize: first check the file's size
  // now.
  Napi::Value CopyOut(const Napi::CallbackInfo& info, bool checkFileSize);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Gather(const Napi::CallbackInfo& info);
  Napi::Value CopyTo(const Napi::CallbackInfo& info);
  Napi::Value Scan(const Napi::CallbackInfo& info);
  Napi::Value ReadStream(const Napi::CallbackInfo& info);
  Napi::Value Resident(const Napi::CallbackInfo& info);
  // Dequantizes a window of a quantized (GGUF) tensor into float32 bytes (dequant_window.cc).
  Napi::Value Dequantize(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value Advise(const Napi::CallbackInfo& info);
  Napi::Value Stat(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetSize(const Napi::CallbackInfo& info);
  Napi::Value GetMode(const Napi::CallbackInfo& info);
  Napi::Value GetPath(const Napi::CallbackInfo& info);
  Napi::Value GetClosed(const Napi::CallbackInfo& info);

  void Unmap();
  void EnsureOpen(Napi::Env env) const;
  // Throws "file changed on disk" when [first, end) is no longer inside the file.
  void CheckRange(Napi::Env env, int64_t first, int64_t end, const char* what) const;
  int64_t CurrentFileSize() const;
  // A guarded copy faulted on [.., end): "file changed on disk" when the file is now shorter than end
  // (another process truncated it); otherwise the file system could not provide the page (a full disk under a
  // sparse w+ or r+ page, or an I/O error), which is said as such. writing: the fault happened while writing.
  [[noreturn]] void ThrowFault(Napi::Env env, int64_t end, bool writing, const char* doing) const;

  std::string path_;
  MapMode mode_ = MapMode::kRead;
  uint8_t* data_ = nullptr;
  int64_t size_ = 0;
  bool closed_ = true;
  // What passes and read streams need to know of the mapping.
  MapInfo Info() const;
  // False once closed: read streams (JS objects that may outlive the mapping) check it before every call.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(false);
  // Scans in flight read the mapping from worker threads: close() cancels them and unmaps when the last
  // settles.
  std::vector<std::shared_ptr<ScanState>> scans_;
  bool unmapPending_ = false;
  void ReleaseMapping();
#ifdef _WIN32
  void* file_ = nullptr;
  void* section_ = nullptr;
#else
  int fd_ = -1;
#endif
};

}  // namespace arrayscope
