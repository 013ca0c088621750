#include "engine_cache.h"

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#ifdef _WIN32
#include <process.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fastsam::trt {
namespace {

// ---- SHA-256 (FIPS 180-4) ----

using Digest = std::array<uint8_t, 32>;

constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compressBlock(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t(block[4 * i]) << 24) | (uint32_t(block[4 * i + 1]) << 16) | (uint32_t(block[4 * i + 2]) << 8) |
           uint32_t(block[4 * i + 3]);
  }
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRoundConstants[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

Digest sha256(const uint8_t* data, size_t size) {
  uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t whole = size - size % 64;
  for (size_t i = 0; i < whole; i += 64) compressBlock(state, data + i);
  // Padding: 0x80, zeros, then the message length in bits as a big-endian u64; one or two blocks.
  uint8_t tail[128] = {};
  size_t rest = size - whole;
  if (rest) std::memcpy(tail, data + whole, rest);
  tail[rest] = 0x80;
  size_t tailSize = rest < 56 ? 64 : 128;
  uint64_t bits = uint64_t(size) * 8;
  for (int i = 0; i < 8; ++i) tail[tailSize - 1 - i] = uint8_t(bits >> (8 * i));
  for (size_t i = 0; i < tailSize; i += 64) compressBlock(state, tail + i);
  Digest out;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t(state[i] >> (24 - 8 * j));
  }
  return out;
}

std::string toHex(const uint8_t* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return hex;
}

// ---- file format ----

constexpr char kMagic[8] = {'F', 'S', 'T', 'R', 'T', 'E', 'N', 'G'};
// Bump when the header layout or the way engines are built changes, so old files are rebuilt.
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kMaxKeyText = 1 << 16;

// Little-endian on disk whatever the host.
void putU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
void putU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i)));
}
uint64_t getLE(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// One line per field; newlines inside a value would make two keys serialize alike.
std::string oneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

std::string safeFileChars(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "unknown" : out;
}

struct Chunk {
  const uint8_t* data;
  size_t size;
};

std::string errnoText(const std::string& what, const std::string& path) {
  return what + " '" + path + "': " + std::strerror(errno);
}

std::atomic<unsigned> tmpCounter{0};

int processId() {
#ifdef _WIN32
  return _getpid();
#else
  return int(getpid());
#endif
}

void writeChunksAtomic(const std::string& path, const std::vector<Chunk>& chunks) {
  namespace fs = std::filesystem;
  fs::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      throw std::runtime_error("cannot create the cache directory '" + target.parent_path().string() +
                               "': " + ec.message());
  }
  std::string tmp = path + ".tmp-" + std::to_string(processId()) + "-" + std::to_string(tmpCounter++);
#ifdef _WIN32
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    for (const Chunk& c : chunks) out.write(reinterpret_cast<const char*>(c.data), std::streamsize(c.size));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp);
      throw std::runtime_error("cannot write '" + tmp + "'");
    }
  }
#else
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(errnoText("cannot create", tmp));
  auto fail = [&](const std::string& what) {
    std::string message = errnoText(what, tmp);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error(message);
  };
  for (const Chunk& c : chunks) {
    size_t done = 0;
    while (done < c.size) {
      ssize_t n = ::write(fd, c.data + done, c.size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write");
      done += size_t(n);
    }
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at unwritten blocks.
  if (::fsync(fd) != 0) fail("cannot flush");
  int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("cannot close");
#endif
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot rename '" + tmp + "' to '" + path + "'");
  }
#ifndef _WIN32
  // Best effort: make the rename itself durable.
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
#endif
}

}  // namespace

std::string sha256Hex(const uint8_t* data, size_t size) {
  Digest d = sha256(data, size);
  return toHex(d.data(), d.size());
}

std::string serializeEngineKey(const EngineKey& key) {
  return "fastsam tensorrt engine\n"
         "onnx-sha256=" +
         oneLine(key.onnxSha256) + "\n" + "tensorrt=" + oneLine(key.tensorrtVersion) + "\n" +
         "gpu=" + oneLine(key.gpuName) + "\n" + "compute-capability=" + std::to_string(key.ccMajor) + "." +
         std::to_string(key.ccMinor) + "\n" + "precision=" + oneLine(key.precision) + "\n" +
         "max-batch=" + std::to_string(key.maxBatch) + "\n" + "input=" + std::to_string(key.height) + "x" +
         std::to_string(key.width) + "\n";
}

std::string cacheFileName(const EngineKey& key) {
  std::string text = serializeEngineKey(key);
  return "fastsam-" + sha256Hex(reinterpret_cast<const uint8_t*>(text.data()), text.size()).substr(0, 16) + ".engine";
}

std::string timingCacheFileName(const std::string& tensorrtVersion, const std::string& gpuName, int ccMajor,
                                int ccMinor) {
  return "timing-" + safeFileChars(tensorrtVersion) + "-" + safeFileChars(gpuName) + "-cc" + std::to_string(ccMajor) +
         std::to_string(ccMinor) + ".cache";
}

std::string joinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return (std::filesystem::path(dir) / name).string();
}

std::optional<std::vector<uint8_t>> readCachedEngine(const std::string& path, const EngineKey& key,
                                                     std::string* whyNot) {
  auto reject = [whyNot](const std::string& reason) {
    if (whyNot) *whyNot = reason;
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return reject("no cached engine at '" + path + "'");
  in.seekg(0, std::ios::end);
  std::streamoff fileSize = in.tellg();
  in.seekg(0, std::ios::beg);
  if (fileSize < 0) return reject("cannot read '" + path + "'");
  uint64_t remaining = uint64_t(fileSize);

  auto readExact = [&](void* dst, uint64_t n) {
    if (n > remaining) return false;
    in.read(static_cast<char*>(dst), std::streamsize(n));
    if (!in) return false;
    remaining -= n;
    return true;
  };

  uint8_t fixed[8 + 4 + 4];
  if (!readExact(fixed, sizeof fixed)) return reject("truncated header");
  if (std::memcmp(fixed, kMagic, 8) != 0) return reject("not a fastsam engine cache file");
  uint32_t version = uint32_t(getLE(fixed + 8, 4));
  if (version != kFormatVersion) {
    return reject("cache format version " + std::to_string(version) + ", expected " + std::to_string(kFormatVersion));
  }
  uint32_t keyLength = uint32_t(getLE(fixed + 12, 4));
  if (keyLength > kMaxKeyText) return reject("corrupt header (key too long)");
  std::string storedKey(keyLength, '\0');
  if (!readExact(storedKey.data(), keyLength)) return reject("truncated key");
  if (storedKey != serializeEngineKey(key)) return reject("built for another model, GPU, TensorRT or options");

  uint8_t sizeAndDigest[8 + 32];
  if (!readExact(sizeAndDigest, sizeof sizeAndDigest)) return reject("truncated header");
  uint64_t payloadSize = getLE(sizeAndDigest, 8);
  // Compare with the real file size before allocating: a corrupt size must not become a huge allocation.
  if (payloadSize != remaining) {
    return reject(payloadSize > remaining ? "truncated payload" : "unexpected bytes after the payload");
  }
  std::vector<uint8_t> payload(static_cast<size_t>(payloadSize));
  if (!readExact(payload.data(), payloadSize)) return reject("cannot read the payload");
  Digest actual = sha256(payload.data(), payload.size());
  if (std::memcmp(actual.data(), sizeAndDigest + 8, 32) != 0) return reject("payload checksum mismatch");
  if (whyNot) whyNot->clear();
  return payload;
}

void writeCachedEngine(const std::string& path, const EngineKey& key, const std::vector<uint8_t>& payload) {
  std::string keyText = serializeEngineKey(key);
  if (keyText.size() > kMaxKeyText) throw std::runtime_error("engine cache key too long");
  std::vector<uint8_t> header(kMagic, kMagic + 8);
  putU32(header, kFormatVersion);
  putU32(header, uint32_t(keyText.size()));
  header.insert(header.end(), keyText.begin(), keyText.end());
  putU64(header, payload.size());
  Digest digest = sha256(payload.data(), payload.size());
  header.insert(header.end(), digest.begin(), digest.end());
  writeChunksAtomic(path, {{header.data(), header.size()}, {payload.data(), payload.size()}});
}

std::optional<std::vector<uint8_t>> readFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return std::nullopt;
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) return std::nullopt;
  return bytes;
}

void writeFileAtomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  writeChunksAtomic(path, {{bytes.data(), bytes.size()}});
}

}  // namespace fastsam::trt
