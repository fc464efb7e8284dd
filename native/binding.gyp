{
  "targets": [
    {
      "target_name": "arrayscope",
      "variables": {
        "libdeflate": "<!(node ../scripts/find-libdeflate.js --lib)",
        "libdeflate_include": "<!(node ../scripts/find-libdeflate.js --include)",
        "blosc_libs": "<!(node ../scripts/find-blosc.js --libs)",
        "blosc_include": "<!(node ../scripts/find-blosc.js --include)"
      },
      "sources": [
        "src/addon.cc", "src/mapping.cc", "src/mapping_js.cc", "src/guard.cc", "src/gather.cc", "src/format.cc",
        "src/scan.cc", "src/scan_bytes.cc", "src/scan_worker.cc", "src/pass.cc", "src/plans.cc", "src/stats.cc", "src/histogram.cc",
        "src/reduce.cc", "src/find.cc", "src/diff.cc", "src/tile.cc", "src/condition.cc", "src/profile.cc", "src/kernels_portable.cc", "src/kernels_avx512.cc",
        "src/view_js.cc", "src/dequant.cc", "src/dequant_window.cc", "src/shuffle.cc", "src/chunk_decode.cc",
        "src/text_parse.cc", "src/text_fast.cc", "src/text_scan.cc", "src/text_split.cc", "src/text_index.cc",
        "src/punch_hole.cc", "src/blosc_decode.cc", "src/chunk_file.cc", "src/background_pool.cc"
      ],
      "conditions": [
        ["OS=='win'", { "sources": ["src/platform_win.cc"] }, { "sources": ["src/platform_posix.cc"] }],
        ["libdeflate!=''", {
          "defines": ["ARRAYSCOPE_HAVE_LIBDEFLATE"],
          "include_dirs": ["<(libdeflate_include)"],
          "libraries": ["<(libdeflate)"]
        }],
        ["blosc_libs!=''", {
          "defines": ["ARRAYSCOPE_HAVE_BLOSC"],
          "include_dirs": ["<(blosc_include)"],
          "libraries": ["<!@(node ../scripts/find-blosc.js --libs)"],
          "ldflags": ["-Wl,--exclude-libs,ALL"]
        }]
      ],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O3", "-fexceptions", "<!@(node -p \"process.env.ARRAYSCOPE_WERROR ? '-Werror' : ''\")"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra", "-O3"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
      }
    }
  ]
}
