// Errors thrown to JS carry a .code (the union NativeErrorCode in native/index.d.ts lists them).
#pragma once
#include <napi.h>

#include <string>

namespace arrayscope {

// A JS Error with a .code property.
inline Napi::Error CodedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

// Throws a JS Error with a .code property.
[[noreturn]] inline void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  throw CodedError(env, code, message);
}

// A failure reported by a pool thread ({code, message}: BloscFailure, ChunkStepError, …) as a JS Error.
template <typename F>
Napi::Error CodedError(Napi::Env env, const F& f) {
  return CodedError(env, f.code, f.message);
}

}  // namespace arrayscope
