// The Node-API surface of Mapping: Init, the constructor and the methods JS calls. Each parses and checks its
// arguments (numbers and bigints as offsets, Uint8Arrays as bytes) and calls the typed operations of
// mapping.cc; no system call is made here.
#include <algorithm>
#include <cmath>
#include <limits>

#include "gather.h"
#include "mapping.h"
#include "scan.h"
#include "view_js.h"

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

Napi::Uint8Array ToBytes(Napi::Env env, const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowCoded(env, "EINVAL", std::string(name) + " must be a Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}

struct ByteSpan {
  int64_t offset, length;
};

// The optional (offset?, length?) at info[at], info[at + 1]: the whole mapping by default; what names the
// call in the error when the range is not inside the mapping.
ByteSpan ToSpan(Napi::Env env, const Napi::CallbackInfo& info, size_t at, int64_t size, const char* what) {
  const int64_t offset =
      info.Length() > at && !info[at].IsUndefined() ? ToOffset(env, info[at], "offset") : 0;
  const int64_t length = info.Length() > at + 1 && !info[at + 1].IsUndefined()
                             ? ToOffset(env, info[at + 1], "length")
                             : size - offset;
  if (offset > size || length > size - offset)
    ThrowCoded(env, "ERANGE", std::string(what) + " range is outside the mapping");
  return {offset, length};
}

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
  Open(env, create_size);
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
  CopyOutBytes(env, offset, target.Data(), n, checkFileSize);
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
  return Napi::Number::New(env, static_cast<double>(CopyToFd(env, out, offset, length)));
}

// write(offset, source: Uint8Array) -> number of bytes copied
Napi::Value Mapping::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  EnsureWritable(env);
  int64_t offset = ToOffset(env, info[0], "offset");
  Napi::Uint8Array source = ToBytes(env, info[1], "source");
  int64_t n = static_cast<int64_t>(source.ByteLength());
  if (offset > kMaxSafe - n) ThrowCoded(env, "ERANGE", "offset + length overflows");
  WriteBytes(env, offset, source.Data(), n);
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
  GatherInto(env, w, target.Data());
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
  std::vector<Napi::Object> owners{Value()};
  if (other) owners.push_back(otherObj);
  const MapInfo map = Info();
  // spec.gate: the scan reads only what JS says is written (a copy being filled beside it)
  if (info.Length() > 0 && info[0].IsObject()) {
    Napi::Value gate = info[0].As<Napi::Object>().Get("gate");
    if (!gate.IsUndefined()) {
      if (!gate.IsTypedArray() || gate.As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array ||
          gate.As<Napi::TypedArray>().ElementLength() < 1)
        ThrowCoded(env, "EINVAL", "a scan's gate must be a BigInt64Array of at least one element");
      Napi::TypedArray g = gate.As<Napi::TypedArray>();
      // the element's address from the typed array itself: its buffer is a SharedArrayBuffer, which
      // napi_get_arraybuffer_info refuses
      void* data = nullptr;
      if (napi_get_typedarray_info(env, g, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok || !data ||
          reinterpret_cast<uintptr_t>(data) % alignof(int64_t) != 0)
        ThrowCoded(env, "EINVAL", "a scan's gate must be a BigInt64Array of at least one element");
      state->ready = static_cast<const int64_t*>(data);
      if (g.ElementLength() >= 2) state->consumed = static_cast<int64_t*>(data) + 1;
      owners.push_back(g);  // alive while the scan reads it
      // every scan op takes one: their holes are the readahead's business, which knows the gate, or (find,
      // tile) skipped only where there is no gate
    }
    // a diff's other file: spec.b.gate, its own
    if (other) {
      Napi::Value gb = info[0].As<Napi::Object>().Get("b").As<Napi::Object>().Get("gate");
      if (!gb.IsUndefined()) {
        void* data = nullptr;
        if (!gb.IsTypedArray() || gb.As<Napi::TypedArray>().TypedArrayType() != napi_bigint64_array ||
            gb.As<Napi::TypedArray>().ElementLength() < 1 ||
            napi_get_typedarray_info(env, gb, nullptr, nullptr, &data, nullptr, nullptr) != napi_ok ||
            !data || reinterpret_cast<uintptr_t>(data) % alignof(int64_t) != 0)
          ThrowCoded(env, "EINVAL", "a diff's b.gate must be a BigInt64Array of at least one element");
        state->readyB = static_cast<const int64_t*>(data);
        if (gb.As<Napi::TypedArray>().ElementLength() >= 2)
          state->consumedB = static_cast<int64_t*>(data) + 1;
        owners.push_back(gb.As<Napi::Object>());
      }
    }
  }
  AddScan(state);
  if (other) other->AddScan(state);
  Napi::Value handle;
  try {
    handle = StartScan(info, map, other ? other->Info() : Info(), owners, state, [this, other, state] {
      ForgetScan(state);
      if (other) other->ForgetScan(state);
    });
  } catch (...) {
    ForgetScan(state);
    if (other) other->ForgetScan(state);
    throw;
  }
  return handle;
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
  ViewSpec view = ParseViewSpec(env, spec, itemsize, map_.size, "readStream view");
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
  const ByteSpan span = ToSpan(env, info, 0, map_.size, "resident");
  return Napi::Number::New(env, static_cast<double>(ResidentIn(env, span.offset, span.length)));
}

// flush(offset?, length?) — msync for r+/w+; nothing to do for r and c (the file never sees c's pages).
Napi::Value Mapping::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (mode_ == MapMode::kRead || mode_ == MapMode::kCopyOnWrite || map_.data == nullptr)
    return env.Undefined();
  const ByteSpan span = ToSpan(env, info, 0, map_.size, "flush");
  FlushBytes(env, span.offset, span.length);
  return env.Undefined();
}

// advise(kind: 'normal'|'random'|'sequential'|'willneed'|'dontneed', offset?, length?)
Napi::Value Mapping::Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 1 || !info[0].IsString()) ThrowCoded(env, "EINVAL", "advise needs a kind");
  const std::string kind = info[0].As<Napi::String>().Utf8Value();
  const ByteSpan span = ToSpan(env, info, 1, map_.size, "advise");
  Advice advice = Advice::kNormal;
  if (kind == "normal")
    advice = Advice::kNormal;
  else if (kind == "random")
    advice = Advice::kRandom;
  else if (kind == "sequential")
    advice = Advice::kSequential;
  else if (kind == "willneed")
    advice = Advice::kWillNeed;
  else if (kind == "dontneed")
    advice = Advice::kDontNeed;
  else
    ThrowCoded(env, "EINVAL", "advise kind must be normal, random, sequential, willneed or dontneed");
  AdviseBytes(advice, span.offset, span.length);
  return env.Undefined();
}

// stat() -> {size, mtimeMs, ino, dev} of the mapped file as it is now (detects changes by other processes).
// ino and dev (bigints) identify the mapped file, so the service can tell whether its path still names it.
Napi::Value Mapping::Stat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  const FileStat st = StatNow(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", Napi::Number::New(env, static_cast<double>(st.size)));
  out.Set("mtimeMs", Napi::Number::New(env, st.mtimeMs));
  out.Set("ino", Napi::BigInt::New(env, st.ino));
  out.Set("dev", Napi::BigInt::New(env, st.dev));
  return out;
}

Napi::Value Mapping::Close(const Napi::CallbackInfo& info) {
  Unmap();
  return info.Env().Undefined();
}

Napi::Value Mapping::GetSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(map_.size));
}
Napi::Value Mapping::GetMode(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ModeName(mode_));
}
Napi::Value Mapping::GetPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), path_); }
Napi::Value Mapping::GetClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), closed_);
}

}  // namespace arrayscope
