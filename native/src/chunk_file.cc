// A chunk stored as a file of its own (a Zarr folder store's chunk object) read, decoded and written into a
// chunk grid's temporary copy in one call: on libuv's pool for the async form, so a chunk costs the event
// loop one hop there and back and no JS buffer at all. Done in JS, the same chunk was a readFile (open,
// fstat, read, close: four hops), a decode hop, a write hop and two fresh buffers (a 1 MiB output each chunk:
// a sixth of a warm scan's time went to the garbage collector); docs/architecture.md has the figures.
//
// The compressed and the decoded bytes live in buffers of the pool thread that are reused chunk after chunk.
// The decoded chunk's runs (the caller computes where each of its rows goes in the copy: chunkRuns in
// copy-writer.ts) are written with pwrite; an all-zero run is left out, a hole of the sparse copy, as the JS
// writer does. POSIX only (the service keeps its JS path on Windows).
#include "chunk_file.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "background_pool.h"
#include "blosc_decode.h"
#include "chunk_decode.h"
#include "coded_error.h"

namespace arrayscope {
namespace {

// Why a chunk did not go into the copy: BAD_DATA / TOO_LARGE (the chunk's bytes), READ (its file), WRITE (the
// copy), NO_BLOSC / UNSUPPORTED (this build or platform).
struct FileFailure {
  const char* code = "BAD_DATA";
  std::string message;
};

enum class Codec { kBlosc, kNone, kSteps };

struct Job {
  std::string path;
  int src = -1;  // an open file read instead of path (an HDF5 file's chunk: the range below)
  int dst = -1;
  Codec codec = Codec::kNone;
  std::vector<ChunkStepSpec> steps;  // kSteps: HDF5's filters undone (chunk_decode.h)
  size_t size = 0;                   // the decoded chunk's bytes
  std::vector<double> runs;          // [copy offset, chunk offset, length] triples
  int64_t offset = -1;               // >= 0: the chunk is bytes [offset, offset + length) of the file
  size_t length = 0;
};

// A buffer of this thread, reused chunk after chunk (dropped when a huge chunk made it huge).
struct Scratch {
  std::unique_ptr<uint8_t[]> data;
  size_t cap = 0;
  uint8_t* Get(size_t n) {
    if (n > cap) {
      data.reset(new uint8_t[n]);
      cap = n;
    }
    return data.get();
  }
  void Trim() {
    if (cap > (64u << 20)) data.reset(), cap = 0;
  }
};

#ifndef _WIN32
std::string Why(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool IsZero(const uint8_t* p, size_t n) { return n == 0 || (p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0); }

// Reads bytes [offset, offset + length) of an open file into the thread's input buffer; all of them or a
// TRUNCATED failure (the file ends before them).
bool ReadRange(const Job& j, Scratch* in, size_t* n, FileFailure* f) {
  uint8_t* buf = in->Get(j.length ? j.length : 1);
  size_t done = 0;
  while (done < j.length) {
    const ssize_t r = pread(j.src, buf + done, j.length - done, static_cast<off_t>(j.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return *f = {"READ", Why("read")}, false;
    if (r == 0) return *f = {"TRUNCATED", "its stored bytes end early (the file is truncated)"}, false;
    done += static_cast<size_t>(r);
  }
  *n = done;
  return true;
}

// Reads the whole file into the thread's input buffer; its length in *n.
bool ReadFile(const Job& j, Scratch* in, size_t* n, FileFailure* f) {
  if (j.offset >= 0) return ReadRange(j, in, n, f);
  const int fd = open(j.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return *f = {"READ", Why("open")}, false;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *f = {"READ", Why("fstat")};
    close(fd);
    return false;
  }
  // a compressor adds a header and a little per block to incompressible data: far more is a damaged chunk
  const size_t most = j.size + j.size / 16 + 4096;
  const size_t want = static_cast<size_t>(st.st_size);
  if (want > most) {
    close(fd);
    *f = {"TOO_LARGE",
          j.codec == Codec::kNone
              ? "it decodes to " + std::to_string(want) + " bytes, a chunk holds " + std::to_string(j.size)
              : "it is " + std::to_string(want) + " bytes, more than a chunk of " + std::to_string(j.size) +
                    " bytes can take compressed"};
    return false;
  }
  uint8_t* buf = in->Get(want ? want : 1);
  size_t done = 0;
  while (done < want) {
    const ssize_t r = pread(fd, buf + done, want - done, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      *f = {"READ", Why("read")};
      close(fd);
      return false;
    }
    if (r == 0) break;  // shrunk meanwhile: what is there is decoded (and found short)
    done += static_cast<size_t>(r);
  }
  close(fd);
  *n = done;
  return true;
}

bool Decode(const Job& j, const uint8_t* in, size_t n, uint8_t* out, FileFailure* f) {
  if (j.codec == Codec::kSteps) {
    size_t got = 0;
    try {
      got = RunChunkSteps(j.steps, in, n, out, j.size);
    } catch (const ChunkStepError& e) {
      return *f = {e.code, e.message}, false;
    }
    if (got != j.size) {
      *f = {"SIZE",
            "it decodes to " + std::to_string(got) + " bytes, a chunk holds " + std::to_string(j.size)};
      return false;
    }
    return true;
  }
  if (j.codec == Codec::kNone) {
    if (n != j.size) {
      *f = {"BAD_DATA",
            "it decodes to " + std::to_string(n) + " bytes, a chunk holds " + std::to_string(j.size)};
      return false;
    }
    std::memcpy(out, in, n);
    return true;
  }
  BloscFailure b;
  if (!BloscDecode(in, n, out, j.size, &b)) return *f = {b.code, b.message}, false;
  return true;
}

// Writes the runs that are not all zeros; *written counts their bytes.
bool WriteRuns(const Job& j, const uint8_t* out, double* written, FileFailure* f) {
  for (size_t k = 0; k + 2 < j.runs.size(); k += 3) {
    const auto to = static_cast<off_t>(j.runs[k]);
    const auto from = static_cast<size_t>(j.runs[k + 1]);
    const auto len = static_cast<size_t>(j.runs[k + 2]);
    if (IsZero(out + from, len)) continue;
    for (size_t done = 0; done < len;) {
      const ssize_t w = pwrite(j.dst, out + from + done, len - done, to + static_cast<off_t>(done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return *f = {"WRITE", Why("write")}, false;
      done += static_cast<size_t>(w);
    }
    *written += static_cast<double>(len);
  }
  return true;
}

bool Run(const Job& j, double* written, FileFailure* f) {
  thread_local Scratch in, out;
  size_t n = 0;
  bool ok = ReadFile(j, &in, &n, f);
  if (ok) ok = Decode(j, in.data.get(), n, out.Get(j.size ? j.size : 1), f);
  if (ok) ok = WriteRuns(j, out.data.get(), written, f);
  in.Trim();
  out.Trim();
  return ok;
}
#else
bool Run(const Job&, double*, FileFailure* f) {
  *f = {"UNSUPPORTED", "chunk files are read by the service on Windows"};
  return false;
}
#endif

bool Parse(const Napi::CallbackInfo& info, Job* j) {
  Napi::Env env = info.Env();
  auto fail = [&](const char* message) {
    Napi::RangeError::New(env, message).ThrowAsJavaScriptException();
    return false;
  };
  if (info.Length() < 5 || !(info[0].IsString() || info[0].IsNumber()) || !info[1].IsNumber() ||
      !(info[2].IsString() || info[2].IsArray()) || !info[3].IsNumber() || !info[4].IsTypedArray() ||
      info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    Napi::TypeError::New(env,
                         "usage: fillChunkFile(file: string | fd, dst: number, codec: 'blosc' | 'none' | "
                         "ChunkStep[], size: number, runs: Float64Array, range?: [offset, length], "
                         "background?: boolean)")
        .ThrowAsJavaScriptException();
    return false;
  }
  if (info[0].IsString())
    j->path = info[0].As<Napi::String>();
  else
    j->src = info[0].As<Napi::Number>().Int32Value();
  j->dst = info[1].As<Napi::Number>().Int32Value();
  if (info[2].IsArray()) {
    j->codec = Codec::kSteps;
    if (!ParseChunkSteps(env, info[2].As<Napi::Array>(), &j->steps)) return false;
  } else {
    const std::string codec = info[2].As<Napi::String>();
    if (codec == "blosc")
      j->codec = Codec::kBlosc;
    else if (codec == "none")
      j->codec = Codec::kNone;
    else
      return fail("fillChunkFile: codec is 'blosc', 'none' or a list of chunk steps");
  }
  const double size = info[3].As<Napi::Number>().DoubleValue();
  if (!(size >= 0 && size <= 1u << 30)) return fail("fillChunkFile: size is 0 to 1 GiB");
  j->size = static_cast<size_t>(size);
  Napi::Float64Array runs = info[4].As<Napi::Float64Array>();
  j->runs.assign(runs.Data(), runs.Data() + runs.ElementLength());
  for (size_t k = 0; k + 2 < j->runs.size(); k += 3) {
    const double to = j->runs[k], from = j->runs[k + 1], len = j->runs[k + 2];
    if (!(to >= 0 && from >= 0 && len >= 0 && from + len <= size))
      return fail("fillChunkFile: a run lies outside the chunk");
  }
  // a range of the file (an HDF5 chunk inside its file): needed with an fd, and only a chunk's stored size
  if (info.Length() > 5 && !info[5].IsUndefined()) {
    if (!info[5].IsArray() || info[5].As<Napi::Array>().Length() != 2)
      return fail("fillChunkFile: range is [offset, length]");
    const double off = info[5].As<Napi::Array>().Get(0u).ToNumber().DoubleValue();
    const double len = info[5].As<Napi::Array>().Get(1u).ToNumber().DoubleValue();
    if (!(off >= 0 && off <= 9007199254740991.0 && len >= 0 && len <= size + size / 16 + 4096))
      return fail("fillChunkFile: range is [offset ≥ 0, length at most a chunk's stored size]");
    j->offset = static_cast<int64_t>(off);
    j->length = static_cast<size_t>(len);
  }
  if (j->src >= 0 && j->offset < 0) return fail("fillChunkFile: a file given by descriptor needs a range");
  return true;
}

class FileWorker : public Napi::AsyncWorker {
 public:
  FileWorker(Napi::Env env, Job j)
      : Napi::AsyncWorker(env, "arrayscope:fillChunkFile"),
        deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(j)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override { ok_ = Run(job_, &written_, &failure_); }
  void OnOK() override {
    if (ok_)
      deferred_.Resolve(Napi::Number::New(Env(), written_));
    else
      deferred_.Reject(CodedError(Env(), failure_).Value());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Job job_;
  double written_ = 0;
  bool ok_ = false;
  FileFailure failure_;
};

// The same job on a background thread (background_pool.h): a fill ahead of a scan, niced while a table
// window's own decode on libuv's pool waits (YieldBackground). The promise settles on the JS thread through a
// thread-safe function made for the job and released after it.
struct BackgroundJob {
  Job job;
  Napi::Promise::Deferred deferred;
  Napi::ThreadSafeFunction done;
  double written = 0;
  bool ok = false;
  FileFailure failure;
};

Napi::Value QueueInBackground(Napi::Env env, Job j) {
  auto* b = new BackgroundJob{std::move(j), Napi::Promise::Deferred::New(env), {}, 0, false, {}};
  Napi::Promise p = b->deferred.Promise();
  b->done = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}),
                                          "arrayscope:fillChunkFileBackground", 0, 1);
  RunInBackground([b] {
    b->ok = Run(b->job, &b->written, &b->failure);
    Napi::ThreadSafeFunction done = b->done;  // b is deleted on the JS thread once settled
    const napi_status s = done.BlockingCall(b, [](Napi::Env e, Napi::Function, BackgroundJob* b) {
      if (b->ok)
        b->deferred.Resolve(Napi::Number::New(e, b->written));
      else
        b->deferred.Reject(CodedError(e, b->failure).Value());
      delete b;
    });
    if (s != napi_ok) delete b;  // the environment is closing: nobody awaits the promise any more
    done.Release();
  });
  return p;
}

}  // namespace

Napi::Value FillChunkFile(const Napi::CallbackInfo& info) {
  Job j;
  if (!Parse(info, &j)) return info.Env().Undefined();
  double written = 0;
  FileFailure f;
  if (!Run(j, &written, &f)) throw CodedError(info.Env(), f);
  return Napi::Number::New(info.Env(), written);
}

Napi::Value FillChunkFileAsync(const Napi::CallbackInfo& info) {
  Job j;
  if (!Parse(info, &j)) return info.Env().Undefined();
  // background (the 7th argument true): a fill's chunk, on the addon's own threads; else on libuv's pool
  if (info.Length() > 6 && info[6].IsBoolean() && info[6].As<Napi::Boolean>().Value())
    return QueueInBackground(info.Env(), std::move(j));
  auto* w = new FileWorker(info.Env(), std::move(j));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace arrayscope
