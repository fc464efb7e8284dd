// The HDF5 shuffle filter undone (src/main/service/hdf5-native-fill.ts): byte b of element i was stored at
// b*n + i (n whole elements; bytes past the last whole element stay where they are). A byte transpose that
// costs JavaScript several milliseconds a chunk; here it is a tight loop, and the async form runs it on
// libuv's pool beside the chunks' inflates, so the event loop stays free.
#include "shuffle.h"

#include <cstdint>
#include <cstring>

namespace arrayscope {
namespace {

template <size_t kSize>
void Transpose(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (size_t b = 0; b < kSize; b++) dst[i * kSize + b] = src[b * n + i];
  }
}

}  // namespace

void UnshuffleBytes(const uint8_t* src, uint8_t* dst, size_t len, size_t size) {
  const size_t n = len / size;
  if (size <= 1 || n <= 1) {
    std::memcpy(dst, src, len);
    return;
  }
  switch (size) {
    case 2:
      Transpose<2>(src, dst, n);
      break;
    case 4:
      Transpose<4>(src, dst, n);
      break;
    case 8:
      Transpose<8>(src, dst, n);
      break;
    default:
      for (size_t b = 0; b < size; b++) {
        const uint8_t* s = src + b * n;
        for (size_t i = 0; i < n; i++) dst[i * size + b] = s[i];
      }
  }
  std::memcpy(dst + n * size, src + n * size, len - n * size);
}

namespace {

struct Args {
  Napi::Uint8Array src;
  Napi::Uint8Array dst;
  size_t size;
};

bool Parse(const Napi::CallbackInfo& info, Args* out) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "usage: unshuffle(src: Uint8Array, dst: Uint8Array, size: number)")
        .ThrowAsJavaScriptException();
    return false;
  }
  out->src = info[0].As<Napi::Uint8Array>();
  out->dst = info[1].As<Napi::Uint8Array>();
  const double size = info[2].As<Napi::Number>().DoubleValue();
  if (!(size >= 1 && size <= 65536) || out->src.ByteLength() != out->dst.ByteLength()) {
    Napi::RangeError::New(env,
                          "unshuffle: the element size must be 1 to 65536 and both arrays the same length")
        .ThrowAsJavaScriptException();
    return false;
  }
  out->size = static_cast<size_t>(size);
  return true;
}

class UnshuffleWorker : public Napi::AsyncWorker {
 public:
  UnshuffleWorker(Napi::Env env, Args a)
      : Napi::AsyncWorker(env, "arrayscope:unshuffle"),
        deferred_(Napi::Promise::Deferred::New(env)),
        // the references keep both buffers alive until the pool thread is done with them
        src_ref_(Napi::Persistent(a.src)),
        dst_ref_(Napi::Persistent(a.dst)),
        src_(a.src.Data()),
        dst_(a.dst.Data()),
        len_(a.src.ByteLength()),
        size_(a.size) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override { UnshuffleBytes(src_, dst_, len_, size_); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> src_ref_;
  Napi::Reference<Napi::Uint8Array> dst_ref_;
  const uint8_t* src_;
  uint8_t* dst_;
  size_t len_;
  size_t size_;
};

}  // namespace

Napi::Value Unshuffle(const Napi::CallbackInfo& info) {
  Args a;
  if (!Parse(info, &a)) return info.Env().Undefined();
  UnshuffleBytes(a.src.Data(), a.dst.Data(), a.src.ByteLength(), a.size);
  return info.Env().Undefined();
}

Napi::Value UnshuffleAsync(const Napi::CallbackInfo& info) {
  Args a;
  if (!Parse(info, &a)) return info.Env().Undefined();
  auto* w = new UnshuffleWorker(info.Env(), a);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace arrayscope
