// Views and integers from JS objects, checked (shared by scans and read streams).
#pragma once
#include <napi.h>

#include <cstdint>

#include "view.h"

namespace arrayscope {

// o[key] as an integer (a safe JS integer); throws EINVAL naming what is wrong.
int64_t GetInt(Napi::Env env, Napi::Object o, const char* key, const char* what);

// {base, shape, strides} of elements of itemsize bytes, checked to lie inside a mapping of mapSize bytes
// (an empty view has all-zero shape).
ViewSpec ParseViewSpec(Napi::Env env, Napi::Object o, int64_t itemsize, int64_t mapSize, const char* what);

}  // namespace arrayscope
