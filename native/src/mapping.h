// Mapping: one memory-mapped file, private to the addon.
//
// The mapping is never exposed to JS as a Buffer (Electron's V8 memory cage forbids external backing stores,
// docs/architecture.md#own-addon-not-mmap-io): read/gather copy into Uint8Arrays that JS allocated, write
// copies out of them.
//
// Three layers: mapping_js.cc is the Node-API surface (Init, the constructor and the methods JS calls: they
// parse and check their arguments and call the typed operations below); mapping.cc holds the mapping's state,
// its range and change checks and the SIGBUS-guarded copies; platform.h is the operating system under both.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coded_error.h"
#include "gather.h"
#include "pass.h"
#include "platform.h"
#include "scan_state.h"

namespace arrayscope {

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

  // The typed operations (mapping.cc); each throws a coded JS error when it cannot.
  // Opens path_ in mode_ (w+: createSize bytes).
  void Open(Napi::Env env, int64_t createSize);
  // Copies [offset, offset + n) into dst; checkFileSize: first check the file's size now.
  void CopyOutBytes(Napi::Env env, int64_t offset, uint8_t* dst, int64_t n, bool checkFileSize);
  void EnsureWritable(Napi::Env env) const;
  void WriteBytes(Napi::Env env, int64_t offset, const uint8_t* src, int64_t n);
  void GatherInto(Napi::Env env, const Window2D& w, uint8_t* dst);
  // Writes [offset, offset + length) to the open file descriptor out; returns the bytes written.
  int64_t CopyToFd(Napi::Env env, int out, int64_t offset, int64_t length);
  void FlushBytes(Napi::Env env, int64_t offset, int64_t length);
  void AdviseBytes(Advice advice, int64_t offset, int64_t length);
  int64_t ResidentIn(Napi::Env env, int64_t offset, int64_t length);
  FileStat StatNow(Napi::Env env) const;
  // Keeps the mapping while a scan reads it; Forget unmaps after the last one when close() came meanwhile.
  void AddScan(const std::shared_ptr<ScanState>& state);
  void ForgetScan(const std::shared_ptr<ScanState>& state);

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
  // The open file and its mapped bytes (map_.data, map_.size).
  MappedFile map_;
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
};

}  // namespace arrayscope
