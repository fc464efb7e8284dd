#include <napi.h>

#include "background_pool.h"
#include "blosc_decode.h"
#include "chunk_decode.h"
#include "chunk_file.h"
#include "format.h"
#include "guard.h"
#include "mapping.h"
#include "scan.h"
#include "shuffle.h"
#include "text_index.h"

namespace arrayscope {
Napi::Value PunchHoleJs(const Napi::CallbackInfo& info);  // punch_hole.cc
}

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  arrayscope::InstallGuard();
  exports.Set("Mapping", arrayscope::Mapping::Init(env));
  exports.Set("formatText", Napi::Function::New(env, arrayscope::FormatText, "formatText"));
  exports.Set("scanBytes", Napi::Function::New(env, arrayscope::ScanBytes, "scanBytes"));
  exports.Set("simdLevels", Napi::Function::New(env, arrayscope::SimdLevels, "simdLevels"));
  exports.Set("simdLevel", Napi::Function::New(env, arrayscope::SimdLevel, "simdLevel"));
  exports.Set("unshuffle", Napi::Function::New(env, arrayscope::Unshuffle, "unshuffle"));
  exports.Set("unshuffleAsync", Napi::Function::New(env, arrayscope::UnshuffleAsync, "unshuffleAsync"));
  exports.Set("decodeChunk", Napi::Function::New(env, arrayscope::DecodeChunk, "decodeChunk"));
  exports.Set("decodeChunkAsync", Napi::Function::New(env, arrayscope::DecodeChunkAsync, "decodeChunkAsync"));
  exports.Set("inflaterVersion", arrayscope::InflaterVersion(env));
  exports.Set("bloscDecompress", Napi::Function::New(env, arrayscope::BloscDecompress, "bloscDecompress"));
  exports.Set("bloscDecompressAsync",
              Napi::Function::New(env, arrayscope::BloscDecompressAsync, "bloscDecompressAsync"));
  exports.Set("fillChunkFile", Napi::Function::New(env, arrayscope::FillChunkFile, "fillChunkFile"));
  exports.Set("fillChunkFileAsync",
              Napi::Function::New(env, arrayscope::FillChunkFileAsync, "fillChunkFileAsync"));
  exports.Set("yieldBackground", Napi::Function::New(env, arrayscope::YieldBackgroundJs, "yieldBackground"));
  exports.Set("bloscVersion", arrayscope::BloscVersion(env));
  exports.Set("parseText", Napi::Function::New(env, arrayscope::ParseText, "parseText"));
  exports.Set("parseTextSync", Napi::Function::New(env, arrayscope::ParseTextSync, "parseTextSync"));
  exports.Set("punchHole", Napi::Function::New(env, arrayscope::PunchHoleJs, "punchHole"));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
  return exports;
}
}  // namespace

NODE_API_MODULE(arrayscope, Init)
