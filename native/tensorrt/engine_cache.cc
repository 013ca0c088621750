#include "engine_cache.h"

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

// ---- file format ----

constexpr char kMagic[8] = {'F', 'S', 'T', 'R', 'T', 'E', 'N', 'G'};
// Bump when the header layout or the way engines are built changes, so old files are rebuilt.
// 2: the payload checksum is FNV-1a 64 (was SHA-256).
constexpr uint32_t kFormatVersion = 2;
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

uint64_t fnv1a64(const uint8_t* data, size_t size) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
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
  return "fastsam-" + safeFileChars(key.onnxSha256.substr(0, 16)) + "-" + safeFileChars(key.gpuName) + "-cc" +
         std::to_string(key.ccMajor) + std::to_string(key.ccMinor) + "-trt" + safeFileChars(key.tensorrtVersion) + "-" +
         safeFileChars(key.precision) + "-b" + std::to_string(key.maxBatch) + "-" + std::to_string(key.height) + "x" +
         std::to_string(key.width) + ".engine";
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

  uint8_t sizeAndChecksum[8 + 8];
  if (!readExact(sizeAndChecksum, sizeof sizeAndChecksum)) return reject("truncated header");
  uint64_t payloadSize = getLE(sizeAndChecksum, 8);
  // Compare with the real file size before allocating: a corrupt size must not become a huge allocation.
  if (payloadSize != remaining) {
    return reject(payloadSize > remaining ? "truncated payload" : "unexpected bytes after the payload");
  }
  std::vector<uint8_t> payload(static_cast<size_t>(payloadSize));
  if (!readExact(payload.data(), payloadSize)) return reject("cannot read the payload");
  if (fnv1a64(payload.data(), payload.size()) != getLE(sizeAndChecksum + 8, 8))
    return reject("payload checksum mismatch");
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
  putU64(header, fnv1a64(payload.data(), payload.size()));
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
