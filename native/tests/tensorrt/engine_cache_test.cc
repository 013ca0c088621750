// Tests of the pure C++ parts of the TensorRT backend: the engine cache file format and checksum, atomic
// writes and the ONNX input reader. doctest, no TensorRT, no GPU; meant to run under ASan + UBSan
// (test/native/engine-cache.test.ts). Exit code 0 = every check passed.
// Usage: engine_cache_test <empty temp dir> [<model.onnx>...]
//   For each model, prints "onnx input: <name> [d0,d1,...] elem <type>" for the caller to compare.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../../tensorrt/engine_cache.h"
#include "../../tensorrt/onnx_input.h"

using namespace fastsam::trt;
namespace fs = std::filesystem;

// The command line: where the tests may write, and the models to probe.
static std::string scratchDir;
static std::vector<std::string> modelFiles;

static uint64_t fnvOf(const std::string& s) { return fnv1a64(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

static std::vector<uint8_t> fileBytes(const std::string& path) {
  auto bytes = readFileBytes(path);
  return bytes ? *bytes : std::vector<uint8_t>();
}

static void overwrite(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

static EngineKey sampleKey() {
  EngineKey key;
  key.onnxSha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";  // from JS (node:crypto)
  key.tensorrtVersion = "10.13.0";
  key.gpuName = "NVIDIA H100 80GB HBM3";
  key.ccMajor = 9;
  key.ccMinor = 0;
  key.precision = "fp16";
  key.maxBatch = 4;
  key.height = 640;
  key.width = 640;
  return key;
}

static std::vector<uint8_t> samplePayload(size_t n) {
  std::vector<uint8_t> payload(n);
  for (size_t i = 0; i < n; ++i) payload[i] = uint8_t((i * 131 + 7) & 0xff);
  return payload;
}

TEST_CASE("FNV-1a 64 checksum") {
  // The published FNV-1a 64 test vectors (offset basis for the empty input).
  CHECK(fnvOf("") == 0xcbf29ce484222325ull);
  CHECK(fnvOf("a") == 0xaf63dc4c8601ec8cull);
  CHECK(fnvOf("foobar") == 0x85944171f73967e8ull);
  // Any single flipped bit changes it.
  std::string text(4096, 'x');
  uint64_t whole = fnvOf(text);
  text[2048] ^= 0x01;
  CHECK(fnvOf(text) != whole);
}

TEST_CASE("cache file names") {
  EngineKey key = sampleKey();
  std::string name = cacheFileName(key);
  CHECK(name == cacheFileName(sampleKey()));  // stable
  CHECK(name == "fastsam-9f86d081884c7d65-NVIDIA_H100_80GB_HBM3-cc90-trt10.13.0-fp16-b4-640x640.engine");
  EngineKey other = key;
  other.maxBatch = 8;
  CHECK(cacheFileName(other) != name);
  other = key;
  other.precision = "fp32";
  CHECK(cacheFileName(other) != name);
  other = key;
  other.gpuName = "../../etc/passwd";  // a GPU name never leaves the cache directory
  CHECK(cacheFileName(other).find('/') == std::string::npos);
  // A newline inside a value must not let two different keys serialize alike.
  CHECK(serializeEngineKey(key).find("gpu=NVIDIA H100 80GB HBM3\n") != std::string::npos);

  std::string timing = timingCacheFileName("10.13.0", "NVIDIA GeForce RTX 4090/\\:*", 8, 9);
  CHECK(timing == "timing-10.13.0-NVIDIA_GeForce_RTX_4090____-cc89.cache");
  CHECK(timingCacheFileName("", "", 7, 5) == "timing-unknown-unknown-cc75.cache");
}

TEST_CASE("round trip; stale and corrupt files refused") {
  const std::string& dir = scratchDir;
  EngineKey key = sampleKey();
  std::string path = joinPath(joinPath(dir, "nested/cache"), cacheFileName(key));  // directory created on write
  std::vector<uint8_t> payload = samplePayload(100003);
  std::string why;

  CHECK(!readCachedEngine(path, key, &why));  // missing file
  CHECK(!why.empty());

  writeCachedEngine(path, key, payload);
  auto back = readCachedEngine(path, key, &why);
  CHECK((back && *back == payload));
  CHECK(why.empty());
  CHECK(readCachedEngine(path, key, nullptr));  // a null reason pointer is allowed

  // Atomic write: only the final file remains in the directory.
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    ++entries;
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
  }
  CHECK(entries == 1);

  // Overwriting an existing file works and leaves the new content.
  std::vector<uint8_t> payload2 = samplePayload(17);
  writeCachedEngine(path, key, payload2);
  back = readCachedEngine(path, key, &why);
  CHECK((back && *back == payload2));
  writeCachedEngine(path, key, payload);

  // Any other key is refused, whatever field differs.
  EngineKey other = key;
  other.tensorrtVersion = "10.14.1";
  CHECK(!readCachedEngine(path, other, &why));
  CHECK(why.find("another") != std::string::npos);
  other = key;
  other.ccMinor = 9;
  CHECK(!readCachedEngine(path, other, &why));
  other = key;
  other.width = 1024;
  CHECK(!readCachedEngine(path, other, &why));

  const std::vector<uint8_t> good = fileBytes(path);
  CHECK(good.size() > payload.size());

  // Truncated at every kind of place: inside the magic, the key, the checksum and the payload.
  for (size_t cut : {size_t(0), size_t(5), size_t(14), size_t(40), good.size() - payload.size() - 3, good.size() - 1}) {
    overwrite(path, std::vector<uint8_t>(good.begin(), good.begin() + long(cut)));
    CHECK(!readCachedEngine(path, key, &why));
    CHECK(!why.empty());
  }

  // Trailing bytes.
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  overwrite(path, longer);
  CHECK(!readCachedEngine(path, key, &why));

  // A flipped payload byte fails the checksum.
  std::vector<uint8_t> flipped = good;
  flipped[flipped.size() - 1000] ^= 0x01;
  overwrite(path, flipped);
  CHECK(!readCachedEngine(path, key, &why));
  CHECK(why.find("checksum") != std::string::npos);

  // A flipped checksum byte too.
  flipped = good;
  flipped[good.size() - payload.size() - 1] ^= 0x80;
  overwrite(path, flipped);
  CHECK(!readCachedEngine(path, key, &why));

  // Bad magic.
  std::vector<uint8_t> badMagic = good;
  badMagic[0] = 'X';
  overwrite(path, badMagic);
  CHECK(!readCachedEngine(path, key, &why));

  // Another format version (bytes 8..11, little-endian).
  std::vector<uint8_t> badVersion = good;
  badVersion[8] = 99;
  overwrite(path, badVersion);
  CHECK(!readCachedEngine(path, key, &why));
  CHECK(why.find("version") != std::string::npos);

  // A huge payload size must be refused before allocating it.
  std::vector<uint8_t> hugeSize = good;
  size_t sizeOffset = good.size() - payload.size() - 8 - 8;
  hugeSize[sizeOffset + 7] = 0x7f;
  overwrite(path, hugeSize);
  CHECK(!readCachedEngine(path, key, &why));

  // A huge key length likewise.
  std::vector<uint8_t> hugeKey = good;
  hugeKey[15] = 0xff;
  overwrite(path, hugeKey);
  CHECK(!readCachedEngine(path, key, &why));

  // An empty payload is a valid (if useless) entry.
  writeCachedEngine(path, key, {});
  back = readCachedEngine(path, key, &why);
  CHECK((back && back->empty()));
}

TEST_CASE("raw files and atomic writes") {
  const std::string& dir = scratchDir;
  std::string path = joinPath(dir, "timing/" + timingCacheFileName("10.13.0", "GPU", 9, 0));
  CHECK(!readFileBytes(path));
  std::vector<uint8_t> bytes = samplePayload(4097);
  writeFileAtomic(path, bytes);
  CHECK((readFileBytes(path) && *readFileBytes(path) == bytes));
  writeFileAtomic(path, {});
  CHECK((readFileBytes(path) && readFileBytes(path)->empty()));
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
    (void)entry;
    ++entries;
  }
  CHECK(entries == 1);

  // Writing where the directory cannot be created throws instead of crashing.
  std::string blocker = joinPath(dir, "plain-file");
  overwrite(blocker, {1, 2, 3});
  bool threw = false;
  try {
    writeFileAtomic(joinPath(blocker, "x.cache"), bytes);
  } catch (const std::runtime_error&) { threw = true; }
  CHECK(threw);
}

// ---- a tiny protobuf writer, enough to build ONNX graphs for readOnnxInput ----

static void varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}
static std::string fieldVarint(uint32_t field, uint64_t v) {
  std::string out;
  varint(out, uint64_t(field) << 3);
  varint(out, v);
  return out;
}
static std::string fieldBytes(uint32_t field, const std::string& body) {
  std::string out;
  varint(out, (uint64_t(field) << 3) | 2);
  varint(out, body.size());
  return out + body;
}
// dims: > 0 static, 0 = symbolic ("batch"), -1 = unset.
static std::string valueInfo(const std::string& name, int elemType, const std::vector<int64_t>& dims) {
  std::string shape;
  for (int64_t d : dims) {
    std::string dim = d > 0 ? fieldVarint(1, uint64_t(d)) : d == 0 ? fieldBytes(2, "batch") : std::string();
    shape += fieldBytes(1, dim);
  }
  std::string tensorType = fieldVarint(1, uint64_t(elemType)) + fieldBytes(2, shape);
  return fieldBytes(1, name) + fieldBytes(2, fieldBytes(1, tensorType));
}
static std::string model(const std::string& graphBody) {
  // ir_version (1), producer_name (2), graph (7), opset_import (8): unknown fields are skipped.
  return fieldVarint(1, 8) + fieldBytes(2, "test") + fieldBytes(7, graphBody) + fieldBytes(8, fieldVarint(2, 17));
}

static std::optional<OnnxInput> probe(const std::string& bytes, std::string* why) {
  return readOnnxInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), why);
}

TEST_CASE("ONNX input reader") {
  std::string why;
  // Weights listed as inputs (IR < 4 style) come first and are skipped; the initializer comes after
  // the inputs on the wire, so the reader must collect both before choosing.
  std::string graph = fieldBytes(1, fieldBytes(4, "Conv")) +              // a node
                      fieldBytes(11, valueInfo("w", 1, {16, 3, 3, 3})) +  // input that is a weight
                      fieldBytes(11, valueInfo("images", 1, {0, 3, 640, 480})) +
                      fieldBytes(12, valueInfo("output0", 1, {0, 37, 8400})) +
                      fieldBytes(5, fieldBytes(8, "w") + fieldBytes(9, std::string(64, '\0')));
  auto input = probe(model(graph), &why);
  CHECK(input.has_value());
  if (input) {
    CHECK(input->name == "images");
    CHECK(input->elemType == 1);
    CHECK((input->dims == std::vector<int64_t>{-1, 3, 640, 480}));
  }

  // Static batch and an unset dimension.
  input = probe(model(fieldBytes(11, valueInfo("x", 10, {2, 3, -1, 1024}))), &why);
  CHECK((input && input->elemType == 10 && (input->dims == std::vector<int64_t>{2, 3, -1, 1024})));

  // Not ONNX, truncated, empty, no inputs, no shape: refused with a reason, never a crash.
  std::string full = model(graph);
  CHECK((!probe("", &why) && !why.empty()));
  CHECK((!probe("this is not a protobuf at all", &why) && !why.empty()));
  // Any cut before the end of the graph field fails (a cut after it is a valid, shorter message).
  size_t graphEnd = full.size() - fieldBytes(8, fieldVarint(2, 17)).size();
  for (size_t cut = 1; cut < graphEnd; ++cut) CHECK(!probe(full.substr(0, cut), &why));
  CHECK(!probe(model(fieldBytes(5, fieldBytes(8, "w"))), &why));
  std::string noShape = fieldBytes(11, fieldBytes(1, "images") + fieldBytes(2, fieldBytes(1, fieldVarint(1, 1))));
  CHECK((!probe(model(noShape), &why) && why.find("no shape") != std::string::npos));
  std::string group = full + std::string(1, char((9 << 3) | 3));  // wire type 3 (group) is refused
  CHECK(!probe(group, &why));
  std::string overlong = full + std::string(11, char(0xff));  // a varint longer than 10 bytes
  CHECK(!probe(overlong, &why));
  CHECK(!readOnnxInput(nullptr, 0, &why));
}

static void probeFile(const std::string& path) {
  auto bytes = readFileBytes(path);
  CHECK(bytes.has_value());
  if (!bytes) return;
  std::string why;
  auto input = readOnnxInput(bytes->data(), bytes->size(), &why);
  CHECK(input.has_value());
  if (!input) {
    std::fprintf(stderr, "readOnnxInput(%s): %s\n", path.c_str(), why.c_str());
    return;
  }
  std::string dims;
  for (size_t i = 0; i < input->dims.size(); ++i) dims += (i ? "," : "") + std::to_string(input->dims[i]);
  std::printf("onnx input: %s [%s] elem %d\n", input->name.c_str(), dims.c_str(), int(input->elemType));
}

TEST_CASE("models named on the command line") {
  for (const std::string& file : modelFiles) probeFile(file);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <empty temp dir> [model.onnx...]\n", argv[0]);
    return 2;
  }
  scratchDir = argv[1];
  modelFiles.assign(argv + 2, argv + argc);
  doctest::Context context;  // no doctest flags: the arguments above are ours
  const int failed = context.run();
  if (failed == 0) std::printf("engine cache checks passed\n");
  return failed;
}
