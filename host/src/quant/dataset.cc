#include "quant/dataset.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>

#include "ir/ir.h"

namespace tflc::host {
namespace {

namespace fs = std::filesystem;

// ---- little-endian helpers ----
uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t U32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t U64(const uint8_t* p) { return U32(p) | (static_cast<uint64_t>(U32(p + 4)) << 32); }

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

std::string QuotedList(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + Quoted(names[i]);
  return s.empty() ? "(none)" : s;
}

// numpy's tuple spelling: "(28, 28, 1)", "(5,)", "()"; unknown dimensions as "?".
std::string TupleString(const std::vector<int64_t>& dims, size_t from = 0) {
  std::string s = "(";
  for (size_t i = from; i < dims.size(); ++i) {
    if (i > from) s += ", ";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  if (dims.size() - from == 1) s += ",";
  return s + ")";
}

std::string ListString(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return s + "]";
}

bool ReadAt(std::ifstream& f, uint64_t offset, void* dst, size_t n) {
  f.clear();
  f.seekg(static_cast<std::streamoff>(offset));
  if (!f) return false;
  f.read(static_cast<char*>(dst), static_cast<std::streamsize>(n));
  return static_cast<size_t>(f.gcount()) == n;
}

// ---- byte sources: a .npy is parsed from memory, a file range, or a deflate stream ----
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads exactly n bytes, or fails (the message says what ended early).
  virtual Status Read(uint8_t* dst, size_t n) = 0;
  virtual uint64_t remaining() const = 0;
  uint32_t crc() const { return crc_; }

 protected:
  void UpdateCrc(const uint8_t* p, size_t n) {
    while (n > 0) {
      uInt k = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
      crc_ = static_cast<uint32_t>(crc32(crc_, p, k));
      p += k;
      n -= k;
    }
  }

 private:
  uint32_t crc_ = 0;
};

Status Truncated() { return InvalidArgument("the data ends early (truncated file?)"); }

class MemorySource final : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  Status Read(uint8_t* dst, size_t n) override {
    if (n > size_ - pos_) return Truncated();
    if (n) std::memcpy(dst, data_ + pos_, n);
    pos_ += n;
    return OkStatus();
  }
  uint64_t remaining() const override { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Bytes [offset, offset + size) of an open file (a .npy, or a stored zip member).
class FileSource final : public ByteSource {
 public:
  FileSource(std::ifstream* f, uint64_t offset, uint64_t size, bool crc)
      : f_(f), offset_(offset), size_(size), crc_(crc) {}
  Status Read(uint8_t* dst, size_t n) override {
    if (n > size_ - pos_) return Truncated();
    if (!ReadAt(*f_, offset_ + pos_, dst, n)) return Truncated();
    if (crc_) UpdateCrc(dst, n);
    pos_ += n;
    return OkStatus();
  }
  uint64_t remaining() const override { return size_ - pos_; }

 private:
  std::ifstream* f_;
  uint64_t offset_, size_, pos_ = 0;
  bool crc_;
};

// A raw-deflate zip member (np.savez_compressed), inflated as it is read.
class DeflateSource final : public ByteSource {
 public:
  DeflateSource(std::ifstream* f, uint64_t offset, uint64_t compressed, uint64_t size)
      : f_(f), next_in_(offset), in_left_(compressed), size_(size), buf_(1 << 16) {}
  ~DeflateSource() override {
    if (init_) inflateEnd(&z_);
  }
  DeflateSource(const DeflateSource&) = delete;
  DeflateSource& operator=(const DeflateSource&) = delete;

  Status Init() {
    std::memset(&z_, 0, sizeof(z_));
    if (inflateInit2(&z_, -MAX_WBITS) != Z_OK) return Internal("zlib inflateInit2 failed");
    init_ = true;
    return OkStatus();
  }

  Status Read(uint8_t* dst, size_t n) override {
    if (n > size_ - produced_) return Truncated();
    while (n > 0) {
      uInt chunk = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
      z_.next_out = dst;
      z_.avail_out = chunk;
      while (z_.avail_out > 0) {
        if (z_.avail_in == 0) {
          if (in_left_ == 0) return InvalidArgument("the compressed data ends early (truncated file?)");
          size_t k = static_cast<size_t>(std::min<uint64_t>(in_left_, buf_.size()));
          if (!ReadAt(*f_, next_in_, buf_.data(), k)) return Truncated();
          next_in_ += k;
          in_left_ -= k;
          z_.next_in = buf_.data();
          z_.avail_in = static_cast<uInt>(k);
        }
        int r = inflate(&z_, Z_NO_FLUSH);
        if (r == Z_STREAM_END) {
          if (z_.avail_out > 0) return InvalidArgument("the compressed data ends early (corrupt file?)");
          break;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
          return InvalidArgument(std::string("corrupt compressed data (zlib: ") + (z_.msg ? z_.msg : "error") +
                                 ")");
        }
      }
      UpdateCrc(dst, chunk);
      dst += chunk;
      n -= chunk;
      produced_ += chunk;
    }
    return OkStatus();
  }
  uint64_t remaining() const override { return size_ - produced_; }

 private:
  std::ifstream* f_;
  uint64_t next_in_, in_left_, size_, produced_ = 0;
  std::vector<uint8_t> buf_;
  z_stream z_;
  bool init_ = false;
};

// ---- the .npy header: a Python dict literal ----
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& s) : s_(s) {}

  // Fills descr, fortran_order and shape; returns an error message, or "" on success.
  std::string Parse(std::string* descr, bool* fortran, std::vector<int64_t>* shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    if (!Eat('{')) return "expected '{'";
    while (true) {
      SkipWs();
      if (Eat('}')) break;
      std::string key;
      if (!String(&key)) return "expected a quoted key";
      if (!Eat(':')) return "expected ':' after '" + key + "'";
      SkipWs();
      if (key == "descr") {
        if (!String(descr)) {
          return "the dtype is structured or not a simple type: save a plain numeric array "
                 "(e.g. .astype(np.float32))";
        }
        have_descr = true;
      } else if (key == "fortran_order") {
        if (s_.compare(p_, 4, "True") == 0) {
          *fortran = true;
          p_ += 4;
        } else if (s_.compare(p_, 5, "False") == 0) {
          *fortran = false;
          p_ += 5;
        } else {
          return "fortran_order is neither True nor False";
        }
        have_fortran = true;
      } else if (key == "shape") {
        if (!Tuple(shape)) return "the shape is not a tuple of integers";
        have_shape = true;
      } else {
        return "unexpected key '" + key + "'";
      }
      SkipWs();
      if (Eat(',')) continue;
      SkipWs();
      if (Eat('}')) break;
      return "expected ',' or '}'";
    }
    if (!have_descr || !have_fortran || !have_shape) return "descr, fortran_order or shape is missing";
    return "";
  }

 private:
  void SkipWs() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool Eat(char c) {
    SkipWs();
    if (p_ < s_.size() && s_[p_] == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool String(std::string* out) {
    SkipWs();
    if (p_ >= s_.size() || (s_[p_] != '\'' && s_[p_] != '"')) return false;
    char q = s_[p_++];
    out->clear();
    while (p_ < s_.size() && s_[p_] != q) {
      if (s_[p_] == '\\' && p_ + 1 < s_.size()) ++p_;
      out->push_back(s_[p_++]);
    }
    if (p_ >= s_.size()) return false;
    ++p_;
    return true;
  }
  bool Tuple(std::vector<int64_t>* out) {
    out->clear();
    if (!Eat('(')) return false;
    while (true) {
      SkipWs();
      if (Eat(')')) return true;
      size_t start = p_;
      int64_t v = 0;
      while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
        v = v * 10 + (s_[p_++] - '0');
      }
      if (p_ == start) return false;
      if (p_ < s_.size() && s_[p_] == 'L') ++p_;  // Python 2 longs
      out->push_back(v);
      if (Eat(',')) continue;
      return Eat(')');
    }
  }

  const std::string& s_;
  size_t p_ = 0;
};

// Maps a numpy descr ("<f4") to a type; on failure returns the message.
std::string DescrToType(const std::string& descr, TflcDataType* type) {
  if (descr.size() < 3) return "dtype '" + descr + "' is not supported";
  char order = descr[0], kind = descr[1];
  std::string size = descr.substr(2);
  TflcDataType t = TFLC_TYPE_UNKNOWN;
  if (kind == 'f') {
    if (size == "2") t = TFLC_TYPE_FLOAT16;
    if (size == "4") t = TFLC_TYPE_FLOAT32;
    if (size == "8") t = TFLC_TYPE_FLOAT64;
  } else if (kind == 'i') {
    if (size == "1") t = TFLC_TYPE_INT8;
    if (size == "2") t = TFLC_TYPE_INT16;
    if (size == "4") t = TFLC_TYPE_INT32;
    if (size == "8") t = TFLC_TYPE_INT64;
  } else if (kind == 'u') {
    if (size == "1") t = TFLC_TYPE_UINT8;
    if (size == "2") t = TFLC_TYPE_UINT16;
    if (size == "4") t = TFLC_TYPE_UINT32;
    if (size == "8") t = TFLC_TYPE_UINT64;
  } else if (kind == 'b') {
    if (size == "1") t = TFLC_TYPE_BOOL;
  } else if (kind == 'c') {
    if (size == "8") t = TFLC_TYPE_COMPLEX64;
    if (size == "16") t = TFLC_TYPE_COMPLEX128;
  }
  if (t == TFLC_TYPE_UNKNOWN) {
    return "dtype '" + descr + "' is not supported: save numeric data (e.g. .astype(np.float32))";
  }
  if (order != '<' && order != '>' && order != '|' && order != '=' && order != '!') {
    return "dtype '" + descr + "' has an unknown byte order";
  }
  if ((order == '>' || order == '!') && ElementSize(t) > 1) {
    return "the array is big-endian (dtype '" + descr + "'): save it little-endian with .astype('<" +
           descr.substr(1) + "')";
  }
  *type = t;
  return "";
}

// Reads one .npy from `src`; messages start with `where`.
StatusOr<NpyArray> ReadNpyFrom(ByteSource* src, const std::string& name, const std::string& where) {
  auto fail = [&](const std::string& m) { return InvalidArgument(where + ": " + m); };
  auto bad = [&](const std::string& m) {
    return InvalidArgument(where + ": not a valid .npy file (" + m + "): write it with np.save");
  };
  uint8_t pre[8];
  if (!src->Read(pre, 8).ok()) return bad("too short");
  if (std::memcmp(pre, "\x93NUMPY", 6) != 0) return bad("no \\x93NUMPY magic");
  uint8_t major = pre[6], minor = pre[7];
  uint64_t header_len = 0;
  if (major == 1) {
    uint8_t b[2];
    if (!src->Read(b, 2).ok()) return bad("truncated header");
    header_len = U16(b);
  } else if (major == 2 || major == 3) {
    uint8_t b[4];
    if (!src->Read(b, 4).ok()) return bad("truncated header");
    header_len = U32(b);
  } else {
    return fail("unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                " (1.0, 2.0 and 3.0 are read): save it with a current numpy");
  }
  if (header_len > src->remaining()) return bad("truncated header");
  std::string header(static_cast<size_t>(header_len), '\0');
  if (!src->Read(reinterpret_cast<uint8_t*>(header.data()), header.size()).ok()) return bad("truncated header");

  NpyArray arr;
  arr.name = name;
  bool fortran = false;
  std::string err = HeaderParser(header).Parse(&arr.descr, &fortran, &arr.dims);
  if (!err.empty()) return bad("header: " + err);
  err = DescrToType(arr.descr, &arr.type);
  if (!err.empty()) return fail(err);
  if (fortran) {
    bool trivial = std::count_if(arr.dims.begin(), arr.dims.end(), [](int64_t d) { return d > 1; }) <= 1;
    if (!trivial) {
      return fail("the array is in Fortran order (shape " + TupleString(arr.dims) +
                  "): save it in C order with np.save(path, np.ascontiguousarray(a))");
    }
  }
  uint64_t nbytes = ElementSize(arr.type);
  for (int64_t d : arr.dims) {
    if (__builtin_mul_overflow(nbytes, static_cast<uint64_t>(d), &nbytes)) return bad("shape too large");
  }
  if (nbytes > src->remaining()) {
    return fail("holds " + std::to_string(src->remaining()) + " bytes of data but shape " +
                TupleString(arr.dims) + " of " + arr.descr + " needs " + std::to_string(nbytes) +
                " (truncated file?)");
  }
  arr.data.resize(static_cast<size_t>(nbytes));
  Status s = src->Read(arr.data.data(), arr.data.size());
  if (!s.ok()) return fail(s.message());
  return arr;
}

struct ZipEntry {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, size = 0, local_offset = 0;
};

// ---- NaN / Inf ----
// Returns "NaN", "Inf" or nullptr for `count` elements of a float type (complex as float pairs).
const char* NonFinite(TflcDataType type, const uint8_t* p, size_t bytes) {
  switch (type) {
    case TFLC_TYPE_FLOAT32:
    case TFLC_TYPE_COMPLEX64:
      for (size_t i = 0; i + 4 <= bytes; i += 4) {
        float v;
        std::memcpy(&v, p + i, 4);
        if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : "Inf";
      }
      return nullptr;
    case TFLC_TYPE_FLOAT64:
    case TFLC_TYPE_COMPLEX128:
      for (size_t i = 0; i + 8 <= bytes; i += 8) {
        double v;
        std::memcpy(&v, p + i, 8);
        if (!std::isfinite(v)) return std::isnan(v) ? "NaN" : "Inf";
      }
      return nullptr;
    case TFLC_TYPE_FLOAT16:
    case TFLC_TYPE_BFLOAT16: {
      const uint16_t exp = type == TFLC_TYPE_FLOAT16 ? 0x7C00 : 0x7F80;
      for (size_t i = 0; i + 2 <= bytes; i += 2) {
        uint16_t h = U16(p + i);
        if ((h & exp) == exp) return (h & ~exp & 0x7FFF) ? "NaN" : "Inf";
      }
      return nullptr;
    }
    default:
      return nullptr;
  }
}

// The leading dimension of the model input as fed (-1 batch → 1); other -1 stay as wildcards.
std::vector<int64_t> ModelDims(const DatasetInput& in) {
  std::vector<int64_t> d = in.dims;
  if (!d.empty() && d[0] < 0) d[0] = 1;
  return d;
}

bool SameShape(const std::vector<int64_t>& want, const int64_t* got, size_t rank) {
  if (want.size() != rank) return false;
  for (size_t i = 0; i < rank; ++i) {
    if (want[i] >= 0 && want[i] != got[i]) return false;
  }
  return true;
}

// Matches one sample's shape against the input: either the model shape without its leading batch 1,
// or the full model shape. On success fills `fed` (the model rank, -1 resolved).
bool MatchSample(const DatasetInput& in, const int64_t* got, size_t rank, std::vector<int64_t>* fed) {
  std::vector<int64_t> full = ModelDims(in);
  if (!full.empty() && full[0] == 1) {
    std::vector<int64_t> inner(full.begin() + 1, full.end());
    if (SameShape(inner, got, rank)) {
      fed->assign(1, 1);
      fed->insert(fed->end(), got, got + rank);
      return true;
    }
  }
  if (SameShape(full, got, rank)) {
    fed->assign(got, got + rank);
    return true;
  }
  return false;
}

// The per-sample shape(s) the input accepts, for messages: "(28, 28, 1)" or "(4, 10)".
std::string ExpectedSample(const DatasetInput& in) {
  std::vector<int64_t> full = ModelDims(in);
  if (!full.empty() && full[0] == 1) return TupleString(full, 1);
  return TupleString(full);
}

// The array shape an .npz should hold for the input: "(N, 28, 28, 1)".
std::string BatchedHint(const DatasetInput& in) {
  std::vector<int64_t> full = ModelDims(in);
  std::string s = "(N";
  for (size_t i = (!full.empty() && full[0] == 1) ? 1 : 0; i < full.size(); ++i) {
    s += ", " + (full[i] < 0 ? std::string("?") : std::to_string(full[i]));
  }
  return s + ")";
}

std::string InputDesc(const DatasetInput& in) {
  std::string s = "input " + Quoted(in.name);
  if (!in.tensor_name.empty() && in.tensor_name != in.name) s += " (tensor " + Quoted(in.tensor_name) + ")";
  return s;
}

std::string StripZeroSuffix(const std::string& s) {
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ":0") == 0) return s.substr(0, s.size() - 2);
  return s;
}

bool IsPositionalName(const std::string& s) {
  if (s.size() <= 4 || s.compare(0, 4, "arr_") != 0) return false;
  return std::all_of(s.begin() + 4, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const char* NumpyTypeName(TflcDataType type) {
  switch (type) {
    case TFLC_TYPE_FLOAT32: return "float32";
    case TFLC_TYPE_FLOAT16: return "float16";
    case TFLC_TYPE_FLOAT64: return "float64";
    case TFLC_TYPE_BFLOAT16: return "bfloat16";
    case TFLC_TYPE_INT8: return "int8";
    case TFLC_TYPE_INT16: return "int16";
    case TFLC_TYPE_INT32: return "int32";
    case TFLC_TYPE_INT64: return "int64";
    case TFLC_TYPE_UINT8: return "uint8";
    case TFLC_TYPE_UINT16: return "uint16";
    case TFLC_TYPE_UINT32: return "uint32";
    case TFLC_TYPE_UINT64: return "uint64";
    case TFLC_TYPE_BOOL: return "bool_";
    case TFLC_TYPE_COMPLEX64: return "complex64";
    case TFLC_TYPE_COMPLEX128: return "complex128";
    default: return "unsupported";
  }
}

StatusOr<NpyArray> ParseNpy(const std::string& name, const uint8_t* data, size_t size, const std::string& where) {
  MemorySource src(data, size);
  return ReadNpyFrom(&src, name, where);
}

StatusOr<NpyArray> ReadNpy(const std::string& path) {
  std::string where = Quoted(path);
  std::ifstream f(path, std::ios::binary);
  if (!f) return InvalidArgument(where + ": cannot open: " + std::strerror(errno));
  f.seekg(0, std::ios::end);
  uint64_t size = static_cast<uint64_t>(f.tellg());
  FileSource src(&f, 0, size, /*crc=*/false);
  return ReadNpyFrom(&src, fs::path(path).filename().string(), where);
}

StatusOr<std::vector<NpyArray>> ReadNpz(const std::string& path) {
  const std::string where = Quoted(path);
  auto fail = [&](const std::string& m) { return InvalidArgument(where + ": " + m); };
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail(std::string("cannot open: ") + std::strerror(errno));
  f.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(f.tellg());
  auto not_zip = [&]() -> Status {
    uint8_t magic[6] = {};
    if (ReadAt(f, 0, magic, 6) && std::memcmp(magic, "\x93NUMPY", 6) == 0) {
      return fail("is a .npy file, not an .npz: save the arrays with np.savez(path, input_name=array), or put "
                  "one .npy per sample in a directory");
    }
    return fail("is not an .npz (zip) file: save the arrays with np.savez(path, input_name=array)");
  };

  // End of central directory: the last 22+ bytes (a comment of up to 64 KiB may follow it).
  if (file_size < 22) return not_zip();
  const uint64_t tail_size = std::min<uint64_t>(file_size, 22 + 0xFFFF);
  std::vector<uint8_t> tail(static_cast<size_t>(tail_size));
  if (!ReadAt(f, file_size - tail_size, tail.data(), tail.size())) return fail("cannot read the file");
  int64_t eocd = -1;
  for (int64_t i = static_cast<int64_t>(tail.size()) - 22; i >= 0; --i) {
    if (U32(&tail[static_cast<size_t>(i)]) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return not_zip();
  const uint8_t* e = &tail[static_cast<size_t>(eocd)];
  const uint64_t eocd_pos = file_size - tail_size + static_cast<uint64_t>(eocd);
  uint64_t num_entries = U16(e + 10), cd_size = U32(e + 12), cd_offset = U32(e + 16);
  if (num_entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
    // ZIP64: a locator just before the EOCD points at the ZIP64 end record.
    uint8_t loc[20], rec[56];
    if (eocd_pos < 20 || !ReadAt(f, eocd_pos - 20, loc, 20) || U32(loc) != 0x07064b50) {
      return fail("corrupt zip: ZIP64 end-of-directory locator missing");
    }
    uint64_t rec_pos = U64(loc + 8);
    if (!ReadAt(f, rec_pos, rec, 56) || U32(rec) != 0x06064b50) {
      return fail("corrupt zip: ZIP64 end-of-directory record missing");
    }
    num_entries = U64(rec + 32);
    cd_size = U64(rec + 40);
    cd_offset = U64(rec + 48);
  }
  if (cd_offset > file_size || cd_size > file_size - cd_offset || num_entries > cd_size / 46 + 1) {
    return fail("corrupt zip: the central directory lies outside the file");
  }
  std::vector<uint8_t> cd(static_cast<size_t>(cd_size));
  if (!ReadAt(f, cd_offset, cd.data(), cd.size())) return fail("cannot read the zip central directory");

  std::vector<ZipEntry> entries;
  size_t p = 0;
  for (uint64_t n = 0; n < num_entries; ++n) {
    if (p + 46 > cd.size() || U32(&cd[p]) != 0x02014b50) return fail("corrupt zip central directory");
    const uint8_t* h = &cd[p];
    ZipEntry z;
    z.flags = U16(h + 8);
    z.method = U16(h + 10);
    z.crc = U32(h + 16);
    z.compressed = U32(h + 20);
    z.size = U32(h + 24);
    size_t name_len = U16(h + 28), extra_len = U16(h + 30), comment_len = U16(h + 32);
    z.local_offset = U32(h + 42);
    if (p + 46 + name_len + extra_len + comment_len > cd.size()) return fail("corrupt zip central directory");
    z.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    // ZIP64 extended information: the 64-bit values of the fields saturated at 0xFFFFFFFF, in order.
    const uint8_t* x = h + 46 + name_len;
    for (size_t q = 0; q + 4 <= extra_len;) {
      uint16_t id = U16(x + q), len = U16(x + q + 2);
      if (q + 4 + len > extra_len) break;
      if (id == 0x0001) {
        const uint8_t* v = x + q + 4;
        size_t left = len;
        auto take = [&](uint64_t* field) {
          if (*field != 0xFFFFFFFFu) return true;
          if (left < 8) return false;
          *field = U64(v);
          v += 8;
          left -= 8;
          return true;
        };
        if (!take(&z.size) || !take(&z.compressed) || !take(&z.local_offset)) {
          return fail("corrupt zip: bad ZIP64 field for member " + Quoted(z.name));
        }
      }
      q += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;
    if (!z.name.empty() && z.name.back() == '/') continue;  // a directory entry
    entries.push_back(std::move(z));
  }

  std::vector<NpyArray> arrays;
  std::set<std::string> seen;
  for (const ZipEntry& z : entries) {
    std::string member_where = where + " member " + Quoted(z.name);
    auto mfail = [&](const std::string& m) { return InvalidArgument(member_where + ": " + m); };
    if (z.flags & 1) return mfail("is encrypted; save the arrays with np.savez");
    uint8_t lh[30];
    if (!ReadAt(f, z.local_offset, lh, 30) || U32(lh) != 0x04034b50) return mfail("corrupt zip local header");
    uint64_t data_offset = z.local_offset + 30 + U16(lh + 26) + U16(lh + 28);
    if (data_offset > file_size || z.compressed > file_size - data_offset) {
      return mfail("the member's data lies outside the file (truncated?)");
    }
    std::string name = z.name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    if (!seen.insert(name).second) return mfail("appears twice in the archive");

    std::unique_ptr<ByteSource> src;
    if (z.method == 0) {
      if (z.compressed != z.size) return mfail("corrupt zip: stored member sizes differ");
      src = std::make_unique<FileSource>(&f, data_offset, z.size, /*crc=*/true);
    } else if (z.method == 8) {
      auto d = std::make_unique<DeflateSource>(&f, data_offset, z.compressed, z.size);
      TFLC_RETURN_IF_ERROR(d->Init());
      src = std::move(d);
    } else {
      return mfail("uses zip compression method " + std::to_string(z.method) +
                   "; only stored and deflate members are read (np.savez, np.savez_compressed)");
    }
    TFLC_ASSIGN_OR_RETURN(NpyArray arr, ReadNpyFrom(src.get(), name, member_where));
    // Whatever follows the array (numpy writes nothing) still counts for the CRC.
    uint8_t scratch[4096];
    while (src->remaining() > 0) {
      size_t k = static_cast<size_t>(std::min<uint64_t>(src->remaining(), sizeof(scratch)));
      Status s = src->Read(scratch, k);
      if (!s.ok()) return mfail(s.message());
    }
    if (src->crc() != z.crc) return mfail("CRC mismatch: the file is corrupt");
    arrays.push_back(std::move(arr));
  }
  return arrays;
}

Status CheckSample(const std::string& source, size_t index, const DatasetInput& in, TflcDataType got_type,
                   const std::string& got_type_name, const std::vector<int64_t>& got_dims, const void* data,
                   size_t bytes, size_t fed_bytes) {
  const std::string prefix = source + ": sample " + std::to_string(index) + ", " + InputDesc(in);
  auto fail = [&](const std::string& m) { return InvalidArgument(prefix + ": " + m); };
  // A sample is the model shape, or the model shape without its leading batch 1.
  const std::vector<int64_t> full = ModelDims(in);
  const std::string expected =
      TupleString(full) + (!full.empty() && full[0] == 1 ? " (or " + TupleString(full, 1) + ")" : std::string());
  if (got_type != in.type) {
    return fail("dtype is " + got_type_name + " but the input is " + NumpyTypeName(in.type) + " (expected dtype " +
                NumpyTypeName(in.type) + ", shape " + expected + "; got dtype " + got_type_name + ", shape " +
                TupleString(got_dims) + "): yield .astype(np." + NumpyTypeName(in.type) + ")");
  }
  std::vector<int64_t> fed;
  if (!MatchSample(in, got_dims.data(), got_dims.size(), &fed) || bytes != fed_bytes) {
    return fail("shape is " + TupleString(got_dims) + " but the input takes samples of shape " + expected +
                " (dtype " + NumpyTypeName(in.type) + "; the model input shape is " + ListString(in.dims) + ")");
  }
  if (const char* kind = NonFinite(got_type, static_cast<const uint8_t*>(data), bytes)) {
    return fail(std::string("contains ") + kind + ": remove or fix that sample; calibration needs finite values");
  }
  return OkStatus();
}

const void* Dataset::sample(size_t i, size_t k) const {
  const Feed& f = feeds_[k];
  if (f.array_per_sample) return arrays_[i].data.data();
  return arrays_[f.array].data.data() + i * f.sample_bytes;
}

StatusOr<Dataset> Dataset::Load(const std::string& path, const std::vector<DatasetInput>& inputs) {
  const std::string prefix = "representative dataset " + Quoted(path);
  auto fail = [&](const std::string& m) { return InvalidArgument(prefix + ": " + m); };
  // Errors of the readers already start with the quoted path.
  auto reader_fail = [&](const Status& s) { return InvalidArgument("representative dataset " + s.message()); };

  std::vector<std::string> input_names;
  for (const DatasetInput& in : inputs) input_names.push_back(in.name);
  auto savez_hint = [&]() {
    std::string s = "np.savez(path";
    for (const std::string& n : input_names) s += ", " + n + "=...";
    return s + ")";
  };
  auto type_fail = [&](const std::string& what, const NpyArray& a, const DatasetInput& in) {
    return fail(what + " is " + NumpyTypeName(a.type) + " but " + InputDesc(in) + " is " +
                NumpyTypeName(in.type) + ": save it with .astype(np." + NumpyTypeName(in.type) + ") (an array of shape " +
                BatchedHint(in) + ")");
  };
  auto nonfinite_fail = [&](const char* kind, size_t i, const DatasetInput& in, const std::string& what) {
    return fail("sample " + std::to_string(i) + " of " + InputDesc(in) + " contains " + kind + " (" + what +
                "): remove or fix that sample; calibration needs finite values");
  };

  if (inputs.empty()) return fail("the model has no inputs to feed");
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return fail("does not exist: pass an .npz file (np.savez, one array per input, samples on the first axis) "
                "or a directory of .npy files (np.save, one file per sample)");
  }

  Dataset ds;
  if (fs::is_directory(st)) {
    if (inputs.size() > 1) {
      return fail("is a directory of .npy files, which can only feed a model with one input, but the model has " +
                  std::to_string(inputs.size()) + " inputs (" + QuotedList(input_names) +
                  "): save an .npz with one array per input instead, " + savez_hint());
    }
    const DatasetInput& in = inputs[0];
    std::vector<std::string> files;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".npy" && fs::is_regular_file(it->path())) {
        files.push_back(it->path().filename().string());
      }
    }
    if (ec) return fail("cannot list the directory: " + ec.message());
    if (files.empty()) {
      return fail("contains no .npy files: save one sample per file with np.save, or pass an .npz file");
    }
    std::sort(files.begin(), files.end());
    Feed feed;
    feed.array_per_sample = true;
    for (size_t i = 0; i < files.size(); ++i) {
      auto arr = ReadNpy((fs::path(path) / files[i]).string());
      if (!arr.ok()) return reader_fail(arr.status());
      const std::string what = "file " + Quoted(files[i]);
      if (arr->type != in.type) return type_fail(what, *arr, in);
      std::vector<int64_t> fed;
      if (!MatchSample(in, arr->dims.data(), arr->dims.size(), &fed)) {
        return fail(what + " has shape " + TupleString(arr->dims) + " but " + InputDesc(in) +
                    " takes samples of shape " + ExpectedSample(in) + " (the model input shape is " +
                    ListString(in.dims) + "): save each sample as one array of that shape");
      }
      if (i == 0) {
        feed.dims = fed;
        feed.sample_bytes = arr->data.size();
      } else if (fed != feed.dims) {
        return fail(what + " has shape " + TupleString(arr->dims) + " but the first sample " + Quoted(files[0]) +
                    " is fed as " + ListString(feed.dims) + ": every sample of " + InputDesc(in) +
                    " must have the same shape");
      }
      if (const char* kind = NonFinite(arr->type, arr->data.data(), arr->data.size())) {
        return nonfinite_fail(kind, i, in, what);
      }
      ds.arrays_.push_back(std::move(*arr));
    }
    ds.feeds_.push_back(std::move(feed));
    ds.num_samples_ = files.size();
    return ds;
  }

  auto arrays_or = ReadNpz(path);
  if (!arrays_or.ok()) return reader_fail(arrays_or.status());
  ds.arrays_ = std::move(*arrays_or);
  const std::vector<NpyArray>& arrays = ds.arrays_;
  std::vector<std::string> array_names;
  for (const NpyArray& a : arrays) array_names.push_back(a.name);
  if (arrays.empty()) return fail("contains no arrays: save one array per input with " + savez_hint());

  // Match arrays to inputs: by signature name, then by tensor name; else positionally (arr_0, arr_1, ...).
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> match(inputs.size(), kNone);
  std::vector<bool> used(arrays.size(), false);
  auto find = [&](const std::string& name) -> size_t {
    if (name.empty()) return kNone;
    for (size_t a = 0; a < arrays.size(); ++a) {
      if (!used[a] && arrays[a].name == name) return a;
    }
    return kNone;
  };
  for (size_t k = 0; k < inputs.size(); ++k) {
    if ((match[k] = find(inputs[k].name)) != kNone) used[match[k]] = true;
  }
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (match[k] != kNone) continue;
    for (const std::string& n : {inputs[k].tensor_name, StripZeroSuffix(inputs[k].tensor_name)}) {
      if ((match[k] = find(n)) != kNone) {
        used[match[k]] = true;
        break;
      }
    }
  }
  const bool any_named = std::any_of(used.begin(), used.end(), [](bool u) { return u; });
  const bool positional = !any_named && std::all_of(array_names.begin(), array_names.end(), IsPositionalName);
  if (positional) {
    if (arrays.size() != inputs.size()) {
      return fail("has " + std::to_string(arrays.size()) + " unnamed arrays (" + QuotedList(array_names) +
                  ") but the model has " + std::to_string(inputs.size()) + " inputs (" + QuotedList(input_names) +
                  ", in this order): save one array per input, or name them: " + savez_hint());
    }
    for (size_t k = 0; k < inputs.size(); ++k) {
      match[k] = find("arr_" + std::to_string(k));
      if (match[k] == kNone) {
        return fail("has no array 'arr_" + std::to_string(k) + "' for " + InputDesc(inputs[k]) +
                    " (arrays found: " + QuotedList(array_names) + "): save the arrays by name: " + savez_hint());
      }
      used[match[k]] = true;
    }
  } else {
    std::vector<std::string> missing, extra;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (match[k] == kNone) missing.push_back(inputs[k].name);
    }
    for (size_t a = 0; a < arrays.size(); ++a) {
      if (!used[a]) extra.push_back(arrays[a].name);
    }
    if (!missing.empty()) {
      std::string m = "has no array for ";
      for (size_t k = 0, n = 0; k < inputs.size(); ++k) {
        if (match[k] == kNone) m += (n++ ? ", " : "") + InputDesc(inputs[k]) + " (shape " + BatchedHint(inputs[k]) + ")";
      }
      return fail(m + "; arrays found: " + QuotedList(array_names) + "; expected one array per input, named " +
                  QuotedList(input_names) + " (or arr_0, arr_1, ... in input order): save them with " +
                  savez_hint());
    }
    if (!extra.empty()) {
      return fail("array(s) " + QuotedList(extra) + " match no model input; the model inputs are " +
                  QuotedList(input_names) + ": remove them or rename them to an input name");
    }
  }

  // Check each input's array and lay out its samples.
  for (size_t k = 0; k < inputs.size(); ++k) {
    const DatasetInput& in = inputs[k];
    const NpyArray& a = arrays[match[k]];
    const std::string what = "array " + Quoted(a.name);
    if (a.type != in.type) return type_fail(what, a, in);
    std::vector<int64_t> fed;
    if (a.dims.empty() || !MatchSample(in, a.dims.data() + 1, a.dims.size() - 1, &fed)) {
      return fail(what + " has shape " + TupleString(a.dims) + " but " + InputDesc(in) +
                  " takes samples of shape " + ExpectedSample(in) + " (the model input shape is " +
                  ListString(in.dims) + "): save an array of shape " + BatchedHint(in) + ", the samples on the first axis");
    }
    const size_t n = static_cast<size_t>(a.dims[0]);
    if (n == 0) {
      return fail(what + " for " + InputDesc(in) + " has 0 samples (shape " + TupleString(a.dims) +
                  "): the representative dataset needs at least one sample");
    }
    if (k == 0) {
      ds.num_samples_ = n;
    } else if (n != ds.num_samples_) {
      return fail(what + " (" + InputDesc(in) + ") has " + std::to_string(n) + " samples but array " +
                  Quoted(arrays[match[0]].name) + " (" + InputDesc(inputs[0]) + ") has " +
                  std::to_string(ds.num_samples_) + ": every input needs the same number of samples on the first axis");
    }
    Feed feed;
    feed.array = match[k];
    feed.sample_bytes = a.data.size() / n;
    feed.dims = std::move(fed);
    for (size_t i = 0; i < n; ++i) {
      if (const char* kind = NonFinite(a.type, a.data.data() + i * feed.sample_bytes, feed.sample_bytes)) {
        return nonfinite_fail(kind, i, in, what);
      }
    }
    ds.feeds_.push_back(std::move(feed));
  }
  return ds;
}

}  // namespace tflc::host
