#include "inspect/inspect.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "flatbuffers/minireflect.h"
#include "inspect/custom_options.h"
#include "inspect/text.h"
#include "tflc/schema/conversion_metadata_generated.h"
#include "tflc/schema/tflite_generated.h"

namespace tflc::host {
namespace {

using inspect_text::AppendQuoted;
using inspect_text::Float;
using inspect_text::Float32;
using inspect_text::Float64;
using inspect_text::Hex64;
using inspect_text::Int;
using inspect_text::Quoted;
using inspect_text::UInt;

constexpr char kTfliteIdentifier[] = "TFL3";
constexpr uint32_t kTfliteSchemaVersion = 3;
// Each nesting level of the generic printer; the Verifier already bounds
// real depth at 64, this is a second line of defence.
constexpr int kMaxPrintDepth = 64;
// Strings in metadata buffers longer than this are summarized, not printed.
constexpr size_t kMaxMetadataStringBytes = 256;

// Unaligned little-endian read (FlatBuffers data is little-endian).
template <typename T>
T Load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return flatbuffers::EndianScalar(v);
}

std::string Quoted(const flatbuffers::String* str) {
  if (str == nullptr) return "\"\"";
  return Quoted(str->c_str(), str->size());
}

// The Verifier only checks 4-byte alignment of vectors, so elements of
// 8-byte vectors (zero_point) may be misaligned: read them with memcpy.
template <typename T>
std::string IntList(const flatbuffers::Vector<T>* v) {
  std::string s = "[";
  if (v != nullptr) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(v->Data());
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
      if (i) s += ",";
      s += Int(static_cast<int64_t>(Load<T>(bytes + size_t{i} * sizeof(T))));
    }
  }
  s += "]";
  return s;
}

bool IsPrintableText(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] < 0x20 || p[i] >= 0x7f) return false;
  }
  return true;
}

// Byte size of one element of a fixed-size tensor type, 0 if the type has no
// simple byte size (strings, resources, variants, sub-byte packed types).
size_t FixedElementSize(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType_BOOL:
    case tflite::TensorType_UINT8:
    case tflite::TensorType_INT8:
    case tflite::TensorType_FLOAT8_E4M3FN:
    case tflite::TensorType_FLOAT8_E5M2:
      return 1;
    case tflite::TensorType_FLOAT16:
    case tflite::TensorType_BFLOAT16:
    case tflite::TensorType_INT16:
    case tflite::TensorType_UINT16:
      return 2;
    case tflite::TensorType_FLOAT32:
    case tflite::TensorType_INT32:
    case tflite::TensorType_UINT32:
      return 4;
    case tflite::TensorType_INT64:
    case tflite::TensorType_UINT64:
    case tflite::TensorType_FLOAT64:
    case tflite::TensorType_COMPLEX64:
      return 8;
    case tflite::TensorType_COMPLEX128:
      return 16;
    default:
      return 0;
  }
}

// Name and type table of the member `type` of a union type table.
bool UnionMember(const flatbuffers::TypeTable* union_tt, int64_t type,
                 const char** name, const flatbuffers::TypeTable** member_tt) {
  const int64_t idx =
      flatbuffers::LookupEnum(type, union_tt->values, union_tt->num_elems);
  if (idx < 0 || idx >= static_cast<int64_t>(union_tt->num_elems)) {
    return false;
  }
  const auto& code = union_tt->type_codes[idx];
  *name = union_tt->names != nullptr ? union_tt->names[idx] : nullptr;
  *member_tt =
      (code.base_type == flatbuffers::ET_SEQUENCE && code.sequence_ref >= 0)
          ? union_tt->type_refs[code.sequence_ref]()
          : nullptr;
  return true;
}

// ---------------------------------------------------------------------------

class Dumper {
 public:
  Dumper(const uint8_t* data, size_t size, const InspectOptions& options)
      : data_(data), size_(size), options_(options) {
    // A legitimate dump is a small multiple of the input (weights are
    // hashed, not printed). Hostile inputs can share sub-objects to make the
    // text explode; stop well before that.
    max_out_ = (size_t{64} << 20) + 32 * size;
  }

  // Verifies and dumps. See InspectModel for the contract.
  bool Run(std::string* out, std::string* error);

 private:
  // -- Output ---------------------------------------------------------------
  void Line(int indent, const std::string& text) {
    if (aborted_) return;
    out_.append(static_cast<size_t>(indent) * 2, ' ');
    out_ += text;
    out_ += '\n';
    CheckBudget(0);
  }
  bool CheckBudget(size_t pending) {
    if (!aborted_ && out_.size() + pending > max_out_) {
      aborted_ = true;
      abort_reason_ =
          "the dump grew past " + UInt(max_out_) +
          " bytes; the model shares sub-objects in a way no real model "
          "does (hostile input?)";
    }
    return !aborted_;
  }
  // Records a problem that makes the model invalid and returns the marker to
  // print in its place.
  std::string Problem(const std::string& what) {
    if (problems_ == 0) first_problem_ = what;
    ++problems_;
    return "<ERROR: " + what + ">";
  }

  // -- Bytes ----------------------------------------------------------------
  uint64_t Hash(const uint8_t* p, size_t n) {
    auto key = std::make_pair(p, n);
    auto it = hash_cache_.find(key);
    if (it != hash_cache_.end()) return it->second;
    const uint64_t h = Fnv1a64(p, n);
    hash_cache_.emplace(key, h);
    return h;
  }
  // "N bytes" or "N bytes, fnv1a=...".
  std::string BlobSummary(const uint8_t* p, size_t n) {
    std::string s = UInt(n) + " bytes";
    if (options_.buffer_hashes && n > 0) s += ", fnv1a=" + Hex64(Hash(p, n));
    return s;
  }
  // Resolves `count` bytes at absolute file `offset`; false if they are not
  // all inside the input.
  bool FileRange(uint64_t offset, uint64_t count, const uint8_t** p) const {
    if (offset > size_ || count > size_ - offset) return false;
    *p = data_ + offset;
    return true;
  }

  // Data of buffer `index`: inline `data`, or in large-model mode the
  // [offset, offset+size) range of the file. Returns false (and a problem
  // string) if the data lies outside the input.
  struct BufferView {
    const uint8_t* data = nullptr;
    size_t size = 0;
    bool external = false;
    uint64_t offset = 0;
  };
  bool GetBuffer(const tflite::Buffer* buffer, uint32_t index, BufferView* view,
                 std::string* problem);

  // -- Generic mini-reflection printer ---------------------------------------
  static size_t ElemSize(flatbuffers::ElementaryType type,
                         const flatbuffers::TypeTable* ref);
  // True if [p, p+n) lies inside region_.
  bool InRegion(const uint8_t* p, size_t n) const;
  // Follows the uoffset stored at p; nullptr if it or `min_bytes` at its
  // target fall outside region_ (or the offset is 0).
  const uint8_t* Deref(const uint8_t* p, size_t min_bytes) const;
  // The vector whose uoffset is stored at `field`, fully inside region_.
  bool ReadVector(const uint8_t* field, size_t elem_size, const uint8_t** elems,
                  size_t* count) const;
  // `defaults`, if set, is a trusted table of the same type holding every
  // scalar field at its schema default: absent scalar fields of `obj` are
  // then printed with that value.
  void PrintObject(const uint8_t* obj, const flatbuffers::TypeTable* tt,
                   int depth, std::string* s,
                   const uint8_t* defaults = nullptr);
  void PrintValue(flatbuffers::ElementaryType type, const uint8_t* val,
                  const flatbuffers::TypeTable* ref, int64_t union_type,
                  int depth, std::string* s);
  void PrintUnion(const flatbuffers::TypeTable* union_tt, int64_t type,
                  const uint8_t* member, int depth, std::string* s);
  // For the operator options unions: a table of member `type` with every
  // scalar field stored at its schema default, built generically with the
  // object API (UnPack an empty table, Pack with ForceDefaults). nullptr for
  // other unions and unknown members.
  const uint8_t* OptionDefaults(const flatbuffers::TypeTable* union_tt,
                                int64_t type);
  // "<Name>{...}" for a table that is a union member.
  std::string UnionToString(const flatbuffers::TypeTable* union_tt,
                            int64_t type, const void* member) {
    std::string s;
    PrintUnion(union_tt, type, static_cast<const uint8_t*>(member), 0, &s);
    return s;
  }
  std::string TableToString(const void* table,
                            const flatbuffers::TypeTable* tt) {
    std::string s;
    PrintObject(static_cast<const uint8_t*>(table), tt, 0, &s);
    return s;
  }

  // -- Sections ---------------------------------------------------------------
  void DumpOperatorCodes();
  void DumpSubgraph(uint32_t index, const tflite::SubGraph* sg);
  std::string TensorLine(uint32_t index, const tflite::Tensor* t);
  std::string QuantizationText(const tflite::QuantizationParameters* q);
  std::string OperatorLine(uint32_t index, const tflite::Operator* op,
                           uint32_t num_tensors);
  std::string TensorRef(int32_t tensor, uint32_t num_tensors,
                        bool allow_optional, const std::string& what);
  // Text after "custom_options=" / "large_custom_options=" of an operator
  // with operator code `oc` (nullptr if unresolved).
  std::string CustomOptionsText(const tflite::OperatorCode* oc,
                                tflite::CustomOptionsFormat format,
                                const uint8_t* p, size_t n);
  void DumpSignatureDefs();
  void DumpMetadata();
  std::string MetadataValue(const std::string& name, const BufferView& view);
  void DumpBuffers();

  const uint8_t* data_;
  size_t size_;
  const InspectOptions& options_;
  // The bytes the generic printer may read: the FlatBuffer being printed.
  const uint8_t* region_begin_ = nullptr;
  const uint8_t* region_end_ = nullptr;
  const tflite::Model* model_ = nullptr;
  uint32_t num_buffers_ = 0;

  std::string out_;
  size_t max_out_ = 0;
  bool aborted_ = false;
  std::string abort_reason_;
  size_t problems_ = 0;
  std::string first_problem_;
  std::map<std::pair<const uint8_t*, size_t>, uint64_t> hash_cache_;
  std::map<std::pair<const flatbuffers::TypeTable*, int64_t>,
           flatbuffers::DetachedBuffer>
      option_defaults_;
};

bool Dumper::GetBuffer(const tflite::Buffer* buffer, uint32_t index,
                       BufferView* view, std::string* problem) {
  *view = BufferView();
  if (buffer == nullptr) return true;
  // Same rule as the TFLite runtime: offset > 1 means the data sits outside
  // the FlatBuffer (offset/size 1 are the exporter's unpatched placeholders).
  if (buffer->offset() > 1) {
    view->external = true;
    view->offset = buffer->offset();
    const uint8_t* p = nullptr;
    if (!FileRange(buffer->offset(), buffer->size(), &p)) {
      *problem = "buffer " + UInt(index) + " points at bytes [" +
                 UInt(buffer->offset()) + ", +" + UInt(buffer->size()) +
                 ") outside the " + UInt(size_) + "-byte input";
      return false;
    }
    view->data = p;
    view->size = static_cast<size_t>(buffer->size());
    return true;
  }
  if (buffer->data() != nullptr) {
    view->data = buffer->data()->data();
    view->size = buffer->data()->size();
  }
  return true;
}

// ---------------------------------------------------------------------------
// Generic printer, driven by the mini-reflection type tables.
//
// The generated Verifier has checked every field it knows about, but it skips
// `(deprecated)` fields while the type tables still list them (e.g.
// ResizeBilinearOptions.new_height), and union members from a newer schema are
// accepted unchecked. So this printer bounds-checks every read itself against
// region_ and never trusts an offset. Reads go through memcpy (no alignment
// assumptions).

size_t Dumper::ElemSize(flatbuffers::ElementaryType type,
                        const flatbuffers::TypeTable* ref) {
  switch (type) {
    case flatbuffers::ET_UTYPE:
    case flatbuffers::ET_BOOL:
    case flatbuffers::ET_CHAR:
    case flatbuffers::ET_UCHAR:
      return 1;
    case flatbuffers::ET_SHORT:
    case flatbuffers::ET_USHORT:
      return 2;
    case flatbuffers::ET_INT:
    case flatbuffers::ET_UINT:
    case flatbuffers::ET_FLOAT:
    case flatbuffers::ET_STRING:
      return 4;
    case flatbuffers::ET_LONG:
    case flatbuffers::ET_ULONG:
    case flatbuffers::ET_DOUBLE:
      return 8;
    case flatbuffers::ET_SEQUENCE:
      if (ref == nullptr) return 0;
      if (ref->st == flatbuffers::ST_TABLE ||
          ref->st == flatbuffers::ST_UNION) {
        return 4;
      }
      if (ref->st == flatbuffers::ST_STRUCT && ref->values != nullptr) {
        return static_cast<size_t>(ref->values[ref->num_elems]);
      }
      return 0;
    default:
      return 0;
  }
}

bool Dumper::InRegion(const uint8_t* p, size_t n) const {
  if (p < region_begin_ || p > region_end_) return false;
  return n <= static_cast<size_t>(region_end_ - p);
}

const uint8_t* Dumper::Deref(const uint8_t* p, size_t min_bytes) const {
  if (!InRegion(p, 4)) return nullptr;
  const uint32_t off = Load<uint32_t>(p);
  if (off == 0) return nullptr;
  const size_t room = static_cast<size_t>(region_end_ - p);
  if (off > room) return nullptr;
  const uint8_t* target = p + off;
  return InRegion(target, min_bytes) ? target : nullptr;
}

bool Dumper::ReadVector(const uint8_t* field, size_t elem_size,
                        const uint8_t** elems, size_t* count) const {
  const uint8_t* vec = Deref(field, 4);
  if (vec == nullptr) return false;
  const uint32_t n = Load<uint32_t>(vec);
  if (elem_size != 0 &&
      n > static_cast<size_t>(region_end_ - vec - 4) / elem_size) {
    return false;
  }
  *elems = vec + 4;
  *count = n;
  return true;
}

void Dumper::PrintObject(const uint8_t* obj, const flatbuffers::TypeTable* tt,
                         int depth, std::string* s, const uint8_t* defaults) {
  if (depth > kMaxPrintDepth) {
    *s += Problem("objects nested deeper than " + Int(kMaxPrintDepth));
    return;
  }
  // Locate the vtable (tables) or check the inline size (structs).
  const uint8_t* vtable = nullptr;
  uint16_t vsize = 0;
  if (tt->st == flatbuffers::ST_TABLE) {
    bool ok = InRegion(obj, 4);
    if (ok) {
      const int64_t vpos =
          (obj - region_begin_) - static_cast<int64_t>(Load<int32_t>(obj));
      ok = vpos >= 0 && vpos <= region_end_ - region_begin_ - 2;
      if (ok) {
        vtable = region_begin_ + vpos;
        vsize = Load<uint16_t>(vtable);
        ok = vsize >= 4 && (vsize & 1) == 0 && InRegion(vtable, vsize);
      }
    }
    if (!ok) {
      *s += Problem("malformed table (bad vtable)");
      return;
    }
  } else if (tt->st == flatbuffers::ST_STRUCT) {
    if (tt->values == nullptr ||
        !InRegion(obj, static_cast<size_t>(tt->values[tt->num_elems]))) {
      *s += Problem("malformed struct");
      return;
    }
  } else {
    *s += "(?)";
    return;
  }

  *s += "{";
  bool first = true;
  // The most recent union type field (`foo_type`), used by the union field
  // `foo` that follows it; for a vector of unions, the type vector field.
  const uint8_t* last_utype = nullptr;
  size_t array_idx = 0;
  for (size_t i = 0; i < tt->num_elems && !aborted_; ++i) {
    const auto code = tt->type_codes[i];
    const auto type = static_cast<flatbuffers::ElementaryType>(code.base_type);
    const flatbuffers::TypeTable* ref =
        code.sequence_ref >= 0 ? tt->type_refs[code.sequence_ref]() : nullptr;
    const char* name = tt->names != nullptr ? tt->names[i] : nullptr;
    const bool is_vector = code.is_repeating != 0;
    const bool is_union_value = type == flatbuffers::ET_SEQUENCE &&
                                ref != nullptr &&
                                ref->st == flatbuffers::ST_UNION;
    const size_t elem_size = ElemSize(type, ref);

    const uint8_t* val = nullptr;
    size_t inline_size = elem_size;
    if (tt->st == flatbuffers::ST_TABLE) {
      if (is_vector) inline_size = 4;
      const size_t slot = 4 + 2 * i;
      const uint16_t field_offset =
          slot + 2 <= vsize ? Load<uint16_t>(vtable + slot) : 0;
      if (field_offset != 0) val = obj + field_offset;
    } else {
      val = obj + tt->values[i];
      if (is_vector && tt->array_sizes != nullptr) {
        inline_size =
            elem_size * static_cast<size_t>(tt->array_sizes[array_idx]);
      }
    }
    if (val != nullptr && (inline_size == 0 || !InRegion(val, inline_size))) {
      if (!first) *s += ", ";
      first = false;
      *s += (name != nullptr ? std::string(name) : "field" + UInt(i)) + ": " +
            Problem(std::string("malformed field ") +
                    (name != nullptr ? name : "?"));
      last_utype = nullptr;
      if (is_vector && tt->st != flatbuffers::ST_TABLE) ++array_idx;
      continue;
    }
    if (type == flatbuffers::ET_UTYPE) {
      // Printed as the member name of the union field that follows.
      last_utype = val;
      continue;
    }
    const uint8_t* utype = last_utype;
    last_utype = nullptr;
    if (val == nullptr && defaults != nullptr && !is_vector &&
        type != flatbuffers::ET_STRING && type != flatbuffers::ET_SEQUENCE) {
      // Absent scalar: the value a reader gets is the schema default.
      val = reinterpret_cast<const flatbuffers::Table*>(defaults)->GetAddressOf(
          flatbuffers::FieldIndexToOffset(
              static_cast<flatbuffers::voffset_t>(i)));
    }
    if (val == nullptr) {
      if (is_vector && tt->st != flatbuffers::ST_TABLE) ++array_idx;
      continue;
    }
    if (!first) *s += ", ";
    first = false;
    *s += name != nullptr ? std::string(name) : "field" + UInt(i);
    *s += ": ";
    if (!is_vector) {
      int64_t union_type = -1;
      if (is_union_value)
        union_type = utype != nullptr ? Load<uint8_t>(utype) : 0;
      PrintValue(type, val, ref, union_type, depth, s);
      continue;
    }
    // Vector (table field) or fixed-size array (struct field).
    const uint8_t* elem = val;
    size_t count = 0;
    if (tt->st == flatbuffers::ST_TABLE) {
      if (!ReadVector(val, elem_size, &elem, &count)) {
        *s += Problem(std::string("malformed vector ") + (name ? name : "?"));
        continue;
      }
    } else {
      count = tt->array_sizes != nullptr
                  ? static_cast<size_t>(tt->array_sizes[array_idx++])
                  : 0;
    }
    // Byte vectors that are not enums are blobs (custom attributes, ...).
    if ((type == flatbuffers::ET_UCHAR || type == flatbuffers::ET_CHAR) &&
        (ref == nullptr || ref->names == nullptr)) {
      *s += "<" + BlobSummary(elem, count) + ">";
      continue;
    }
    // For a vector of unions: the vector of member types.
    const uint8_t* utypes = nullptr;
    size_t utype_count = 0;
    if (is_union_value && utype != nullptr &&
        !ReadVector(utype, 1, &utypes, &utype_count)) {
      utypes = nullptr;
      utype_count = 0;
    }
    *s += "[";
    for (size_t j = 0; j < count; ++j) {
      if (!CheckBudget(s->size())) return;
      if (j) *s += ", ";
      int64_t union_type = -1;
      if (is_union_value) union_type = j < utype_count ? utypes[j] : 0;
      PrintValue(type, elem, ref, union_type, depth, s);
      elem += elem_size;
    }
    *s += "]";
  }
  *s += "}";
}

void Dumper::PrintValue(flatbuffers::ElementaryType type, const uint8_t* val,
                        const flatbuffers::TypeTable* ref, int64_t union_type,
                        int depth, std::string* s) {
  if (!CheckBudget(s->size())) return;
  auto enum_or_int = [&](int64_t v) {
    const char* name = (ref != nullptr && ref->st == flatbuffers::ST_ENUM)
                           ? flatbuffers::EnumName(v, ref)
                           : nullptr;
    *s += name != nullptr ? std::string(name) : Int(v);
  };
  switch (type) {
    case flatbuffers::ET_UTYPE:
    case flatbuffers::ET_UCHAR:
      enum_or_int(Load<uint8_t>(val));
      break;
    case flatbuffers::ET_BOOL:
      *s += Load<uint8_t>(val) != 0 ? "true" : "false";
      break;
    case flatbuffers::ET_CHAR:
      enum_or_int(Load<int8_t>(val));
      break;
    case flatbuffers::ET_SHORT:
      enum_or_int(Load<int16_t>(val));
      break;
    case flatbuffers::ET_USHORT:
      enum_or_int(Load<uint16_t>(val));
      break;
    case flatbuffers::ET_INT:
      enum_or_int(Load<int32_t>(val));
      break;
    case flatbuffers::ET_UINT:
      enum_or_int(Load<uint32_t>(val));
      break;
    case flatbuffers::ET_LONG:
      enum_or_int(Load<int64_t>(val));
      break;
    case flatbuffers::ET_ULONG:
      *s += UInt(Load<uint64_t>(val));
      break;
    case flatbuffers::ET_FLOAT:
      *s += Float32(Load<float>(val));
      break;
    case flatbuffers::ET_DOUBLE:
      *s += Float64(Load<double>(val));
      break;
    case flatbuffers::ET_STRING: {
      const uint8_t* chars = nullptr;
      size_t len = 0;
      if (!ReadVector(val, 1, &chars, &len)) {
        *s += Problem("malformed string");
        break;
      }
      AppendQuoted(s, reinterpret_cast<const char*>(chars), len);
      break;
    }
    case flatbuffers::ET_SEQUENCE: {
      if (ref == nullptr) {
        *s += "(?)";
        break;
      }
      switch (ref->st) {
        case flatbuffers::ST_TABLE: {
          const uint8_t* table = Deref(val, 4);
          if (table == nullptr) {
            *s += Problem("malformed table offset");
          } else {
            PrintObject(table, ref, depth + 1, s);
          }
          break;
        }
        case flatbuffers::ST_STRUCT:
          PrintObject(val, ref, depth + 1, s);
          break;
        case flatbuffers::ST_UNION: {
          const uint8_t* member = Deref(val, 4);
          if (member == nullptr) {
            *s += Problem("malformed union offset");
          } else {
            PrintUnion(ref, union_type, member, depth + 1, s);
          }
          break;
        }
        case flatbuffers::ST_ENUM:
          *s += "(?)";
          break;
      }
      break;
    }
    default:
      *s += "(?)";
      break;
  }
}

void Dumper::PrintUnion(const flatbuffers::TypeTable* union_tt, int64_t type,
                        const uint8_t* member, int depth, std::string* s) {
  const char* name = nullptr;
  const flatbuffers::TypeTable* member_tt = nullptr;
  if (!UnionMember(union_tt, type, &name, &member_tt)) {
    // A member added by a newer schema: no type table to read it with.
    *s += "<unknown union member " + Int(type) + ">";
    return;
  }
  *s += name != nullptr ? name : ("member" + Int(type));
  if (member == nullptr) {
    *s += "<missing>";
    return;
  }
  if (member_tt == nullptr) {
    *s += "(?)";
    return;
  }
  PrintObject(member, member_tt, depth, s, OptionDefaults(union_tt, type));
}

const uint8_t* Dumper::OptionDefaults(const flatbuffers::TypeTable* union_tt,
                                      int64_t type) {
  const bool v1 = union_tt == tflite::BuiltinOptionsTypeTable();
  const bool v2 = union_tt == tflite::BuiltinOptions2TypeTable();
  if (!v1 && !v2) return nullptr;
  const auto key = std::make_pair(union_tt, type);
  auto it = option_defaults_.find(key);
  if (it == option_defaults_.end()) {
    flatbuffers::FlatBufferBuilder empty_fbb;
    empty_fbb.Finish(flatbuffers::Offset<flatbuffers::Table>(
        empty_fbb.EndTable(empty_fbb.StartTable())));
    const void* empty =
        flatbuffers::GetRoot<flatbuffers::Table>(empty_fbb.GetBufferPointer());
    flatbuffers::FlatBufferBuilder fbb;
    fbb.ForceDefaults(true);
    bool ok = false;
    if (v1 && type > tflite::BuiltinOptions_NONE &&
        type <= tflite::BuiltinOptions_MAX) {
      tflite::BuiltinOptionsUnion u;
      u.type = static_cast<tflite::BuiltinOptions>(type);
      u.value = tflite::BuiltinOptionsUnion::UnPack(empty, u.type, nullptr);
      if (u.value != nullptr) {
        fbb.Finish(u.Pack(fbb));
        ok = true;
      }
    } else if (v2 && type > tflite::BuiltinOptions2_NONE &&
               type <= tflite::BuiltinOptions2_MAX) {
      tflite::BuiltinOptions2Union u;
      u.type = static_cast<tflite::BuiltinOptions2>(type);
      u.value = tflite::BuiltinOptions2Union::UnPack(empty, u.type, nullptr);
      if (u.value != nullptr) {
        fbb.Finish(u.Pack(fbb));
        ok = true;
      }
    }
    it = option_defaults_
             .emplace(key, ok ? fbb.Release() : flatbuffers::DetachedBuffer())
             .first;
  }
  if (it->second.size() == 0) return nullptr;
  return flatbuffers::GetRoot<uint8_t>(it->second.data());
}

// ---------------------------------------------------------------------------
// Sections.

void Dumper::DumpOperatorCodes() {
  const auto* codes = model_->operator_codes();
  const uint32_t n = codes != nullptr ? codes->size() : 0;
  Line(0, "operator_codes: " + UInt(n));
  for (uint32_t i = 0; i < n && !aborted_; ++i) {
    const tflite::OperatorCode* oc = codes->Get(i);
    std::string s = "[" + UInt(i) + "] ";
    if (oc == nullptr) {
      s += Problem("operator_codes[" + UInt(i) + "] is null");
      Line(1, s);
      continue;
    }
    const int32_t deprecated = oc->deprecated_builtin_code();
    const int32_t builtin = static_cast<int32_t>(oc->builtin_code());
    const int32_t code = std::max(builtin, deprecated);
    const char* name = tflite::EnumNameBuiltinOperator(
        static_cast<tflite::BuiltinOperator>(code));
    s += (name != nullptr && *name != '\0') ? std::string(name)
                                            : "UNKNOWN_BUILTIN_" + Int(code);
    if (oc->custom_code() != nullptr) s += " " + Quoted(oc->custom_code());
    s += " v" + Int(oc->version());
    // A writer must set deprecated_builtin_code = min(code, 127) and
    // builtin_code = code (pre-3a writers left builtin_code at 0). Show the
    // raw fields when they disagree with that.
    const int32_t placeholder =
        tflite::BuiltinOperator_PLACEHOLDER_FOR_GREATER_OP_CODES;
    if (deprecated != std::min(code, placeholder) ||
        (builtin != code && builtin != 0)) {
      s += " (builtin_code=" + Int(builtin) +
           " deprecated_builtin_code=" + Int(deprecated) + ")";
    }
    Line(1, s);
  }
}

std::string Dumper::TensorRef(int32_t tensor, uint32_t num_tensors,
                              bool allow_optional, const std::string& what) {
  if (allow_optional && tensor == -1) return "-1";
  if (tensor < 0 || static_cast<uint32_t>(tensor) >= num_tensors) {
    return Problem(what + " refers to tensor " + Int(tensor) +
                   " but the subgraph has " + UInt(num_tensors) + " tensors");
  }
  return Int(tensor);
}

std::string Dumper::QuantizationText(const tflite::QuantizationParameters* q) {
  if (q == nullptr) return "";
  std::string s;
  auto floats = [&](const char* label, const flatbuffers::Vector<float>* v) {
    if (v == nullptr) return;
    if (!s.empty()) s += " ";
    s += label;
    s += "=[";
    for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
      if (i) s += ",";
      s += Float32(v->Get(i));
    }
    s += "]";
  };
  floats("min", q->min());
  floats("max", q->max());
  floats("scale", q->scale());
  if (q->zero_point() != nullptr) {
    if (!s.empty()) s += " ";
    s += "zp=" + IntList(q->zero_point());
  }
  const bool per_channel = q->scale() != nullptr && q->scale()->size() > 1;
  if (per_channel || q->quantized_dimension() != 0) {
    if (!s.empty()) s += " ";
    s += "dim=" + Int(q->quantized_dimension());
  }
  if (q->details_type() != tflite::QuantizationDetails_NONE) {
    if (!s.empty()) s += " ";
    s += "details=" + UnionToString(tflite::QuantizationDetailsTypeTable(),
                                    q->details_type(), q->details());
  }
  // An empty QuantizationParameters table (the MLIR converter writes one for
  // every float tensor) means "not quantized", the same as no table.
  if (s.empty()) return "";
  return "q{" + s + "}";
}

std::string Dumper::TensorLine(uint32_t index, const tflite::Tensor* t) {
  std::string s = "[" + UInt(index) + "] ";
  if (t == nullptr) return s + Problem("tensor " + UInt(index) + " is null");
  s += Quoted(t->name());
  const char* type_name = tflite::EnumNameTensorType(t->type());
  s += " ";
  s += (type_name != nullptr && *type_name != '\0')
           ? std::string(type_name)
           : "TYPE_" + Int(static_cast<int64_t>(t->type()));
  s += " ";
  s += t->shape() != nullptr ? IntList(t->shape()) : "(no shape)";
  if (t->shape_signature() != nullptr) {
    s += " sig=" + IntList(t->shape_signature());
  }
  if (t->has_rank()) s += " has_rank";
  if (t->is_variable()) s += " variable";

  const uint32_t b = t->buffer();
  s += " buffer=" + UInt(b);
  const bool in_range = b < num_buffers_;
  if (!in_range && b != 0) {
    s += " " + Problem("tensor \"" + (t->name() ? t->name()->str() : "") +
                       "\" refers to buffer " + UInt(b) +
                       " but the model has " + UInt(num_buffers_) + " buffers");
  } else if (in_range && b != 0) {
    BufferView view;
    std::string problem;
    if (!GetBuffer(model_->buffers()->Get(b), b, &view, &problem)) {
      s += " " + Problem(problem);
    } else if (view.size != 0) {
      s += " (" + BlobSummary(view.data, view.size) + ")";
      // The runtime rejects constant data whose size does not match a static
      // shape (sparse, string and sub-byte tensors have their own layouts).
      const size_t elem = FixedElementSize(t->type());
      if (elem != 0 && t->shape() != nullptr && t->sparsity() == nullptr) {
        unsigned __int128 need = elem;
        bool known = true;
        for (flatbuffers::uoffset_t i = 0; i < t->shape()->size(); ++i) {
          const int32_t d = t->shape()->Get(i);
          if (d < 0) {
            known = false;
            break;
          }
          need *= static_cast<uint64_t>(d);
          if (need > (static_cast<unsigned __int128>(1) << 64)) break;
        }
        if (known && need != view.size) {
          s += " " +
               Problem("tensor \"" + (t->name() ? t->name()->str() : "") +
                       "\" has " + UInt(view.size) +
                       " bytes of data but its shape " + "needs " +
                       (need > UINT64_MAX ? std::string("more")
                                          : UInt(static_cast<uint64_t>(need))));
        }
      }
    }
  }
  const std::string q = QuantizationText(t->quantization());
  if (!q.empty()) s += " " + q;
  if (t->sparsity() != nullptr) {
    s += " sparsity=" +
         TableToString(t->sparsity(), tflite::SparsityParametersTypeTable());
  }
  if (t->variant_tensors() != nullptr) {
    s += " variant_tensors=[";
    for (flatbuffers::uoffset_t i = 0; i < t->variant_tensors()->size(); ++i) {
      if (i) s += ", ";
      s += TableToString(t->variant_tensors()->Get(i),
                         tflite::VariantSubTypeTypeTable());
    }
    s += "]";
  }
  if (t->external_buffer() != 0) {
    s += " external_buffer=" + UInt(t->external_buffer());
  }
  return s;
}

// Decoded when options are shown and the operator is a CUSTOM op with
// FLEXBUFFERS options: Flex ops as [op name, node_def {...}] (or the summary
// followed by an <undecodable ...> marker), other custom ops as {key: value}
// when the options are a FlexBuffer map. Otherwise "<FORMAT N bytes, ...>".
std::string Dumper::CustomOptionsText(const tflite::OperatorCode* oc,
                                      tflite::CustomOptionsFormat format,
                                      const uint8_t* p, size_t n) {
  const char* format_name = tflite::EnumNameCustomOptionsFormat(format);
  const std::string summary =
      "<" +
      ((format_name != nullptr && *format_name != '\0')
           ? std::string(format_name)
           : "FORMAT_" + Int(static_cast<int64_t>(format))) +
      " " + BlobSummary(p, n) + ">";
  if (!options_.show_options || aborted_ || oc == nullptr ||
      format != tflite::CustomOptionsFormat_FLEXBUFFERS ||
      std::max(static_cast<int32_t>(oc->builtin_code()),
               static_cast<int32_t>(oc->deprecated_builtin_code())) !=
          tflite::BuiltinOperator_CUSTOM) {
    return summary;
  }
  const flatbuffers::String* custom_code = oc->custom_code();
  const bool flex = custom_code != nullptr && custom_code->size() >= 4 &&
                    std::memcmp(custom_code->data(), "Flex", 4) == 0;
  std::string text;
  if (flex) {
    std::string error;
    if (DecodeFlexOptions(p, n, &text, &error, options_.buffer_hashes)) {
      return text;
    }
    return summary + " <undecodable Flex options: " + error + ">";
  }
  if (DecodeFlexMap(p, n, &text, options_.buffer_hashes)) return text;
  return summary;
}

std::string Dumper::OperatorLine(uint32_t index, const tflite::Operator* op,
                                 uint32_t num_tensors) {
  std::string s = "[" + UInt(index) + "] ";
  if (op == nullptr) return s + Problem("operator " + UInt(index) + " is null");
  const auto* codes = model_->operator_codes();
  const uint32_t num_codes = codes != nullptr ? codes->size() : 0;
  const uint32_t oi = op->opcode_index();
  const std::string what = "operator " + UInt(index);
  const tflite::OperatorCode* op_code = nullptr;
  if (oi >= num_codes || codes->Get(oi) == nullptr) {
    s += Problem(what + " has opcode_index " + UInt(oi) +
                 " but the model has " + UInt(num_codes) + " operator codes");
  } else {
    const tflite::OperatorCode* oc = codes->Get(oi);
    op_code = oc;
    const int32_t code =
        std::max(static_cast<int32_t>(oc->builtin_code()),
                 static_cast<int32_t>(oc->deprecated_builtin_code()));
    const char* name = tflite::EnumNameBuiltinOperator(
        static_cast<tflite::BuiltinOperator>(code));
    s += (name != nullptr && *name != '\0') ? std::string(name)
                                            : "UNKNOWN_BUILTIN_" + Int(code);
    if (oc->custom_code() != nullptr) s += " " + Quoted(oc->custom_code());
  }
  auto tensor_list = [&](const flatbuffers::Vector<int32_t>* v, bool optional,
                         const std::string& role) {
    std::string r = "(";
    if (v != nullptr) {
      for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
        if (i) r += ", ";
        r += TensorRef(v->Get(i), num_tensors, optional,
                       what + " " + role + " " + UInt(i));
      }
    }
    return r + ")";
  };
  s += tensor_list(op->inputs(), /*optional=*/true, "input");
  s += " -> ";
  s += tensor_list(op->outputs(), /*optional=*/false, "output");
  if (op->intermediates() != nullptr) {
    s += " intermediates=" +
         tensor_list(op->intermediates(), /*optional=*/false, "intermediate");
  }
  if (op->mutating_variable_inputs() != nullptr) {
    s += " mutating_variable_inputs=[";
    const auto* m = op->mutating_variable_inputs();
    for (flatbuffers::uoffset_t i = 0; i < m->size(); ++i) {
      if (i) s += ",";
      s += m->Get(i) ? "1" : "0";
    }
    s += "]";
  }
  if (options_.show_options) {
    if (op->builtin_options_type() != tflite::BuiltinOptions_NONE) {
      s += " " + UnionToString(tflite::BuiltinOptionsTypeTable(),
                               op->builtin_options_type(),
                               op->builtin_options());
    }
    if (op->builtin_options_2_type() != tflite::BuiltinOptions2_NONE) {
      s += " " + UnionToString(tflite::BuiltinOptions2TypeTable(),
                               op->builtin_options_2_type(),
                               op->builtin_options_2());
    }
  }
  if (op->custom_options() != nullptr) {
    s += " custom_options=" + CustomOptionsText(op_code,
                                                op->custom_options_format(),
                                                op->custom_options()->data(),
                                                op->custom_options()->size());
  }
  if (op->large_custom_options_offset() > 1) {
    const uint8_t* p = nullptr;
    if (!FileRange(op->large_custom_options_offset(),
                   op->large_custom_options_size(), &p)) {
      s += " " + Problem(what + " has custom options at bytes [" +
                         UInt(op->large_custom_options_offset()) + ", +" +
                         UInt(op->large_custom_options_size()) +
                         ") outside the " + UInt(size_) + "-byte input");
    } else {
      s += " large_custom_options=" +
           CustomOptionsText(
               op_code, op->custom_options_format(), p,
               static_cast<size_t>(op->large_custom_options_size()));
    }
  }
  if (op->debug_metadata_index() != -1) {
    s += " debug_metadata_index=" + Int(op->debug_metadata_index());
  }
  return s;
}

void Dumper::DumpSubgraph(uint32_t index, const tflite::SubGraph* sg) {
  if (sg == nullptr) {
    Line(0, "subgraph[" + UInt(index) + "] " +
                Problem("subgraph " + UInt(index) + " is null"));
    return;
  }
  const uint32_t num_tensors =
      sg->tensors() != nullptr ? sg->tensors()->size() : 0;
  const std::string where = "subgraph " + UInt(index);
  auto io = [&](const flatbuffers::Vector<int32_t>* v,
                const std::string& role) {
    std::string r = "[";
    if (v != nullptr) {
      for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
        if (i) r += ",";
        r += TensorRef(v->Get(i), num_tensors, /*allow_optional=*/false,
                       where + " " + role + " " + UInt(i));
      }
    }
    return r + "]";
  };
  std::string head = "subgraph[" + UInt(index) + "] " + Quoted(sg->name());
  head += " inputs=" + io(sg->inputs(), "input");
  head += " outputs=" + io(sg->outputs(), "output");
  if (sg->debug_metadata_index() != -1) {
    head += " debug_metadata_index=" + Int(sg->debug_metadata_index());
  }
  Line(0, head);

  Line(1, "tensors: " + UInt(num_tensors));
  for (uint32_t i = 0; i < num_tensors && !aborted_; ++i) {
    Line(2, TensorLine(i, sg->tensors()->Get(i)));
  }
  const uint32_t num_ops =
      sg->operators() != nullptr ? sg->operators()->size() : 0;
  Line(1, "operators: " + UInt(num_ops));
  for (uint32_t i = 0; i < num_ops && !aborted_; ++i) {
    Line(2, OperatorLine(i, sg->operators()->Get(i), num_tensors));
  }
}

void Dumper::DumpSignatureDefs() {
  const auto* sigs = model_->signature_defs();
  if (sigs == nullptr) return;
  Line(0, "signature_defs: " + UInt(sigs->size()));
  const auto* subgraphs = model_->subgraphs();
  const uint32_t num_subgraphs = subgraphs != nullptr ? subgraphs->size() : 0;
  for (uint32_t i = 0; i < sigs->size() && !aborted_; ++i) {
    const tflite::SignatureDef* sig = sigs->Get(i);
    std::string s = "[" + UInt(i) + "] ";
    if (sig == nullptr) {
      Line(1, s + Problem("signature_defs[" + UInt(i) + "] is null"));
      continue;
    }
    s += Quoted(sig->signature_key());
    const uint32_t sg = sig->subgraph_index();
    s += " subgraph=";
    const tflite::SubGraph* subgraph = nullptr;
    if (sg >= num_subgraphs) {
      s += Problem("signature " + Quoted(sig->signature_key()) +
                   " refers to subgraph " + UInt(sg) + " but the model has " +
                   UInt(num_subgraphs) + " subgraphs");
    } else {
      s += UInt(sg);
      subgraph = subgraphs->Get(sg);
    }
    const uint32_t num_tensors =
        (subgraph != nullptr && subgraph->tensors() != nullptr)
            ? subgraph->tensors()->size()
            : 0;
    auto maps =
        [&](const flatbuffers::Vector<flatbuffers::Offset<tflite::TensorMap>>*
                v,
            const char* role) {
          std::string r = role;
          r += "{";
          if (v != nullptr) {
            for (flatbuffers::uoffset_t j = 0; j < v->size(); ++j) {
              if (j) r += ", ";
              const tflite::TensorMap* m = v->Get(j);
              if (m == nullptr) {
                r += Problem(std::string("signature ") + role + " " + UInt(j) +
                             " is null");
                continue;
              }
              r += Quoted(m->name()) + ":";
              if (subgraph == nullptr || m->tensor_index() >= num_tensors) {
                r += subgraph == nullptr
                         ? UInt(m->tensor_index())
                         : Problem("signature " + Quoted(sig->signature_key()) +
                                   " " + role + " " + Quoted(m->name()) +
                                   " refers to tensor " +
                                   UInt(m->tensor_index()) + " but subgraph " +
                                   UInt(sg) + " has " + UInt(num_tensors) +
                                   " tensors");
              } else {
                r += UInt(m->tensor_index());
              }
            }
          }
          return r + "}";
        };
    s += " " + maps(sig->inputs(), "inputs");
    s += " " + maps(sig->outputs(), "outputs");
    Line(1, s);
  }
}

std::string Dumper::MetadataValue(const std::string& name,
                                  const BufferView& view) {
  if (view.size == 0) return "<empty>";
  if (name == "CONVERSION_METADATA") {
    // A complete ConversionMetadata FlatBuffer (no file identifier). Verify
    // it on its own before reading; a broken one is shown, not fatal.
    if (view.size < FLATBUFFERS_MAX_BUFFER_SIZE) {
      // The Verifier and the accessors need the buffer aligned like a
      // FlatBuffer; metadata buffers are inside the model and usually are,
      // but copy when not.
      std::vector<uint8_t> copy;
      const uint8_t* p = view.data;
      if (reinterpret_cast<uintptr_t>(p) % 8 != 0) {
        copy.assign(view.data, view.data + view.size);
        p = copy.data();
      }
      flatbuffers::Verifier verifier(p, view.size);
      if (tflite::VerifyConversionMetadataBuffer(verifier)) {
        // The generic printer reads only inside the nested FlatBuffer.
        const uint8_t* saved_begin = region_begin_;
        const uint8_t* saved_end = region_end_;
        region_begin_ = p;
        region_end_ = p + view.size;
        std::string s = "ConversionMetadata" +
                        TableToString(tflite::GetConversionMetadata(p),
                                      tflite::ConversionMetadataTypeTable());
        region_begin_ = saved_begin;
        region_end_ = saved_end;
        return s;
      }
    }
    return "<not a valid ConversionMetadata FlatBuffer: " +
           BlobSummary(view.data, view.size) + ">";
  }
  // Strings such as min_runtime_version ("1.14.0" NUL-padded to 16 bytes) or
  // buffer_location.
  size_t n = view.size;
  while (n > 0 && view.data[n - 1] == 0) --n;
  if (n <= kMaxMetadataStringBytes && IsPrintableText(view.data, n)) {
    std::string s = Quoted(reinterpret_cast<const char*>(view.data), n);
    if (n != view.size) s += " (" + UInt(view.size) + " bytes)";
    return s;
  }
  return "<" + BlobSummary(view.data, view.size) + ">";
}

void Dumper::DumpMetadata() {
  const auto* md = model_->metadata();
  if (md != nullptr) {
    Line(0, "metadata: " + UInt(md->size()));
    for (uint32_t i = 0; i < md->size() && !aborted_; ++i) {
      const tflite::Metadata* m = md->Get(i);
      if (m == nullptr) {
        Line(1, Problem("metadata[" + UInt(i) + "] is null"));
        continue;
      }
      const std::string name = m->name() != nullptr ? m->name()->str() : "";
      std::string s = Quoted(m->name()) + " buffer=" + UInt(m->buffer()) + " ";
      if (m->buffer() >= num_buffers_) {
        s += Problem("metadata " + Quoted(m->name()) + " refers to buffer " +
                     UInt(m->buffer()) + " but the model has " +
                     UInt(num_buffers_) + " buffers");
      } else {
        BufferView view;
        std::string problem;
        if (!GetBuffer(model_->buffers()->Get(m->buffer()), m->buffer(), &view,
                       &problem)) {
          s += Problem(problem);
        } else {
          s += MetadataValue(name, view);
        }
      }
      Line(1, s);
    }
  }
  if (model_->metadata_buffer() != nullptr) {
    Line(0,
         "metadata_buffer (deprecated): " + IntList(model_->metadata_buffer()));
  }
}

void Dumper::DumpBuffers() {
  const auto* buffers = model_->buffers();
  uint64_t total = 0;
  uint32_t with_data = 0;
  std::vector<std::string> lines;
  std::string first = "no buffer 0";
  for (uint32_t i = 0; i < num_buffers_ && !aborted_; ++i) {
    const tflite::Buffer* buffer = buffers->Get(i);
    BufferView view;
    std::string problem;
    std::string s = "[" + UInt(i) + "] ";
    if (!GetBuffer(buffer, i, &view, &problem)) {
      lines.push_back(s + Problem(problem));
      continue;
    }
    if (i == 0) {
      first = view.size == 0 && !view.external
                  ? "buffer 0 empty"
                  : "buffer 0 NOT empty: it should be the empty sentinel";
    }
    if (view.size == 0 && !view.external) continue;
    ++with_data;
    total += view.size;
    s += BlobSummary(view.data, view.size);
    if (view.external) s += " at file offset " + UInt(view.offset);
    if (view.external && buffer->data() != nullptr) {
      s += " (also has " + UInt(buffer->data()->size()) + " inline bytes)";
    }
    lines.push_back(std::move(s));
    if (!CheckBudget(lines.size() * 64)) return;
  }
  Line(0, "buffers: " + UInt(num_buffers_) + " (" + UInt(with_data) +
              " with data, total " + UInt(total) + " bytes; " + first + ")");
  for (const std::string& l : lines) Line(1, l);
}

bool Dumper::Run(std::string* out, std::string* error) {
  out->clear();
  error->clear();
  if (size_ < 8) {
    *error =
        size_ == 0
            ? "the input is empty; a .tflite file starts with a 4-byte root "
              "offset followed by the identifier \"TFL3\""
            : "the input is only " + UInt(size_) +
                  " bytes; a .tflite file needs at least 8 (a 4-byte root "
                  "offset and the identifier \"TFL3\")";
    return false;
  }
  if (!flatbuffers::BufferHasIdentifier(data_, kTfliteIdentifier)) {
    *error = "not a TFLite model: the file identifier (bytes 4..7) is " +
             Quoted(reinterpret_cast<const char*>(data_) + 4, 4) +
             ", expected \"TFL3\"";
    if (size_ >= 12 &&
        flatbuffers::BufferHasIdentifier(data_, kTfliteIdentifier,
                                         /*size_prefixed=*/true)) {
      *error += " (it looks size-prefixed; strip the 4-byte length first)";
    }
    return false;
  }
  const uint32_t root = flatbuffers::ReadScalar<flatbuffers::uoffset_t>(data_);
  if (root >= size_) {
    *error = "not a valid TFLite model: the root offset " + UInt(root) +
             " points past the end of the " + UInt(size_) +
             "-byte input (truncated file?)";
    return false;
  }
  // Large-model mode: the FlatBuffer is only the front of the file, and it is
  // always < 2 GiB, so verifying the first 2 GiB covers all of it (the
  // Verifier accepts trailing bytes).
  const size_t verify_size =
      std::min<size_t>(size_, FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier::Options vopts;
  vopts.max_depth = 64;
  // Enough for any real model (tables need >= 4 bytes each), yet a bound on
  // hostile inputs that share one table many times.
  vopts.max_tables = static_cast<flatbuffers::uoffset_t>(
      std::max<size_t>(1000000, verify_size / 4));
  flatbuffers::Verifier verifier(data_, verify_size, vopts);
  if (!tflite::VerifyModelBuffer(verifier)) {
    *error = "not a valid TFLite model: FlatBuffer verification of the " +
             UInt(size_) +
             "-byte input failed (the file is truncated or corrupt, or not a "
             "tflite.Model)";
    return false;
  }
  model_ = tflite::GetModel(data_);
  region_begin_ = data_;
  region_end_ = data_ + verify_size;
  if (model_->version() != kTfliteSchemaVersion) {
    *error = "unsupported TFLite schema version " + UInt(model_->version()) +
             "; only version 3 is supported";
    return false;
  }
  num_buffers_ = model_->buffers() != nullptr ? model_->buffers()->size() : 0;

  std::string head = "model version=" + UInt(model_->version());
  if (model_->description() != nullptr) {
    head += " description=" + Quoted(model_->description());
  }
  Line(0, head);
  DumpOperatorCodes();
  const auto* subgraphs = model_->subgraphs();
  const uint32_t num_subgraphs = subgraphs != nullptr ? subgraphs->size() : 0;
  Line(0, "subgraphs: " + UInt(num_subgraphs) +
              (num_subgraphs == 0 ? " " + Problem("the model has no subgraphs")
                                  : std::string()));
  for (uint32_t i = 0; i < num_subgraphs && !aborted_; ++i) {
    DumpSubgraph(i, subgraphs->Get(i));
  }
  DumpSignatureDefs();
  DumpMetadata();
  DumpBuffers();
  if (model_->external_buffer_groups() != nullptr && !aborted_) {
    const auto* v = model_->external_buffer_groups();
    Line(0, "external_buffer_groups: " + UInt(v->size()));
    for (uint32_t i = 0; i < v->size() && !aborted_; ++i) {
      Line(1, "[" + UInt(i) + "] " +
                  TableToString(v->Get(i),
                                tflite::ExternalBufferGroupTypeTable()));
    }
  }
  if (model_->external_buffers() != nullptr && !aborted_) {
    const auto* v = model_->external_buffers();
    Line(0, "external_buffers: " + UInt(v->size()));
    for (uint32_t i = 0; i < v->size() && !aborted_; ++i) {
      Line(1, "[" + UInt(i) + "] " +
                  TableToString(v->Get(i), tflite::ExternalBufferTypeTable()));
    }
  }

  if (aborted_) {
    *error = "cannot dump the model: " + abort_reason_;
    out_.clear();
    return false;
  }
  out->swap(out_);
  if (problems_ > 0) {
    *error = "invalid TFLite model: " + first_problem_;
    if (problems_ > 1) {
      *error += " (and " + UInt(problems_ - 1) + " more problem" +
                (problems_ > 2 ? "s" : "") + " marked <ERROR> in the dump)";
    }
    return false;
  }
  return true;
}

}  // namespace

uint64_t Fnv1a64(const uint8_t* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool InspectModel(const uint8_t* data, size_t size,
                  const InspectOptions& options, std::string* out,
                  std::string* error) {
  std::string ignored_out;
  std::string ignored_error;
  if (out == nullptr) out = &ignored_out;
  if (error == nullptr) error = &ignored_error;
  if (data == nullptr && size != 0) {
    out->clear();
    *error = "no input bytes (null pointer with non-zero size)";
    return false;
  }
  // FlatBuffers accessors read scalars in place; give them memory aligned as
  // the writer intended (offsets are checked relative to the start, so any
  // 8-aligned copy is equivalent).
  std::vector<uint8_t> aligned;
  if (reinterpret_cast<uintptr_t>(data) % 8 != 0) {
    aligned.assign(data, data + size);
    data = aligned.data();
  }
  static const uint8_t kEmpty[8] = {};
  if (data == nullptr) data = kEmpty;
  Dumper dumper(data, size, options);
  return dumper.Run(out, error);
}

bool InspectModelFile(const std::string& path, const InspectOptions& options,
                      std::string* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (out != nullptr) out->clear();
    if (error != nullptr) *error = "cannot open \"" + path + "\" for reading";
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) {
    if (out != nullptr) out->clear();
    if (error != nullptr) *error = "error while reading \"" + path + "\"";
    return false;
  }
  std::string local_error;
  const bool ok = InspectModel(bytes.data(), bytes.size(), options, out,
                               error != nullptr ? error : &local_error);
  if (!ok && error != nullptr) *error = path + ": " + *error;
  return ok;
}

}  // namespace tflc::host
