// Locale-independent text formatting shared by the .tflite dumper (inspect.cc) and the custom
// options decoders (custom_options.cc). Internal to tflc_inspect.
#ifndef TFLC_HOST_INSPECT_TEXT_H_
#define TFLC_HOST_INSPECT_TEXT_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>

namespace tflc::host::inspect_text {
// Locale-independent formatting.

inline std::string Int(int64_t v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

inline std::string UInt(uint64_t v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

// Same digits as printf("%.<precision>g"), but never affected by the C or C++
// locale.
inline std::string Float(double v, int precision) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v,
                           std::chars_format::general, precision);
  if (res.ec != std::errc()) return "?";
  return std::string(buf, res.ptr);
}

inline std::string Float32(float v) { return Float(v, 9); }
inline std::string Float64(double v) { return Float(v, 17); }

inline std::string Hex64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kDigits[v & 0xf];
    v >>= 4;
  }
  return s;
}

// "..." with \" \\ and \xNN for anything outside printable ASCII.
inline void AppendQuoted(std::string* s, const char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  s->push_back('"');
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '"' || c == '\\') {
      s->push_back('\\');
      s->push_back(static_cast<char>(c));
    } else if (c >= 0x20 && c < 0x7f) {
      s->push_back(static_cast<char>(c));
    } else {
      s->append("\\x");
      s->push_back(kDigits[c >> 4]);
      s->push_back(kDigits[c & 0xf]);
    }
  }
  s->push_back('"');
}

inline std::string Quoted(const char* p, size_t n) {
  std::string s;
  AppendQuoted(&s, p, n);
  return s;
}

}  // namespace tflc::host::inspect_text

#endif  // TFLC_HOST_INSPECT_TEXT_H_
