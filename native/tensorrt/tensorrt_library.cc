#include "tensorrt_library.h"

#include <map>
#include <memory>
#include <mutex>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace fastsam::trt {
namespace {

#ifdef _WIN32
void* openLibrary(const std::string& file, std::string* error) {
  HMODULE module = LoadLibraryA(file.c_str());
  if (!module) *error = "cannot be loaded (Windows error " + std::to_string(GetLastError()) + ")";
  return reinterpret_cast<void*>(module);
}
void* findSymbol(void* library, const char* name) {
  return reinterpret_cast<void*>(GetProcAddress(static_cast<HMODULE>(library), name));
}
#else
void* openLibrary(const std::string& file, std::string* error) {
  // RTLD_LOCAL: TensorRT's symbols stay out of the process's global namespace (another copy of TensorRT,
  // e.g. ONNX Runtime's, cannot interpose). RTLD_NOW: a library missing symbols fails here, not later.
  void* library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* message = dlerror();
    *error = message ? message : "cannot be loaded";
  }
  return library;
}
void* findSymbol(void* library, const char* name) { return dlsym(library, name); }
#endif

template <typename Fn>
bool bind(void* library, const char* name, Fn& out, std::vector<std::string>& missing) {
  out = reinterpret_cast<Fn>(findSymbol(library, name));
  if (!out) missing.push_back(name);
  return out != nullptr;
}

std::string joined(const std::vector<std::string>& parts, const char* separator = ", ") {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

// "<file>: <why>", without repeating the file name dlerror() already starts with.
std::string failure(const std::string& file, const std::string& error) {
  return error.rfind(file, 0) == 0 ? error : file + ": " + error;
}

// Results per major, kept for the life of the process (successes and failures alike: a library does not
// appear while a process runs, and retrying dlopen on every load would only repeat the same error).
template <typename Library>
struct Opened {
  std::unique_ptr<Library> library;
  std::string whyNot;
};
std::mutex openMutex;
std::map<int, Opened<TensorRtLibrary>> runtimes;
std::map<int, Opened<OnnxParserLibrary>> parsers;

const Opened<TensorRtLibrary>& openRuntime(int major) {
  auto [entry, fresh] = runtimes.try_emplace(major);
  Opened<TensorRtLibrary>& opened = entry->second;
  if (!fresh) return opened;
  const std::string file = nvinferFile(major);
  std::string error;
  void* handle = openLibrary(file, &error);
  if (!handle) {
    opened.whyNot = failure(file, error);
    return opened;
  }
  auto library = std::make_unique<TensorRtLibrary>();
  library->major = major;
  library->file = file;
  int32_t (*getInferLibVersion)() = nullptr;
  std::vector<std::string> missing;
  bind(handle, "createInferBuilder_INTERNAL", library->createInferBuilder, missing);
  bind(handle, "createInferRuntime_INTERNAL", library->createInferRuntime, missing);
  bind(handle, "getInferLibVersion", getInferLibVersion, missing);
  if (!missing.empty()) {
    opened.whyNot = file + " lacks " + joined(missing);
    return opened;
  }
  const int v = getInferLibVersion();  // (major * 100 + minor) * 100 + patch
  library->version = std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
  if (v / 10000 != major) {
    opened.whyNot = file + " reports TensorRT " + library->version + ", not " + std::to_string(major) + ".x";
    return opened;
  }
  opened.library = std::move(library);  // the handle is never closed: engines and runtimes outlive callers
  return opened;
}

}  // namespace

std::string nvinferFile(int major) {
#ifdef _WIN32
  return "nvinfer_" + std::to_string(major) + ".dll";
#else
  return "libnvinfer.so." + std::to_string(major);
#endif
}

std::string onnxParserFile(int major) {
#ifdef _WIN32
  return "nvonnxparser_" + std::to_string(major) + ".dll";
#else
  return "libnvonnxparser.so." + std::to_string(major);
#endif
}

const TensorRtLibrary* openTensorRt(const std::vector<int>& majors, std::string* whyNot) {
  std::lock_guard<std::mutex> lock(openMutex);
  std::vector<std::string> failures;
  for (int major : majors) {
    const Opened<TensorRtLibrary>& opened = openRuntime(major);
    if (opened.library) return opened.library.get();
    failures.push_back(opened.whyNot);
  }
  if (whyNot) *whyNot = majors.empty() ? "this addon was built without TensorRT" : joined(failures, "; ");
  return nullptr;
}

const OnnxParserLibrary* openOnnxParser(int major, std::string* whyNot) {
  std::lock_guard<std::mutex> lock(openMutex);
  auto [entry, fresh] = parsers.try_emplace(major);
  Opened<OnnxParserLibrary>& opened = entry->second;
  if (fresh) {
    auto library = std::make_unique<OnnxParserLibrary>();
    library->file = onnxParserFile(major);
    std::string error;
    std::vector<std::string> missing;
    // Its own dependency on libnvinfer.so.<major> resolves to the copy openTensorRt already loaded.
    void* handle = openLibrary(library->file, &error);
    if (!handle) {
      opened.whyNot = failure(library->file, error);
    } else if (!bind(handle, "createNvOnnxParser_INTERNAL", library->createParser, missing)) {
      opened.whyNot = library->file + " lacks " + joined(missing);
    } else {
      opened.library = std::move(library);
    }
  }
  if (!opened.library && whyNot) *whyNot = opened.whyNot;
  return opened.library.get();
}

}  // namespace fastsam::trt
