#include "inspect/custom_options.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "flatbuffers/flexbuffers.h"
#include "inspect/inspect.h"
#include "inspect/text.h"

namespace tflc::host {
namespace {

using inspect_text::AppendQuoted;
using inspect_text::Float32;
using inspect_text::Float64;
using inspect_text::Hex64;
using inspect_text::Int;
using inspect_text::Quoted;
using inspect_text::UInt;

// Each nesting level of the printers; a second line of defence behind the verifier.
constexpr int kMaxPrintDepth = 64;

// ---------------------------------------------------------------------------
// Custom operator options (FLEXBUFFERS format).
//
//   * Select TF (Flex) ops: a FlexBuffer vector [TF op name, serialized
//     tensorflow.NodeDef]. The NodeDef is read with the small protobuf
//     wire-format reader below (no libprotobuf in the host) and printed close
//     to protobuf text format.
//   * Other custom ops: a FlexBuffer map (what --allow_custom_ops and
//     TensorFlow's converter write), printed as {key: value, ...}.
//
// Everything is bounds-checked: the FlexBuffer is verified first, and the
// verifier of flatbuffers 2.0.8 does not check that keys are NUL-terminated,
// so keys are read with a bounded scan. The decoded text is capped, since a
// FlexBuffer may share sub-objects.

// Name of a tensorflow.DataType value (types.proto), nullptr if unknown.
const char* TfDataTypeName(int64_t v) {
  static constexpr const char* kNames[] = {
      "DT_INVALID",     "DT_FLOAT",        "DT_DOUBLE",     "DT_INT32",
      "DT_UINT8",       "DT_INT16",        "DT_INT8",       "DT_STRING",
      "DT_COMPLEX64",   "DT_INT64",        "DT_BOOL",       "DT_QINT8",
      "DT_QUINT8",      "DT_QINT32",       "DT_BFLOAT16",   "DT_QINT16",
      "DT_QUINT16",     "DT_UINT16",       "DT_COMPLEX128", "DT_HALF",
      "DT_RESOURCE",    "DT_VARIANT",      "DT_UINT32",     "DT_UINT64",
      "DT_FLOAT8_E5M2", "DT_FLOAT8_E4M3FN"};
  constexpr int64_t kCount = static_cast<int64_t>(std::size(kNames));
  if (v >= 0 && v < kCount) return kNames[v];
  if (v == 29) return "DT_INT4";
  if (v == 30) return "DT_UINT4";
  return nullptr;
}

// "DT_FLOAT", "DT_FLOAT_REF", or the number for values types.proto does not
// name.
std::string TfDataTypeText(uint64_t raw) {
  // An enum is an int32 on the wire (negative values as 10-byte varints).
  const int64_t v = static_cast<int32_t>(static_cast<uint32_t>(raw));
  if (const char* name = TfDataTypeName(v)) return name;
  // Reference types are the value + 100 (DT_FLOAT_REF = 101).
  if (v > 100) {
    if (const char* name = TfDataTypeName(v - 100)) {
      return std::string(name) + "_REF";
    }
  }
  return Int(v);
}

// Protobuf wire format, bounds-checked. Reads the fields of one message in
// [begin, end); `origin` is where the outermost message starts, so errors
// name byte offsets inside it.
class WireReader {
 public:
  enum WireType : uint32_t {
    kVarint = 0,
    kFixed64 = 1,
    kLengthDelimited = 2,
    kFixed32 = 5,
  };
  struct Field {
    uint32_t number = 0;
    uint32_t wire_type = 0;
    uint64_t value = 0;             // varint, or the bits of fixed32 / fixed64
    const uint8_t* data = nullptr;  // length-delimited payload (borrowed)
    size_t size = 0;
  };

  WireReader(const uint8_t* origin, const uint8_t* begin, const uint8_t* end)
      : origin_(origin), p_(begin), end_(end) {}
  WireReader(const uint8_t* origin, const Field& f)
      : WireReader(origin, f.data, f.data + f.size) {}

  bool AtEnd() const { return p_ >= end_; }
  // False at malformed bytes (error() says why).
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // Reads the next field. Returns false at the end of the message and at
  // malformed bytes; tell them apart with ok().
  bool Next(Field* f) {
    if (AtEnd() || !ok()) return false;
    const uint8_t* at = p_;
    uint64_t tag = 0;
    if (!Varint(&tag)) return false;
    *f = Field();
    f->wire_type = static_cast<uint32_t>(tag & 7);
    const uint64_t number = tag >> 3;
    if (number == 0 || number > 0x1fffffff) {
      return Fail("invalid field number " + UInt(number), at);
    }
    f->number = static_cast<uint32_t>(number);
    switch (f->wire_type) {
      case kVarint:
        return Varint(&f->value);
      case kFixed64:
        return Fixed(8, &f->value);
      case kFixed32:
        return Fixed(4, &f->value);
      case kLengthDelimited: {
        uint64_t n = 0;
        if (!Varint(&n)) return false;
        if (n > static_cast<uint64_t>(end_ - p_)) {
          return Fail("field " + UInt(f->number) + " claims " + UInt(n) +
                          " bytes but only " + UInt(end_ - p_) + " remain",
                      at);
        }
        f->data = p_;
        f->size = static_cast<size_t>(n);
        p_ += n;
        return true;
      }
      default:
        // 3 and 4 are proto2 groups, which no NodeDef contains; 6 and 7 do
        // not exist.
        return Fail("field " + UInt(f->number) + " has unsupported wire type " +
                        UInt(f->wire_type),
                    at);
    }
  }

  bool Varint(uint64_t* v) {
    const uint8_t* at = p_;
    uint64_t result = 0;
    for (int i = 0; i < 10; ++i) {
      if (p_ >= end_) return Fail("truncated varint", at);
      const uint8_t b = *p_++;
      result |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Fail("varint longer than 10 bytes", at);
  }

  bool Fixed(size_t n, uint64_t* v) {
    if (static_cast<size_t>(end_ - p_) < n) {
      return Fail("truncated fixed" + UInt(n * 8) + " value", p_);
    }
    uint64_t result = 0;
    for (size_t i = 0; i < n; ++i) {
      result |= static_cast<uint64_t>(p_[i]) << (8 * i);
    }
    p_ += n;
    *v = result;
    return true;
  }

  bool Fail(const std::string& what, const uint8_t* at) {
    if (error_.empty()) {
      error_ = what + " at byte " + UInt(static_cast<size_t>(at - origin_));
    }
    return false;
  }

 private:
  const uint8_t* origin_;
  const uint8_t* p_;
  const uint8_t* end_;
  std::string error_;
};

// Prints a serialized tensorflow.NodeDef (node_def.proto, attr_value.proto,
// tensor_shape.proto) close to protobuf text format. Only the fields tflc
// users care about are known; others are skipped by wire type. No recursion:
// a func attr prints only its name.
class NodeDefPrinter {
 public:
  using Field = WireReader::Field;

  NodeDefPrinter(const uint8_t* data, size_t size, bool hashes)
      : begin_(data), end_(data + size), hashes_(hashes) {}

  // Appends "node_def { ... }" to *s, or returns false with *error set.
  bool Print(std::string* s, std::string* error) {
    std::string name = "\"\"", op = "\"\"", device = "\"\"";
    std::vector<std::string> inputs;
    std::map<std::string, std::string> attrs;  // sorted by key; last wins
    WireReader r(begin_, begin_, end_);
    Field f;
    while (r.Next(&f)) {
      if (f.wire_type != WireReader::kLengthDelimited) continue;
      switch (f.number) {
        case 1:
          name = Str(f);
          break;
        case 2:
          op = Str(f);
          break;
        case 3:
          inputs.push_back(Str(f));
          break;
        case 4:
          device = Str(f);
          break;
        case 5: {
          std::string key, value;
          if (!AttrEntry(f, &key, &value)) return Failed(error);
          attrs[key] = std::move(value);
          break;
        }
        default:
          break;
      }
    }
    if (!r.ok()) return Failed(r, error);
    *s += "node_def { name: " + name + " op: " + op;
    for (const std::string& in : inputs) *s += " input: " + in;
    *s += " device: " + device;
    for (const auto& [key, value] : attrs) {
      *s += " attr { key: ";
      AppendQuoted(s, key.data(), key.size());
      *s += " value " + value + " }";
    }
    *s += " }";
    return true;
  }

 private:
  static std::string Str(const Field& f) {
    return Quoted(reinterpret_cast<const char*>(f.data), f.size);
  }
  std::string Bytes(const Field& f) const {
    std::string s = "<" + UInt(f.size) + " bytes";
    if (hashes_ && f.size > 0) s += ", fnv1a=" + Hex64(Fnv1a64(f.data, f.size));
    return s + ">";
  }
  bool Failed(std::string* error) {
    *error = error_;
    return false;
  }
  bool Failed(const WireReader& r, std::string* error) {
    if (error_.empty()) error_ = r.error();
    return Failed(error);
  }
  bool Check(const WireReader& r) {
    if (r.ok()) return true;
    if (error_.empty()) error_ = r.error();
    return false;
  }

  // map<string, AttrValue> entry: key = 1, value = 2.
  bool AttrEntry(const Field& entry, std::string* key, std::string* value) {
    WireReader r(begin_, entry);
    Field f;
    Field value_field;
    bool has_value = false;
    while (r.Next(&f)) {
      if (f.wire_type != WireReader::kLengthDelimited) continue;
      if (f.number == 1) {
        key->assign(reinterpret_cast<const char*>(f.data), f.size);
      } else if (f.number == 2) {
        value_field = f;
        has_value = true;
      }
    }
    if (!Check(r)) return false;
    if (!has_value) {
      *value = "{ }";
      return true;
    }
    return AttrValue(value_field, value);
  }

  // AttrValue: one of list = 1, s = 2, i = 3, f = 4, b = 5, type = 6,
  // shape = 7, tensor = 8, placeholder = 9, func = 10. Fields print in wire
  // order.
  bool AttrValue(const Field& msg, std::string* s) {
    WireReader r(begin_, msg);
    Field f;
    *s += "{";
    while (r.Next(&f)) {
      const bool bytes = f.wire_type == WireReader::kLengthDelimited;
      const bool varint = f.wire_type == WireReader::kVarint;
      switch (f.number) {
        case 1:
          if (!bytes) break;
          *s += " list ";
          if (!List(f, s)) return false;
          break;
        case 2:
          if (bytes) *s += " s: " + Str(f);
          break;
        case 3:
          if (varint) *s += " i: " + Int(static_cast<int64_t>(f.value));
          break;
        case 4:
          if (f.wire_type == WireReader::kFixed32)
            *s += " f: " + FloatBits(f.value);
          break;
        case 5:
          if (varint) *s += f.value != 0 ? " b: true" : " b: false";
          break;
        case 6:
          if (varint) *s += " type: " + TfDataTypeText(f.value);
          break;
        case 7:
          if (!bytes) break;
          *s += " shape ";
          if (!Shape(f, s)) return false;
          break;
        case 8:
          if (bytes) *s += " tensor " + Bytes(f);
          break;
        case 9:
          if (bytes) *s += " placeholder: " + Str(f);
          break;
        case 10:
          if (!bytes) break;
          *s += " func ";
          if (!Func(f, s)) return false;
          break;
        default:
          break;
      }
    }
    if (!Check(r)) return false;
    *s += " }";
    return true;
  }

  static std::string FloatBits(uint64_t bits) {
    const auto u = static_cast<uint32_t>(bits);
    float v;
    std::memcpy(&v, &u, sizeof(v));
    return Float32(v);
  }

  // ListValue: s = 2, i = 3, f = 4, b = 5, type = 6 (scalars packed or not),
  // shape = 7, tensor = 8, func = 9. Printed in field-number order:
  // "{ s: ["a", "b"] i: [1, 2] shape { ... } shape { ... } }".
  bool List(const Field& msg, std::string* s) {
    std::vector<std::string> items[10];
    WireReader r(begin_, msg);
    Field f;
    while (r.Next(&f)) {
      const uint32_t n = f.number;
      if (n < 2 || n > 9) continue;
      const bool bytes = f.wire_type == WireReader::kLengthDelimited;
      std::vector<std::string>& out = items[n];
      if (n == 2 || n >= 7) {
        if (!bytes) continue;
        std::string text;
        if (n == 2) {
          text = Str(f);
        } else if (n == 7) {
          if (!Shape(f, &text)) return false;
        } else if (n == 8) {
          text = Bytes(f);
        } else if (!Func(f, &text)) {
          return false;
        }
        out.push_back(std::move(text));
        continue;
      }
      // Scalars: one value, or a packed run of them.
      const uint32_t scalar_type =
          n == 4 ? WireReader::kFixed32 : WireReader::kVarint;
      if (f.wire_type == scalar_type) {
        out.push_back(ListScalar(n, f.value));
        continue;
      }
      if (!bytes) continue;
      WireReader packed(begin_, f);
      while (!packed.AtEnd()) {
        uint64_t v = 0;
        const bool ok = n == 4 ? packed.Fixed(4, &v) : packed.Varint(&v);
        if (!ok) {
          if (error_.empty()) {
            error_ = "packed list field " + UInt(n) + ": " + packed.error();
          }
          return false;
        }
        out.push_back(ListScalar(n, v));
      }
    }
    if (!Check(r)) return false;
    static constexpr const char* kNames[10] = {
        nullptr, nullptr, "s",     "i",      "f",
        "b",     "type",  "shape", "tensor", "func"};
    *s += "{";
    for (uint32_t n = 2; n <= 9; ++n) {
      if (items[n].empty()) continue;
      if (n >= 7) {
        for (const std::string& item : items[n]) {
          *s += std::string(" ") + kNames[n] + " " + item;
        }
        continue;
      }
      *s += std::string(" ") + kNames[n] + ": [";
      for (size_t j = 0; j < items[n].size(); ++j) {
        if (j) *s += ", ";
        *s += items[n][j];
      }
      *s += "]";
    }
    *s += " }";
    return true;
  }

  static std::string ListScalar(uint32_t number, uint64_t v) {
    switch (number) {
      case 3:
        return Int(static_cast<int64_t>(v));
      case 4:
        return FloatBits(v);
      case 5:
        return v != 0 ? "true" : "false";
      default:
        return TfDataTypeText(v);  // 6: type
    }
  }

  // TensorShapeProto: dim = 2 { size = 1, name = 2 }, unknown_rank = 3.
  // "{ dim { size: 1 } dim { size: -1 name: "batch" } }".
  bool Shape(const Field& msg, std::string* s) {
    WireReader r(begin_, msg);
    Field f;
    *s += "{";
    while (r.Next(&f)) {
      if (f.number == 2 && f.wire_type == WireReader::kLengthDelimited) {
        int64_t size = 0;
        std::string name;
        WireReader dim(begin_, f);
        Field d;
        while (dim.Next(&d)) {
          if (d.number == 1 && d.wire_type == WireReader::kVarint) {
            size = static_cast<int64_t>(d.value);
          } else if (d.number == 2 &&
                     d.wire_type == WireReader::kLengthDelimited) {
            name = Str(d);
          }
        }
        if (!Check(dim)) return false;
        *s += " dim { size: " + Int(size);
        if (!name.empty()) *s += " name: " + name;
        *s += " }";
      } else if (f.number == 3 && f.wire_type == WireReader::kVarint) {
        *s += f.value != 0 ? " unknown_rank: true" : " unknown_rank: false";
      }
    }
    if (!Check(r)) return false;
    *s += " }";
    return true;
  }

  // NameAttrList: name = 1 (its attr map is not printed). "{ name: "f" }".
  bool Func(const Field& msg, std::string* s) {
    WireReader r(begin_, msg);
    Field f;
    std::string name = "\"\"";
    while (r.Next(&f)) {
      if (f.number == 1 && f.wire_type == WireReader::kLengthDelimited) {
        name = Str(f);
      }
    }
    if (!Check(r)) return false;
    *s += "{ name: " + name + " }";
    return true;
  }

  const uint8_t* begin_;
  const uint8_t* end_;
  bool hashes_;
  std::string error_;
};

// FlexBuffer type names (flexbuffers::Type) with an article, for error
// messages: "an int", "a map".
std::string FlexTypeName(flexbuffers::Type type) {
  static constexpr const char* kNames[] = {"null",
                                           "an int",
                                           "a uint",
                                           "a float",
                                           "a key",
                                           "a string",
                                           "an indirect int",
                                           "an indirect uint",
                                           "an indirect float",
                                           "a map",
                                           "a vector",
                                           "an int vector",
                                           "a uint vector",
                                           "a float vector",
                                           "a key vector",
                                           "a string vector",
                                           "an int[2]",
                                           "a uint[2]",
                                           "a float[2]",
                                           "an int[3]",
                                           "a uint[3]",
                                           "a float[3]",
                                           "an int[4]",
                                           "a uint[4]",
                                           "a float[4]",
                                           "a blob",
                                           "a bool"};
  const auto t = static_cast<size_t>(type);
  if (t < std::size(kNames)) return kNames[t];
  if (type == flexbuffers::FBT_VECTOR_BOOL) return "a bool vector";
  return "of type " + UInt(t);
}

// A FlexBuffer copied to aligned memory and verified.
class FlexView {
 public:
  // Returns false with *error set if [p, p+n) is not a valid FlexBuffer.
  bool Init(const uint8_t* p, size_t n, std::string* error) {
    if (n < 3 || n >= FLATBUFFERS_MAX_BUFFER_SIZE) {
      *error = "not a FlexBuffer (" + UInt(n) + " bytes)";
      return false;
    }
    // Heap memory is aligned for every scalar, so reads are too (the option
    // bytes inside the model need not be).
    buf_.assign(p, p + n);
    std::vector<uint8_t> reuse_tracker;  // verifies shared objects once
    if (!flexbuffers::VerifyBuffer(buf_.data(), buf_.size(), &reuse_tracker)) {
      *error = "not a valid FlexBuffer (" + UInt(n) + " bytes)";
      return false;
    }
    return true;
  }
  flexbuffers::Reference Root() const {
    return flexbuffers::GetRoot(buf_.data(), buf_.size());
  }
  // A key (or key-typed string): the verifier checks only that its first
  // byte lies inside the buffer, so find the NUL within bounds.
  bool Key(const flexbuffers::Reference& r, std::string* key) const {
    const auto* k = reinterpret_cast<const uint8_t*>(r.AsKey());
    const uint8_t* end = buf_.data() + buf_.size();
    if (k < buf_.data() || k >= end) return false;
    const void* nul = std::memchr(k, 0, static_cast<size_t>(end - k));
    if (nul == nullptr) return false;
    key->assign(reinterpret_cast<const char*>(k),
                static_cast<size_t>(static_cast<const uint8_t*>(nul) - k));
    return true;
  }

 private:
  std::vector<uint8_t> buf_;
};

// Text of a FlexBuffer scalar float: float32 digits when the value is a
// float32 (as custom options store floats), else double digits.
std::string FlexFloat(double v) {
  if (std::isfinite(v) && std::fabs(v) <= std::numeric_limits<float>::max() &&
      static_cast<double>(static_cast<float>(v)) == v) {
    return Float32(static_cast<float>(v));
  }
  return Float64(v);
}

// Prints any verified FlexBuffer value: {key: value, ...}, [a, b], "text",
// numbers, true/false, null, <N bytes> for blobs. Stops with an error past
// max_text bytes of output (shared sub-objects can repeat).
class FlexPrinter {
 public:
  FlexPrinter(const FlexView& view, size_t max_text, bool hashes)
      : view_(view), max_text_(max_text), hashes_(hashes) {}

  bool Print(const flexbuffers::Reference& r, int depth, std::string* s,
             std::string* error) {
    if (s->size() > max_text_) {
      *error = "the decoded text exceeds " + UInt(max_text_) + " bytes";
      return false;
    }
    if (depth > kMaxPrintDepth) {
      *error = "nested deeper than " + Int(kMaxPrintDepth);
      return false;
    }
    const flexbuffers::Type type = r.GetType();
    switch (type) {
      case flexbuffers::FBT_NULL:
        *s += "null";
        return true;
      case flexbuffers::FBT_BOOL:
        *s += r.AsBool() ? "true" : "false";
        return true;
      case flexbuffers::FBT_INT:
      case flexbuffers::FBT_INDIRECT_INT:
        *s += Int(r.AsInt64());
        return true;
      case flexbuffers::FBT_UINT:
      case flexbuffers::FBT_INDIRECT_UINT:
        *s += UInt(r.AsUInt64());
        return true;
      case flexbuffers::FBT_FLOAT:
      case flexbuffers::FBT_INDIRECT_FLOAT:
        *s += FlexFloat(r.AsDouble());
        return true;
      case flexbuffers::FBT_KEY: {
        std::string key;
        if (!view_.Key(r, &key)) {
          *error = "a key runs past the end of the buffer";
          return false;
        }
        AppendQuoted(s, key.data(), key.size());
        return true;
      }
      case flexbuffers::FBT_STRING: {
        const flexbuffers::String str = r.AsString();
        AppendQuoted(s, str.c_str(), str.size());
        return true;
      }
      case flexbuffers::FBT_BLOB: {
        const flexbuffers::Blob blob = r.AsBlob();
        *s += "<" + UInt(blob.size()) + " bytes";
        if (hashes_ && blob.size() > 0) {
          *s += ", fnv1a=" + Hex64(Fnv1a64(blob.data(), blob.size()));
        }
        *s += ">";
        return true;
      }
      case flexbuffers::FBT_MAP: {
        const flexbuffers::Map map = r.AsMap();
        const flexbuffers::TypedVector keys = map.Keys();
        const flexbuffers::Vector values = map.Values();
        if (keys.size() != values.size()) {
          *error = "a map has " + UInt(keys.size()) + " keys but " +
                   UInt(values.size()) + " values";
          return false;
        }
        *s += "{";
        for (size_t i = 0; i < values.size(); ++i) {
          if (i) *s += ", ";
          std::string key;
          if (!view_.Key(keys[i], &key)) {
            *error = "a key runs past the end of the buffer";
            return false;
          }
          AppendKey(key, s);
          *s += ": ";
          if (!Print(values[i], depth + 1, s, error)) return false;
        }
        *s += "}";
        return true;
      }
      case flexbuffers::FBT_VECTOR: {
        const flexbuffers::Vector v = r.AsVector();
        *s += "[";
        for (size_t i = 0; i < v.size(); ++i) {
          if (i) *s += ", ";
          if (!Print(v[i], depth + 1, s, error)) return false;
        }
        *s += "]";
        return true;
      }
      default:
        break;
    }
    if (r.IsTypedVector() || r.IsFixedTypedVector()) {
      *s += "[";
      const auto elements = [&](const auto& v) {
        for (size_t i = 0; i < v.size(); ++i) {
          if (i) *s += ", ";
          if (!Print(v[i], depth + 1, s, error)) return false;
        }
        return true;
      };
      if (!(r.IsTypedVector() ? elements(r.AsTypedVector())
                              : elements(r.AsFixedTypedVector()))) {
        return false;
      }
      *s += "]";
      return true;
    }
    *error = "unsupported FlexBuffer value: " + FlexTypeName(type);
    return false;
  }

 private:
  // Bare when it looks like an identifier, else quoted.
  static void AppendKey(const std::string& key, std::string* s) {
    bool bare =
        !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0]));
    for (char c : key) {
      const auto u = static_cast<unsigned char>(c);
      if (!(std::isalnum(u) || u == '_') || u >= 0x80) bare = false;
    }
    if (bare) {
      *s += key;
    } else {
      AppendQuoted(s, key.data(), key.size());
    }
  }

  const FlexView& view_;
  size_t max_text_;
  bool hashes_;
};

// Decoded text of FLEXBUFFERS custom options, to print after
// "custom_options=". Returns false with *error set when they do not decode.
//   Flex ops:   ["Erf", node_def { name: "e" op: "Erf" ... }]
//   others:     {alpha: 0.5, axis: 3, ...}  (a FlexBuffer map only)
}  // namespace

bool DecodeFlexOptions(const uint8_t* p, size_t n, std::string* text,
                       std::string* error, bool hashes) {
  FlexView view;
  if (!view.Init(p, n, error)) return false;
  const flexbuffers::Reference root = view.Root();
  if (root.GetType() != flexbuffers::FBT_VECTOR) {
    *error = "the FlexBuffer root is " + FlexTypeName(root.GetType()) +
             ", not a vector [op name, NodeDef]";
    return false;
  }
  const flexbuffers::Vector v = root.AsVector();
  if (v.size() != 2) {
    *error = "the FlexBuffer vector has " + UInt(v.size()) +
             (v.size() == 1 ? " element" : " elements") +
             ", not 2 [op name, NodeDef]";
    return false;
  }
  std::string op;
  const flexbuffers::Reference op_ref = v[0];
  if (op_ref.GetType() == flexbuffers::FBT_STRING) {
    const flexbuffers::String str = op_ref.AsString();
    op.assign(str.c_str(), str.size());
  } else if (op_ref.GetType() != flexbuffers::FBT_KEY ||
             !view.Key(op_ref, &op)) {
    *error = "element 0 (op name) is " + FlexTypeName(op_ref.GetType()) +
             ", not a string";
    return false;
  }
  const flexbuffers::Reference node_ref = v[1];
  const uint8_t* node_def = nullptr;
  size_t node_def_size = 0;
  if (node_ref.GetType() == flexbuffers::FBT_STRING) {
    const flexbuffers::String str = node_ref.AsString();
    node_def = reinterpret_cast<const uint8_t*>(str.c_str());
    node_def_size = str.size();
  } else if (node_ref.GetType() == flexbuffers::FBT_BLOB) {
    const flexbuffers::Blob blob = node_ref.AsBlob();
    node_def = blob.data();
    node_def_size = blob.size();
  } else {
    *error = "element 1 (NodeDef) is " + FlexTypeName(node_ref.GetType()) +
             ", not a string";
    return false;
  }
  std::string s = "[";
  AppendQuoted(&s, op.data(), op.size());
  s += ", ";
  std::string node_error;
  if (!NodeDefPrinter(node_def, node_def_size, hashes).Print(&s, &node_error)) {
    *error = "NodeDef (" + UInt(node_def_size) + " bytes): " + node_error;
    return false;
  }
  s += "]";
  *text = std::move(s);
  return true;
}

bool DecodeFlexMap(const uint8_t* p, size_t n, std::string* text, bool hashes) {
  FlexView view;
  std::string error;
  if (!view.Init(p, n, &error)) return false;
  const flexbuffers::Reference root = view.Root();
  if (root.GetType() != flexbuffers::FBT_MAP) return false;
  // Generous for real options (about 1 output byte per input byte), small
  // enough that shared sub-objects cannot blow up the dump.
  const size_t max_text = 4096 + 16 * n;
  std::string s;
  if (!FlexPrinter(view, max_text, hashes).Print(root, 0, &s, &error)) {
    return false;
  }
  *text = std::move(s);
  return true;
}

}  // namespace tflc::host
