// A compressed chunk's stored bytes decoded in one call: fletcher32 checked, deflate inflated (libdeflate),
// shuffle undone — the steps in the order given, on libuv's pool for the async form (chunk_decode.cc).
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace arrayscope {

enum class ChunkOp { kInflateRaw, kInflateZlib, kInflateGzip, kUnshuffle, kFletcher32 };

struct ChunkStepSpec {
  ChunkOp op;
  size_t size = 0;  // unshuffle's element size
};

// A step's failure (thrown by RunChunkSteps): code (a NativeErrorCode) and the words that say what was wrong.
struct ChunkStepError {
  const char* code;
  std::string message;
};

// The steps of a JS ChunkStep[] (false: a JS exception is pending).
bool ParseChunkSteps(Napi::Env env, Napi::Array list, std::vector<ChunkStepSpec>* out);
// Runs the steps over in[0, n) into out (outLen bytes at most); the bytes of the result. Throws
// ChunkStepError.
size_t RunChunkSteps(const std::vector<ChunkStepSpec>& steps, const uint8_t* in, size_t n, uint8_t* out,
                     size_t outLen);

// decodeChunk(input, output, steps) → the output bytes used; decodeChunkAsync(...) → Promise of the same.
Napi::Value DecodeChunk(const Napi::CallbackInfo& info);
Napi::Value DecodeChunkAsync(const Napi::CallbackInfo& info);
// The libdeflate version the addon was built with, or null (then an inflate step throws NO_INFLATER).
Napi::Value InflaterVersion(Napi::Env env);

}  // namespace arrayscope
