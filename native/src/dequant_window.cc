// Mapping.dequantize: the elements of a 2-D window of a quantized tensor, dequantized to float32 bytes (the
// window path of the table, plots' reads, show and export). Rows whose elements are consecutive decode block
// runs with DequantizeRange; other windows decode each element's block, keeping the last block decoded.
#include <cmath>
#include <string>

#include "dequant.h"
#include "guard.h"
#include "mapping.h"

namespace arrayscope {

namespace {

int64_t Int(Napi::Env env, const Napi::Object& spec, const char* name) {
  const Napi::Value v = spec.Get(name);
  if (!v.IsNumber()) ThrowCoded(env, "EINVAL", std::string("dequantize: ") + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
    ThrowCoded(env, "EINVAL", std::string("dequantize: ") + name + " must be an integer");
  return static_cast<int64_t>(d);
}

struct WindowArgs {
  QuantType type;
  QuantBlock qb;
  const uint8_t* blocks;
  int64_t first, rows, cols, rowStep, colStep;
  float* out;
};

void Run(void* ctx) {
  auto* a = static_cast<WindowArgs*>(ctx);
  float block[256];
  int64_t cached = -1;
  float* out = a->out;
  for (int64_t i = 0; i < a->rows; ++i) {
    const int64_t e0 = a->first + i * a->rowStep;
    if (a->colStep == 1) {
      DequantizeRange(a->type, a->blocks, e0, a->cols, out);
      out += a->cols;
      continue;
    }
    for (int64_t j = 0; j < a->cols; ++j) {
      const int64_t e = e0 + j * a->colStep;
      const int64_t b = e / a->qb.elems;
      if (b != cached) {
        DequantizeBlock(a->type, a->blocks + b * a->qb.bytes, block);
        cached = b;
      }
      *out++ = block[e - b * a->qb.elems];
    }
  }
}

}  // namespace

// dequantize({type, offset, count, first, rows, cols, rowStep, colStep}, target: Uint8Array)
Napi::Value Mapping::Dequantize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnsureOpen(env);
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsTypedArray())
    ThrowCoded(env, "EINVAL",
               "usage: dequantize({type, offset, count, first, rows, cols, rowStep, colStep}, target)");
  const Napi::Object spec = info[0].As<Napi::Object>();
  WindowArgs a{};
  const int64_t type = Int(env, spec, "type");
  if (!QuantBlockOf(static_cast<int>(type), &a.qb))
    ThrowCoded(env, "EINVAL",
               "dequantize: GGML type " + std::to_string(type) + " is not one this build decodes");
  a.type = static_cast<QuantType>(type);
  const int64_t offset = Int(env, spec, "offset");
  const int64_t count = Int(env, spec, "count");
  a.first = Int(env, spec, "first");
  a.rows = Int(env, spec, "rows");
  a.cols = Int(env, spec, "cols");
  a.rowStep = Int(env, spec, "rowStep");
  a.colStep = Int(env, spec, "colStep");
  if (offset < 0 || count < 0 || a.rows < 0 || a.cols < 0 || count % a.qb.elems != 0)
    ThrowCoded(env, "EINVAL", "dequantize: offset, count, rows and cols must be ≥ 0 and count whole blocks");
  if (info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowCoded(env, "EINVAL", "dequantize: target must be a Uint8Array");
  Napi::Uint8Array target = info[1].As<Napi::Uint8Array>();
  if (static_cast<double>(target.ByteLength()) !=
      static_cast<double>(a.rows) * static_cast<double>(a.cols) * 4.0)
    ThrowCoded(env, "EINVAL", "dequantize: target must hold rows*cols float32 values");
  if (a.rows == 0 || a.cols == 0) return env.Undefined();
  // the elements the window touches, all inside the tensor
  const double r = static_cast<double>(a.rows - 1) * static_cast<double>(a.rowStep);
  const double c = static_cast<double>(a.cols - 1) * static_cast<double>(a.colStep);
  const double lo = static_cast<double>(a.first) + std::fmin(r, 0) + std::fmin(c, 0);
  const double hi = static_cast<double>(a.first) + std::fmax(r, 0) + std::fmax(c, 0);
  if (lo < 0 || hi >= static_cast<double>(count))
    ThrowCoded(env, "ERANGE",
               "dequantize: the window reaches elements outside the tensor's " + std::to_string(count));
  const int64_t firstBlock = static_cast<int64_t>(lo) / a.qb.elems;
  const int64_t lastBlock = static_cast<int64_t>(hi) / a.qb.elems;
  if (offset > map_.size) ThrowCoded(env, "ERANGE", "dequantize: offset is past the end of the mapping");
  CheckRange(env, offset + firstBlock * a.qb.bytes, offset + (lastBlock + 1) * a.qb.bytes, "dequantize");
  a.blocks = map_.data + offset;
  a.out = reinterpret_cast<float*>(target.Data());
  if (reinterpret_cast<uintptr_t>(a.out) % alignof(float) != 0)
    ThrowCoded(env, "EINVAL", "dequantize: target must be 4-byte aligned");
  if (!GuardedRun(Run, &a))
    ThrowCoded(env, "ECHANGED", "file changed on disk: " + path_ + " was truncated while reading; reopen it");
  return env.Undefined();
}

}  // namespace arrayscope
