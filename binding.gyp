{
  "targets": [
    {
      "target_name": "fastsam",
      "sources": [
        "native/core/bicubic.cc",
        "native/core/bilinear.cc",
        "native/core/bitpack.cc",
        "native/core/clip_image.cc",
        "native/core/contours.cc",
        "native/core/letterbox.cc",
        "native/core/mask_measures.cc",
        "native/core/mask_paint.cc",
        "native/core/masks.cc",
        "native/core/morphology.cc",
        "native/core/nms.cc",
        "native/core/overlay.cc",
        "native/core/postprocess.cc",
        "native/core/rle.cc",
        "native/binding/addon.cc",
        "native/binding/bitpack_binding.cc",
        "native/binding/clip_binding.cc",
        "native/binding/convert.cc",
        "native/binding/crop_args.cc",
        "native/binding/crops_binding.cc",
        "native/binding/detect_binding.cc",
        "native/binding/letterbox_binding.cc",
        "native/binding/masks_binding.cc",
        "native/binding/overlay_binding.cc",
        "native/binding/postprocess_options.cc",
        "native/binding/results_js.cc",
        "native/binding/shapes_binding.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      # -ffp-contract=off: no fused multiply-add (GCC on arm64 in GNU mode, clang by default), so every
      # float operation rounds as the reference's float32 does and every platform's prebuild gives the
      # same boxes and masks (the CUDA kernels use --fmad=false for the same reason).
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off", "-Wall", "-Wextra"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "OTHER_CPLUSPLUSFLAGS": ["-ffp-contract=off"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/fp:precise"] }
      }
    }
  ]
}
