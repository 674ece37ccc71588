// Helpers shared by the libFuzzer targets of tests/fuzz (not part of any library).
#ifndef TFLC_TESTS_FUZZ_FUZZ_UTIL_H_
#define TFLC_TESTS_FUZZ_FUZZ_UTIL_H_

#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/stubs/logging.h>

namespace tflc::fuzz {

// libprotobuf logs every invalid UTF-8 string it parses to stderr; that drowns the fuzzer's output
// and slows it down. Parse results are unaffected.
inline void QuietProtobufLogs() {
  google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int, const std::string&) {});
}

// A private directory for the files a target must write (one per process), under
// $TFLC_FUZZ_TMPDIR (run_fuzzers.sh makes one per run, in /dev/shm when it exists so that writing a
// file per input costs little, and removes it afterwards), else under /tmp.
inline const std::string& TempDir() {
  static const std::string dir = [] {
    const char* base = std::getenv("TFLC_FUZZ_TMPDIR");
    std::string tmpl = base && *base ? base : "/tmp";
    tmpl += "/tflc_fuzz_XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    return tmpl;
  }();
  return dir;
}

inline void WriteFile(const std::string& path, const char* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    std::abort();
  }
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

// True when the input starts like a text proto: the frontends try the text parser first for
// .pbtxt files, the binary parser first otherwise; the targets choose the name accordingly.
inline bool LooksLikeText(const uint8_t* data, size_t size) {
  return size > 0 && (std::isprint(data[0]) || std::isspace(data[0]));
}

}  // namespace tflc::fuzz

#endif  // TFLC_TESTS_FUZZ_FUZZ_UTIL_H_
