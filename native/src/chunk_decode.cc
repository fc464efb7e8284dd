// Chunks of compressed arrays (HDF5's deflate + shuffle + fletcher32, Zarr's gzip/zlib) decoded natively: the
// stored bytes go through the steps given, in order, and the last step writes into the caller's buffer. One
// call per chunk, so a chunk costs the event loop one hop to libuv's pool and back, whatever its steps.
//
// Deflate is inflated by libdeflate (Debian's libdeflate-dev, linked statically: scripts/find-libdeflate.js):
// it inflates a whole buffer 3× as fast as zlib's streaming inflate (docs/architecture.md has the figures).
// Without it (a build machine without the library) the addon says so (inflaterVersion null) and the service
// keeps Node's zlib.
#include "chunk_decode.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#ifdef ARRAYSCOPE_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include "coded_error.h"
#include "shuffle.h"

namespace arrayscope {
namespace {

using Op = ChunkOp;
using Step = ChunkStepSpec;
using DecodeError = ChunkStepError;

// HDF5's H5_checksum_fletcher32: 16-bit big-endian words, sums folded every 360 words, an odd last byte as
// the high byte of a word.
uint32_t Fletcher32(const uint8_t* d, size_t len) {
  uint32_t sum1 = 0, sum2 = 0;
  size_t words = len / 2;
  while (words) {
    size_t t = words > 360 ? 360 : words;
    words -= t;
    do {
      sum1 += (static_cast<uint32_t>(d[0]) << 8) | d[1];
      d += 2;
      sum2 += sum1;
    } while (--t);
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  if (len & 1) {
    sum1 += static_cast<uint32_t>(d[0]) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >> 16);
  return (sum2 << 16) | sum1;
}

std::string Hex(uint32_t v) {
  char b[16];
  snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// Inflates in[0, n) into out (at most avail bytes); returns the bytes written.
size_t Inflate(Op op, const uint8_t* in, size_t n, uint8_t* out, size_t avail) {
#ifdef ARRAYSCOPE_HAVE_LIBDEFLATE
  // one decompressor per thread: allocating one costs more than inflating a small chunk
  thread_local struct libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (!d) throw DecodeError{"NO_MEMORY", "no memory for a deflate decompressor"};
  size_t got = 0;
  libdeflate_result r;
  if (op == Op::kInflateZlib)
    r = libdeflate_zlib_decompress(d, in, n, out, avail, &got);
  else if (op == Op::kInflateGzip)
    r = libdeflate_gzip_decompress(d, in, n, out, avail, &got);
  else
    r = libdeflate_deflate_decompress(d, in, n, out, avail, &got);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    throw DecodeError{"TOO_LARGE",
                      "its deflate stream inflates to more than " + std::to_string(avail) + " bytes"};
  }
  if (r != LIBDEFLATE_SUCCESS)
    throw DecodeError{"BAD_DATA", "its deflate stream does not inflate (invalid data)"};
  return got;
#else
  (void)op, (void)in, (void)n, (void)out, (void)avail;
  throw DecodeError{"NO_INFLATER", "this build of the addon has no inflater (built without libdeflate)"};
#endif
}

// Runs the steps over in; the result is in out (its length returned). cap bounds every intermediate result.
size_t Run(const std::vector<Step>& steps, const uint8_t* in, size_t n, uint8_t* out, size_t outLen) {
  std::vector<uint8_t> a, b;  // intermediate results, alternating
  const uint8_t* cur = in;
  size_t len = n;
  const size_t cap = outLen + 64;  // a step's result beyond the chunk's size (plus slack) is a damaged chunk
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& s = steps[k];
    const bool last = k + 1 == steps.size();
    std::vector<uint8_t>& buf = (cur == a.data() && !a.empty()) ? b : a;
    if (s.op == Op::kFletcher32) {
      if (len < 4) throw DecodeError{"CHECKSUM", "it is shorter than its fletcher32 checksum"};
      const uint8_t* t = cur + len - 4;
      const uint32_t stored = t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<uint32_t>(t[3]) << 24);
      const uint32_t sum = Fletcher32(cur, len - 4);
      // HDF5 before 1.6.3 stored it with its 16-bit halves' bytes swapped on little-endian machines
      const uint32_t swapped = ((sum & 0x00ff00ffu) << 8) | ((sum >> 8) & 0x00ff00ffu);
      if (stored != sum && stored != swapped) {
        throw DecodeError{"CHECKSUM", "its fletcher32 checksum fails (stored " + Hex(stored) + ", computed " +
                                          Hex(sum) + "): the chunk's bytes are corrupted"};
      }
      len -= 4;
      if (last) {
        if (len > outLen) throw DecodeError{"TOO_LARGE", "it is larger than the output"};
        std::memcpy(out, cur, len);
      }
      continue;
    }
    uint8_t* dst;
    size_t avail;
    if (last) {
      dst = out, avail = outLen;
    } else {
      buf.resize(cap);
      dst = buf.data(), avail = cap;
    }
    if (s.op == Op::kUnshuffle) {
      if (len > avail) throw DecodeError{"TOO_LARGE", "it is larger than the output"};
      UnshuffleBytes(cur, dst, len, s.size);
    } else {
      len = Inflate(s.op, cur, len, dst, avail);
    }
    cur = dst;
  }
  if (steps.empty()) {
    if (n > outLen) throw DecodeError{"TOO_LARGE", "it is larger than the output"};
    std::memcpy(out, in, n);
  }
  return len;
}

struct Args {
  Napi::Uint8Array in, out;
  std::vector<Step> steps;
};

bool Parse(const Napi::CallbackInfo& info, Args* a) {
  Napi::Env env = info.Env();
  auto u8 = [](const Napi::Value& v) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
  };
  if (info.Length() < 3 || !u8(info[0]) || !u8(info[1]) || !info[2].IsArray()) {
    Napi::TypeError::New(env, "usage: decodeChunk(input: Uint8Array, output: Uint8Array, steps: ChunkStep[])")
        .ThrowAsJavaScriptException();
    return false;
  }
  a->in = info[0].As<Napi::Uint8Array>();
  a->out = info[1].As<Napi::Uint8Array>();
  return ParseChunkSteps(env, info[2].As<Napi::Array>(), &a->steps);
}

class DecodeWorker : public Napi::AsyncWorker {
 public:
  DecodeWorker(Napi::Env env, Args a)
      : Napi::AsyncWorker(env, "arrayscope:decodeChunk"),
        deferred_(Napi::Promise::Deferred::New(env)),
        // the references keep both buffers alive until the pool thread is done with them
        in_ref_(Napi::Persistent(a.in)),
        out_ref_(Napi::Persistent(a.out)),
        in_(a.in.Data()),
        out_(a.out.Data()),
        in_len_(a.in.ByteLength()),
        out_len_(a.out.ByteLength()),
        steps_(std::move(a.steps)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override {
    try {
      got_ = Run(steps_, in_, in_len_, out_, out_len_);
    } catch (const DecodeError& e) {
      failed_ = true;
      error_ = e;
    }
  }
  void OnOK() override {
    if (failed_)
      deferred_.Reject(CodedError(Env(), error_).Value());
    else
      deferred_.Resolve(Napi::Number::New(Env(), static_cast<double>(got_)));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::Reference<Napi::Uint8Array> in_ref_, out_ref_;
  const uint8_t* in_;
  uint8_t* out_;
  size_t in_len_, out_len_;
  std::vector<Step> steps_;
  size_t got_ = 0;
  bool failed_ = false;
  DecodeError error_{"", ""};
};

}  // namespace

bool ParseChunkSteps(Napi::Env env, Napi::Array list, std::vector<ChunkStepSpec>* out) {
  for (uint32_t k = 0; k < list.Length(); ++k) {
    Napi::Value v = list.Get(k);
    if (!v.IsObject()) {
      Napi::TypeError::New(env, "decodeChunk: a step is an object {op, …}").ThrowAsJavaScriptException();
      return false;
    }
    Napi::Object o = v.As<Napi::Object>();
    const std::string op = o.Get("op").ToString();
    Step s;
    if (op == "inflate") {
      const std::string wrap = o.Has("wrap") ? std::string(o.Get("wrap").ToString()) : "zlib";
      if (wrap == "zlib")
        s.op = Op::kInflateZlib;
      else if (wrap == "gzip")
        s.op = Op::kInflateGzip;
      else if (wrap == "raw")
        s.op = Op::kInflateRaw;
      else {
        Napi::RangeError::New(env, "decodeChunk: wrap is raw, zlib or gzip").ThrowAsJavaScriptException();
        return false;
      }
    } else if (op == "unshuffle") {
      const double size = o.Get("size").ToNumber().DoubleValue();
      if (!(size >= 1 && size <= 65536)) {
        Napi::RangeError::New(env, "decodeChunk: unshuffle's size is 1 to 65536")
            .ThrowAsJavaScriptException();
        return false;
      }
      s.op = Op::kUnshuffle, s.size = static_cast<size_t>(size);
    } else if (op == "fletcher32") {
      s.op = Op::kFletcher32;
    } else {
      Napi::RangeError::New(env, "decodeChunk: unknown step " + op).ThrowAsJavaScriptException();
      return false;
    }
    out->push_back(s);
  }
  return true;
}

size_t RunChunkSteps(const std::vector<ChunkStepSpec>& steps, const uint8_t* in, size_t n, uint8_t* out,
                     size_t outLen) {
  return Run(steps, in, n, out, outLen);
}

Napi::Value DecodeChunk(const Napi::CallbackInfo& info) {
  Args a;
  if (!Parse(info, &a)) return info.Env().Undefined();
  try {
    const size_t got = Run(a.steps, a.in.Data(), a.in.ByteLength(), a.out.Data(), a.out.ByteLength());
    return Napi::Number::New(info.Env(), static_cast<double>(got));
  } catch (const DecodeError& e) {
    throw CodedError(info.Env(), e);
  }
}

Napi::Value DecodeChunkAsync(const Napi::CallbackInfo& info) {
  Args a;
  if (!Parse(info, &a)) return info.Env().Undefined();
  auto* w = new DecodeWorker(info.Env(), std::move(a));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value InflaterVersion(Napi::Env env) {
#ifdef ARRAYSCOPE_HAVE_LIBDEFLATE
  return Napi::String::New(env, std::string("libdeflate ") + LIBDEFLATE_VERSION_STRING);
#else
  return env.Null();
#endif
}

}  // namespace arrayscope
