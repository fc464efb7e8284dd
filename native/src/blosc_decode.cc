// Blosc frames decompressed natively: c-blosc 1.x (Debian's libblosc-dev with the compressors it calls,
// linked statically: scripts/find-blosc.js), one frame per call into the caller's buffer, without blosc's
// global state (blosc_decompress_ctx with one thread: many pool threads decode at once, none spawning threads
// of its own). Replaces numcodecs' WebAssembly build of the same library on the codec workers, 2–3× slower
// (docs/architecture.md has the figures). A build without the library says so (bloscVersion null).
//
// A frame is checked before it is decoded: its header's compressed size must fit the input
// (blosc_cbuffer_validate) and its decoded size must be the output's length, so a damaged or lying header is
// an error, never a read or a write outside the buffers.
#include "blosc_decode.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "coded_error.h"

#ifdef ARRAYSCOPE_HAVE_BLOSC
#include <blosc.h>

// blosc.c's diagnostics go to this stream (find-blosc.js renames blosc.c.o's reference to glibc's `stderr`,
// which a shared object cannot address directly). The addon reports a frame that does not decode as an error
// of its own, so blosc's lines would only repeat it on the terminal: they go to /dev/null.
extern "C" {
__attribute__((visibility("hidden"))) FILE* arrayscope_blosc_stderr = nullptr;
}
#endif

namespace arrayscope {

// Decodes in into out (exactly out_len bytes); a BloscFailure says why not. The header is checked first, with
// the words the service's own check (codecs/blosc.ts) uses, so either path names the same fault.
bool BloscDecode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len, BloscFailure* f) {
#ifdef ARRAYSCOPE_HAVE_BLOSC
  if (in_len < BLOSC_MIN_HEADER_LENGTH) {
    *f = {"BAD_DATA", "it is " + std::to_string(in_len) + " bytes, shorter than a blosc header"};
    return false;
  }
  if (in[0] < 1 || in[0] > 4) {
    *f = {"BAD_DATA", "it is not a blosc frame (version byte " + std::to_string(in[0]) + ")"};
    return false;
  }
  const auto u32 = [in](size_t at) {
    return static_cast<uint32_t>(in[at]) | (static_cast<uint32_t>(in[at + 1]) << 8) |
           (static_cast<uint32_t>(in[at + 2]) << 16) | (static_cast<uint32_t>(in[at + 3]) << 24);
  };
  if (u32(4) != out_len) {
    *f = {"BAD_DATA", "its blosc header says " + std::to_string(u32(4)) + " bytes, " +
                          std::to_string(out_len) + " expected"};
    return false;
  }
  if (u32(12) > in_len) {
    *f = {"BAD_DATA", "its blosc header says " + std::to_string(u32(12)) +
                          " compressed bytes, the chunk has " + std::to_string(in_len)};
    return false;
  }
  size_t nbytes = 0;
  if (blosc_cbuffer_validate(in, in_len, &nbytes) < 0) {
    *f = {"BAD_DATA", "its blosc header is invalid or says more compressed bytes than the " +
                          std::to_string(in_len) + " it has"};
    return false;
  }
  if (nbytes != out_len) {
    *f = {"BAD_DATA", "its blosc header says " + std::to_string(nbytes) + " bytes, " +
                          std::to_string(out_len) + " expected"};
    return false;
  }
  if (out_len == 0) return true;
  const int got = blosc_decompress_ctx(in, out, out_len, 1);
  if (got < 0 || static_cast<size_t>(got) != out_len) {
    *f = {"BAD_DATA", "it does not blosc-decompress (c-blosc error " + std::to_string(got) + ")"};
    return false;
  }
  return true;
#else
  (void)in, (void)in_len, (void)out, (void)out_len;
  *f = {"NO_BLOSC",
        "the addon was built without c-blosc (install libblosc-dev and run npm run build:native)"};
  return false;
#endif
}

namespace {

using Failure = BloscFailure;

bool Decode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len, Failure* f) {
  return BloscDecode(in, in_len, out, out_len, f);
}

bool Parse(const Napi::CallbackInfo& info, Napi::Uint8Array* in, Napi::Uint8Array* out) {
  auto u8 = [](const Napi::Value& v) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  };
  if (info.Length() < 2 || !u8(info[0]) || !u8(info[1])) {
    Napi::TypeError::New(info.Env(), "usage: bloscDecompress(input: Uint8Array, output: Uint8Array)")
        .ThrowAsJavaScriptException();
    return false;
  }
  *in = info[0].As<Napi::Uint8Array>();
  *out = info[1].As<Napi::Uint8Array>();
  return true;
}

class BloscWorker : public Napi::AsyncWorker {
 public:
  BloscWorker(Napi::Env env, Napi::Uint8Array in, Napi::Uint8Array out)
      : Napi::AsyncWorker(env, "arrayscope:bloscDecompress"),
        deferred_(Napi::Promise::Deferred::New(env)),
        // the references keep both buffers alive until the pool thread is done with them
        in_ref_(Napi::Persistent(in)),
        out_ref_(Napi::Persistent(out)),
        in_(in.Data()),
        out_(out.Data()),
        in_len_(in.ByteLength()),
        out_len_(out.ByteLength()) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override { ok_ = Decode(in_, in_len_, out_, out_len_, &failure_); }
  void OnOK() override {
    if (ok_)
      deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(out_len_)));
    else
      deferred_.Reject(CodedError(Env(), failure_).Value());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> in_ref_, out_ref_;
  const uint8_t* in_;
  uint8_t* out_;
  size_t in_len_, out_len_;
  bool ok_ = false;
  Failure failure_{"", ""};
};

#ifdef ARRAYSCOPE_HAVE_BLOSC
void Silence() {
  if (!arrayscope_blosc_stderr) {
    FILE* null = std::fopen("/dev/null", "w");
    arrayscope_blosc_stderr = null ? null : stderr;
  }
}
#endif

}  // namespace

Napi::Value BloscDecompress(const Napi::CallbackInfo& info) {
  Napi::Uint8Array in, out;
  if (!Parse(info, &in, &out)) return info.Env().Undefined();
  Failure f;
  if (!Decode(in.Data(), in.ByteLength(), out.Data(), out.ByteLength(), &f)) throw CodedError(info.Env(), f);
  return Napi::Number::New(info.Env(), static_cast<double>(out.ByteLength()));
}

Napi::Value BloscDecompressAsync(const Napi::CallbackInfo& info) {
  Napi::Uint8Array in, out;
  if (!Parse(info, &in, &out)) return info.Env().Undefined();
  auto* w = new BloscWorker(info.Env(), in, out);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value BloscVersion(Napi::Env env) {
#ifdef ARRAYSCOPE_HAVE_BLOSC
  Silence();
  return Napi::String::New(env, std::string("c-blosc ") + blosc_get_version_string());
#else
  return env.Null();
#endif
}

}  // namespace arrayscope
