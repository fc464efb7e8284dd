// Errors thrown to JS carry a .code (the union NativeErrorCode in native/index.d.ts lists them).
#pragma once
#include <napi.h>

#include <string>

namespace arrayscope {

// Throws a JS Error with a .code property.
[[noreturn]] inline void ThrowCoded(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

}  // namespace arrayscope
