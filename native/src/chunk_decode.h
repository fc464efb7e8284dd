// A compressed chunk's stored bytes decoded in one call: fletcher32 checked, deflate inflated (libdeflate),
// shuffle undone — the steps in the order given, on libuv's pool for the async form (chunk_decode.cc).
#pragma once
#include <napi.h>

namespace arrayscope {

// decodeChunk(input, output, steps) → the output bytes used; decodeChunkAsync(...) → Promise of the same.
Napi::Value DecodeChunk(const Napi::CallbackInfo& info);
Napi::Value DecodeChunkAsync(const Napi::CallbackInfo& info);
// The libdeflate version the addon was built with, or null (then an inflate step throws NO_INFLATER).
Napi::Value InflaterVersion(Napi::Env env);

}  // namespace arrayscope
