// On-disk cache of serialized TensorRT engines and of the builder's timing cache. Building an engine takes
// minutes; loading a cached one takes a second. Pure C++17 (no TensorRT or CUDA headers) so that it is
// unit-tested on machines without a GPU (native/tests/tensorrt/engine_cache_test.cc).
//
// A cached engine is only trusted when its file carries the exact key it was built for and its payload
// checksum matches: a stale or corrupt file is reported as unusable and rebuilt, never deserialized.
// The checksum is against accidents (a truncated copy, a flipped bit), not tampering: whoever can write
// the cache directory can write a file with any checksum, so a cryptographic digest would buy nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastsam::trt {

// Everything an engine depends on. Engines are specific to the TensorRT version and the GPU model.
struct EngineKey {
  std::string onnxSha256;  // hashed by the caller (node:crypto), lowercase hex
  std::string tensorrtVersion;
  std::string gpuName;
  int ccMajor = 0, ccMinor = 0;
  std::string precision;  // as requested ("fp16" | "fp32"): the same request always builds the same engine
  int maxBatch = 1, height = 0, width = 0;
};

// FNV-1a, 64-bit (the published offset basis and prime): the cache file's payload checksum.
uint64_t fnv1a64(const uint8_t* data, size_t size);

// The full key as text; stored in the file header and compared byte for byte on read.
std::string serializeEngineKey(const EngineKey& key);

// "fastsam-<first 16 hex of the ONNX SHA-256>-<gpu>-cc<major><minor>-trt<version>-<precision>-b<maxBatch>-
// <height>x<width>.engine", unsafe characters replaced by _: stable, filesystem-safe and readable. Two keys
// that share a name (the same 64 bits of model digest) still differ in the key stored inside the file.
std::string cacheFileName(const EngineKey& key);

// "timing-<version>-<gpu name with unsafe characters replaced by _>-cc<major><minor>.cache".
std::string timingCacheFileName(const std::string& tensorrtVersion, const std::string& gpuName, int ccMajor,
                                int ccMinor);

// Joins a directory and a file name with exactly one separator.
std::string joinPath(const std::string& dir, const std::string& name);

// The payload of a valid cache file for `key`, or std::nullopt with the reason in *whyNot (may be null)
// when the file is missing, unreadable, truncated, has trailing bytes, another magic, format version or
// key, or a payload whose checksum does not match.
std::optional<std::vector<uint8_t>> readCachedEngine(const std::string& path, const EngineKey& key,
                                                     std::string* whyNot);

// Writes the cache file atomically (see writeFileAtomic). Throws std::runtime_error on I/O failure.
void writeCachedEngine(const std::string& path, const EngineKey& key, const std::vector<uint8_t>& payload);

// The whole file, or std::nullopt when it does not exist or cannot be read.
std::optional<std::vector<uint8_t>> readFileBytes(const std::string& path);

// Creates the parent directory if needed, writes "<path>.tmp-<pid>-<counter>", flushes it to disk and
// renames it over `path`, so that a reader (another process, or this one after a crash) sees either the
// old file or the complete new one, never a partial file. Throws std::runtime_error on failure and then
// leaves no temporary file behind.
void writeFileAtomic(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace fastsam::trt
