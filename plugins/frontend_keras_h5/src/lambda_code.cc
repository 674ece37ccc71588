// Marshal reader, version detection and one-expression decoder for Keras Lambda code objects.
// Facts: KERAS.md D.3 (marshal, [CPY] Python/marshal.c), D.4 (code object layouts), D.5 (opcodes of
// each version's Lib/opcode.py), D.6 (telling the version apart).
#include "lambda_code.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

namespace tflc::keras::pycode {

const char kSupportedVersions[] = "CPython 3.7, 3.8, 3.9, 3.10, 3.11 and 3.12";

std::string VersionName(int version) {
  switch (version) {
    case 37: return "3.7";
    case 38: return "3.8 or 3.9";
    case 310: return "3.10";
    case 311: return "3.11";
    case 312: return "3.12";
    case kVersion311Or312: return "3.11 or 3.12";
    default: return "unknown";
  }
}

// ------------------------------------------------------------------------------ base64

StatusOr<std::string> Base64Decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  bool pad = false;
  for (char ch : text) {
    if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t') continue;
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=') { pad = true; continue; }
    else return InvalidArgument("the function's code is not base64 (character '" + std::string(1, ch) + "')");
    if (pad) return InvalidArgument("the function's code is not base64 (data after '=')");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// ------------------------------------------------------------------------------ marshal

namespace {

// Code object layouts (D.4).
enum class Layout { k37, k38, k311 };

constexpr int kMaxDepth = 64;
constexpr int32_t kMaxCount = 1 << 20;

class Reader {
 public:
  Reader(const std::string& data, Layout layout) : d_(data), layout_(layout) {}

  size_t pos() const { return pos_; }
  bool at_end() const { return pos_ == d_.size(); }

  StatusOr<PyRef> Object(int depth) {
    if (depth > kMaxDepth) return Err("objects nested too deeply");
    TFLC_ASSIGN_OR_RETURN(uint8_t tb, U8());
    const bool flag = (tb & 0x80) != 0;
    const char type = static_cast<char>(tb & 0x7F);
    auto obj = std::make_shared<PyObj>();
    size_t ref_slot = 0;
    auto reserve = [&]() {
      if (flag) {
        ref_slot = refs_.size();
        refs_.push_back(nullptr);  // filled when complete (pre-order index)
      }
    };
    auto done = [&](PyRef v) -> PyRef {
      if (flag) refs_[ref_slot] = v;
      return v;
    };
    switch (type) {
      case 'N': return Simple(PyObj::kNone);
      case 'T': return Simple(PyObj::kTrue);
      case 'F': return Simple(PyObj::kFalse);
      case '.': return Simple(PyObj::kEllipsis);
      case 'S': return Simple(PyObj::kStopIteration);
      case 'i': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(int32_t v, I32());
        obj->kind = PyObj::kInt;
        obj->i = v;
        return done(obj);
      }
      case 'I': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(int32_t lo, I32());
        TFLC_ASSIGN_OR_RETURN(int32_t hi, I32());
        obj->kind = PyObj::kInt;
        obj->i = static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | static_cast<uint32_t>(lo));
        return done(obj);
      }
      case 'l': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(int32_t n, I32());
        const int64_t count = n < 0 ? -static_cast<int64_t>(n) : n;
        if (count > 4) return Err("an integer constant too large for tflc (" + std::to_string(count) + " digits)");
        uint64_t v = 0;
        for (int64_t k = 0; k < count; ++k) {
          TFLC_ASSIGN_OR_RETURN(uint16_t dg, U16());
          if (dg >= (1u << 15)) return Err("bad long digit");
          v |= static_cast<uint64_t>(dg) << (15 * k);
        }
        if (v > static_cast<uint64_t>(INT64_MAX)) return Err("an integer constant too large for tflc");
        obj->kind = PyObj::kInt;
        obj->i = n < 0 ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
        return done(obj);
      }
      case 'g': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(double v, F64());
        obj->kind = PyObj::kFloat;
        obj->f = v;
        return done(obj);
      }
      case 'y': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(double re, F64());
        TFLC_ASSIGN_OR_RETURN(double im, F64());
        obj->kind = PyObj::kComplex;
        obj->f = re;
        (void)im;
        return done(obj);
      }
      case 's': case 'a': case 'A': case 'u': case 't': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(int32_t n, I32());
        TFLC_ASSIGN_OR_RETURN(std::string s, Bytes(n));
        obj->kind = type == 's' ? PyObj::kBytes : PyObj::kStr;
        obj->s = std::move(s);
        return done(obj);
      }
      case 'z': case 'Z': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(uint8_t n, U8());
        TFLC_ASSIGN_OR_RETURN(std::string s, Bytes(n));
        obj->kind = PyObj::kStr;
        obj->s = std::move(s);
        return done(obj);
      }
      case ')': case '(': case '[': case '<': case '>': {
        reserve();
        int32_t n = 0;
        if (type == ')') {
          TFLC_ASSIGN_OR_RETURN(uint8_t c, U8());
          n = c;
        } else {
          TFLC_ASSIGN_OR_RETURN(n, I32());
        }
        if (n < 0 || n > kMaxCount || static_cast<size_t>(n) > d_.size() - pos_) return Err("bad sequence length");
        obj->kind = type == '[' ? PyObj::kList : (type == '<' || type == '>') ? PyObj::kSet : PyObj::kTuple;
        for (int32_t k = 0; k < n; ++k) {
          TFLC_ASSIGN_OR_RETURN(PyRef e, Object(depth + 1));
          obj->items.push_back(e);
        }
        return done(obj);
      }
      case '{': {
        reserve();
        obj->kind = PyObj::kDict;
        for (int k = 0;; ++k) {
          if (k > kMaxCount) return Err("dict too long");
          if (pos_ < d_.size() && d_[pos_] == '0') {
            ++pos_;
            break;
          }
          TFLC_ASSIGN_OR_RETURN(PyRef key, Object(depth + 1));
          TFLC_ASSIGN_OR_RETURN(PyRef val, Object(depth + 1));
          obj->items.push_back(key);
          obj->items.push_back(val);
        }
        return done(obj);
      }
      case 'r': {
        TFLC_ASSIGN_OR_RETURN(int32_t idx, I32());
        if (idx < 0 || static_cast<size_t>(idx) >= refs_.size() || !refs_[static_cast<size_t>(idx)])
          return Err("bad back-reference " + std::to_string(idx));
        return refs_[static_cast<size_t>(idx)];
      }
      case 'c': {
        reserve();
        TFLC_ASSIGN_OR_RETURN(auto code, Code(depth));
        obj->kind = PyObj::kCode;
        obj->code = code;
        return done(obj);
      }
      default: {
        std::ostringstream os;
        os << "unknown marshal type byte 0x" << std::hex << static_cast<int>(tb) << " at offset " << std::dec << (pos_ - 1);
        return Status(TFLC_CODE_INVALID_ARGUMENT, os.str());
      }
    }
  }

  StatusOr<std::shared_ptr<const CodeObject>> Code(int depth) {
    auto c = std::make_shared<CodeObject>();
    TFLC_ASSIGN_OR_RETURN(c->argcount, I32());
    if (layout_ != Layout::k37) {
      TFLC_ASSIGN_OR_RETURN(c->posonlyargcount, I32());
    }
    TFLC_ASSIGN_OR_RETURN(c->kwonlyargcount, I32());
    if (layout_ != Layout::k311) {
      TFLC_ASSIGN_OR_RETURN(int32_t nlocals, I32());
      (void)nlocals;
    }
    TFLC_ASSIGN_OR_RETURN(int32_t stacksize, I32());
    (void)stacksize;
    TFLC_ASSIGN_OR_RETURN(c->flags, I32());
    if (c->argcount < 0 || c->kwonlyargcount < 0 || c->posonlyargcount < 0 || c->argcount > 255 ||
        c->kwonlyargcount > 255)
      return Err("bad argument counts");
    TFLC_ASSIGN_OR_RETURN(c->code, BytesObj(depth, "co_code"));
    TFLC_ASSIGN_OR_RETURN(PyRef consts, TupleObj(depth, "co_consts"));
    c->consts = consts->items;
    TFLC_ASSIGN_OR_RETURN(c->names, StrTuple(depth, "co_names"));
    if (layout_ == Layout::k311) {
      TFLC_ASSIGN_OR_RETURN(c->localsplus, StrTuple(depth, "co_localsplusnames"));
      TFLC_ASSIGN_OR_RETURN(c->localspluskinds, BytesObj(depth, "co_localspluskinds"));
      if (c->localspluskinds.size() != c->localsplus.size()) return Err("co_localspluskinds does not match the names");
      for (size_t k = 0; k < c->localsplus.size(); ++k) {
        const uint8_t kind = static_cast<uint8_t>(c->localspluskinds[k]);
        if (kind & 0x80) c->freevars.push_back(c->localsplus[k]);
        else if (kind & 0x40) c->cellvars.push_back(c->localsplus[k]);
        if (!(kind & 0x80) && !((kind & 0x40) && !(kind & 0x20))) c->varnames.push_back(c->localsplus[k]);
      }
    } else {
      TFLC_ASSIGN_OR_RETURN(c->varnames, StrTuple(depth, "co_varnames"));
      TFLC_ASSIGN_OR_RETURN(c->freevars, StrTuple(depth, "co_freevars"));
      TFLC_ASSIGN_OR_RETURN(c->cellvars, StrTuple(depth, "co_cellvars"));
    }
    TFLC_ASSIGN_OR_RETURN(c->filename, StrObj(depth, "co_filename"));
    TFLC_ASSIGN_OR_RETURN(c->name, StrObj(depth, "co_name"));
    if (layout_ == Layout::k311) {
      TFLC_ASSIGN_OR_RETURN(c->qualname, StrObj(depth, "co_qualname"));
    } else {
      c->qualname = c->name;
    }
    TFLC_ASSIGN_OR_RETURN(int32_t firstlineno, I32());
    (void)firstlineno;
    TFLC_ASSIGN_OR_RETURN(c->linetable, BytesObj(depth, "co_linetable"));
    if (layout_ == Layout::k311) {
      TFLC_ASSIGN_OR_RETURN(std::string exc, BytesObj(depth, "co_exceptiontable"));
      (void)exc;
    }
    if (c->code.size() % 2 != 0) return Err("co_code has an odd length");
    if (static_cast<size_t>(c->argcount) + static_cast<size_t>(c->kwonlyargcount) > c->varnames.size())
      return Err("more arguments than variable names");
    return std::shared_ptr<const CodeObject>(c);
  }

 private:
  Status Err(const std::string& m) const {
    return InvalidArgument("malformed marshal data at offset " + std::to_string(pos_) + ": " + m);
  }
  StatusOr<PyRef> Simple(PyObj::Kind k) {
    auto o = std::make_shared<PyObj>();
    o->kind = k;
    return PyRef(o);
  }
  StatusOr<uint8_t> U8() {
    if (pos_ + 1 > d_.size()) return Err("data ends early");
    return static_cast<uint8_t>(d_[pos_++]);
  }
  StatusOr<uint16_t> U16() {
    if (pos_ + 2 > d_.size()) return Err("data ends early");
    uint16_t v = static_cast<uint16_t>(static_cast<uint8_t>(d_[pos_]) | (static_cast<uint8_t>(d_[pos_ + 1]) << 8));
    pos_ += 2;
    return v;
  }
  StatusOr<int32_t> I32() {
    if (pos_ + 4 > d_.size()) return Err("data ends early");
    uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(d_[pos_ + static_cast<size_t>(k)]);
    pos_ += 4;
    return static_cast<int32_t>(v);
  }
  StatusOr<double> F64() {
    if (pos_ + 8 > d_.size()) return Err("data ends early");
    uint64_t v = 0;
    for (int k = 7; k >= 0; --k) v = (v << 8) | static_cast<uint8_t>(d_[pos_ + static_cast<size_t>(k)]);
    pos_ += 8;
    double f;
    std::memcpy(&f, &v, sizeof f);
    return f;
  }
  StatusOr<std::string> Bytes(int64_t n) {
    if (n < 0 || static_cast<uint64_t>(n) > d_.size() - pos_) return Err("string length out of range");
    std::string s = d_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  StatusOr<std::string> BytesObj(int depth, const char* what) {
    TFLC_ASSIGN_OR_RETURN(PyRef o, Object(depth + 1));
    if (o->kind != PyObj::kBytes) return Err(std::string(what) + " is not a bytes object");
    return o->s;
  }
  StatusOr<std::string> StrObj(int depth, const char* what) {
    TFLC_ASSIGN_OR_RETURN(PyRef o, Object(depth + 1));
    if (o->kind != PyObj::kStr) return Err(std::string(what) + " is not a string");
    return o->s;
  }
  StatusOr<PyRef> TupleObj(int depth, const char* what) {
    TFLC_ASSIGN_OR_RETURN(PyRef o, Object(depth + 1));
    if (o->kind != PyObj::kTuple) return Err(std::string(what) + " is not a tuple");
    return o;
  }
  StatusOr<std::vector<std::string>> StrTuple(int depth, const char* what) {
    TFLC_ASSIGN_OR_RETURN(PyRef t, TupleObj(depth, what));
    std::vector<std::string> out;
    for (const auto& e : t->items) {
      if (e->kind != PyObj::kStr) return Err(std::string(what) + " holds a non-string");
      out.push_back(e->s);
    }
    return out;
  }

  const std::string& d_;
  Layout layout_;
  size_t pos_ = 0;
  std::vector<PyRef> refs_;
};

StatusOr<std::shared_ptr<const CodeObject>> ParseWith(const std::string& data, Layout layout) {
  Reader r(data, layout);
  TFLC_ASSIGN_OR_RETURN(PyRef o, r.Object(0));
  if (o->kind != PyObj::kCode) return InvalidArgument("the marshal data does not hold a code object");
  if (!r.at_end())
    return InvalidArgument("malformed marshal data: " + std::to_string(data.size() - r.pos()) +
                           " bytes left after the code object");
  return o->code;
}

StatusOr<std::shared_ptr<const CodeObject>> ReadCodeObjectUnchecked(const std::string& d);

// ---- opcodes (D.5; Lib/opcode.py of each version) ----

enum Op {
  kNop, kResume, kCopyFreeVars, kMakeCell, kPushNull, kLoadFast, kLoadConst, kLoadGlobal, kLoadAttr, kLoadMethod,
  kLoadDeref, kCallFunction, kCallFunctionKw, kCallMethod, kPrecall, kCall, kKwNames, kBinaryOp, kBinary,
  kCompareOp, kBinarySubscr, kBinarySlice, kBuildSlice, kBuildTuple, kBuildList, kListExtend, kListToTuple,
  kUnaryNegative, kUnaryPositive, kIntrinsic1, kReturnValue, kReturnConst, kExtendedArg, kUnknown
};

struct OpInfo {
  Op op = kUnknown;
  int caches = 0;
  const char* bin = nullptr;  // ≤3.10 binary operator symbol
};

// ≤3.10 (3.7, 3.8, 3.9, 3.10 agree on every opcode decoded here; 162/82 only exist from 3.9).
OpInfo Op310(int code) {
  switch (code) {
    case 9: return {kNop};
    case 124: return {kLoadFast};
    case 100: return {kLoadConst};
    case 116: return {kLoadGlobal};
    case 106: return {kLoadAttr};
    case 160: return {kLoadMethod};
    case 136: return {kLoadDeref};
    case 131: return {kCallFunction};
    case 141: return {kCallFunctionKw};
    case 161: return {kCallMethod};
    case 23: return {kBinary, 0, "+"};
    case 24: return {kBinary, 0, "-"};
    case 20: return {kBinary, 0, "*"};
    case 27: return {kBinary, 0, "/"};
    case 26: return {kBinary, 0, "//"};
    case 19: return {kBinary, 0, "**"};
    case 22: return {kBinary, 0, "%"};
    case 16: return {kBinary, 0, "@"};
    case 107: return {kCompareOp};
    case 25: return {kBinarySubscr};
    case 133: return {kBuildSlice};
    case 102: return {kBuildTuple};
    case 103: return {kBuildList};
    case 162: return {kListExtend};
    case 82: return {kListToTuple};
    case 11: return {kUnaryNegative};
    case 10: return {kUnaryPositive};
    case 83: return {kReturnValue};
    case 144: return {kExtendedArg};
    default: return {kUnknown};
  }
}

OpInfo Op311(int code) {
  switch (code) {
    case 0: return {kNop};  // CACHE (only met outside cache slots in broken data; checked separately)
    case 9: return {kNop};
    case 151: return {kResume};
    case 149: return {kCopyFreeVars};
    case 135: return {kMakeCell};
    case 2: return {kPushNull};
    case 124: return {kLoadFast};
    case 100: return {kLoadConst};
    case 116: return {kLoadGlobal, 5};
    case 106: return {kLoadAttr, 4};
    case 160: return {kLoadMethod, 10};
    case 137: return {kLoadDeref};
    case 166: return {kPrecall, 1};
    case 171: return {kCall, 4};
    case 172: return {kKwNames};
    case 122: return {kBinaryOp, 1};
    case 107: return {kCompareOp, 2};
    case 25: return {kBinarySubscr, 4};
    case 133: return {kBuildSlice};
    case 102: return {kBuildTuple};
    case 103: return {kBuildList};
    case 162: return {kListExtend};
    case 82: return {kListToTuple};
    case 11: return {kUnaryNegative};
    case 10: return {kUnaryPositive};
    case 83: return {kReturnValue};
    case 144: return {kExtendedArg};
    // Other instructions with inline caches (so that the walk stays aligned).
    case 60: return {kUnknown, 1};   // STORE_SUBSCR
    case 92: return {kUnknown, 1};   // UNPACK_SEQUENCE
    case 95: return {kUnknown, 4};   // STORE_ATTR
    default: return {kUnknown};
  }
}

OpInfo Op312(int code) {
  switch (code) {
    case 0: return {kNop};
    case 9: return {kNop};
    case 151: return {kResume};
    case 149: return {kCopyFreeVars};
    case 135: return {kMakeCell};
    case 2: return {kPushNull};
    case 124: return {kLoadFast};
    case 100: return {kLoadConst};
    case 116: return {kLoadGlobal, 4};
    case 106: return {kLoadAttr, 9};
    case 137: return {kLoadDeref};
    case 171: return {kCall, 3};
    case 172: return {kKwNames};
    case 122: return {kBinaryOp, 1};
    case 107: return {kCompareOp, 1};
    case 25: return {kBinarySubscr, 1};
    case 26: return {kBinarySlice};
    case 133: return {kBuildSlice};
    case 102: return {kBuildTuple};
    case 103: return {kBuildList};
    case 162: return {kListExtend};
    case 82: return {kListToTuple};
    case 11: return {kUnaryNegative};
    case 173: return {kIntrinsic1};
    case 83: return {kReturnValue};
    case 121: return {kReturnConst};
    case 144: return {kExtendedArg};
    case 60: return {kUnknown, 1};   // STORE_SUBSCR
    case 92: return {kUnknown, 1};   // UNPACK_SEQUENCE
    case 93: return {kUnknown, 1};   // FOR_ITER
    case 95: return {kUnknown, 4};   // STORE_ATTR
    case 123: return {kUnknown, 1};  // SEND
    case 141: return {kUnknown, 1};  // LOAD_SUPER_ATTR
    default: return {kUnknown};
  }
}

OpInfo OpFor(int version, int code) {
  if (version == 311) return Op311(code);
  if (version == 312 || version == kVersion311Or312) return Op312(code);
  return Op310(code);
}

struct Insn {
  size_t offset;
  int opcode;
  uint32_t arg;
  OpInfo info;
};

// Walks wordcode with a version's table: instructions with EXTENDED_ARG folded in, cache units
// skipped. `strict`: a cache unit that is not 00 00, or opcode 0 outside a cache → error.
StatusOr<std::vector<Insn>> Walk(const std::string& code, int version, bool strict) {
  std::vector<Insn> out;
  uint32_t ext = 0;
  size_t i = 0;
  const size_t n = code.size() / 2;
  while (i < n) {
    const int opc = static_cast<uint8_t>(code[2 * i]);
    const uint32_t a = static_cast<uint8_t>(code[2 * i + 1]);
    OpInfo info = OpFor(version, opc);
    const uint32_t arg = (ext << 8) | a;
    if (info.op == kExtendedArg) {
      if (ext > 0xFFFF) return InvalidArgument("too many EXTENDED_ARG prefixes");
      ext = arg;
      ++i;
      continue;
    }
    if (strict && version >= 311 && opc == 0) return InvalidArgument("a CACHE unit outside an instruction's caches");
    out.push_back({2 * i, opc, arg, info});
    ext = 0;
    ++i;
    for (int k = 0; k < info.caches; ++k, ++i) {
      if (i >= n) return InvalidArgument("the bytecode ends inside an instruction's caches");
      if (strict && (code[2 * i] != 0 || code[2 * i + 1] != 0)) return InvalidArgument("a non-empty cache unit");
    }
  }
  return out;
}

bool HasOpcode(const std::vector<Insn>& v, std::initializer_list<int> codes) {
  for (const auto& in : v)
    for (int c : codes)
      if (in.opcode == c) return true;
  return false;
}

// D.6 step 4: 3.11 or 3.12 (or 3.13, refused) for a five-int code object with localsplus.
StatusOr<int> Version311Plus(const CodeObject& c) {
  const std::string& code = c.code;
  const size_t n = code.size() / 2;
  // Leading MAKE_CELL / COPY_FREE_VARS, then RESUME 0.
  bool is311_12 = false, is313 = false;
  {
    size_t i = 0;
    while (i < n && (static_cast<uint8_t>(code[2 * i]) == 0x87 ||
                     (static_cast<uint8_t>(code[2 * i]) == 0x95 && code[2 * i + 1] != 0)))
      ++i;
    if (i < n && static_cast<uint8_t>(code[2 * i]) == 0x97 && code[2 * i + 1] == 0) is311_12 = true;
  }
  {
    size_t i = 0;
    while (i < n && (static_cast<uint8_t>(code[2 * i]) == 0x5E || static_cast<uint8_t>(code[2 * i]) == 0x3E)) ++i;
    if (i < n && static_cast<uint8_t>(code[2 * i]) == 0x95 && code[2 * i + 1] == 0) is313 = true;
  }
  if (is313 && !is311_12)
    return Unimplemented("the function was written by CPython 3.13 or later, whose bytecode tflc does not read "
                         "(tflc reads " + std::string(kSupportedVersions) + ")");
  if (!is311_12)
    return Unimplemented("the function's bytecode is from an unrecognised Python version (a 3.11+ code object "
                         "layout without the 3.11/3.12 RESUME prologue); tflc reads " +
                         std::string(kSupportedVersions));
  auto w11 = Walk(code, 311, true);
  auto w12 = Walk(code, 312, true);
  const bool ok11 = w11.ok() && !HasOpcode(*w11, {121, 26, 173});
  const bool ok12 = w12.ok() && !HasOpcode(*w12, {166, 160});
  if (ok11 && w11.ok() && HasOpcode(*w11, {166, 160})) return 311;
  if (ok12 && w12.ok() && HasOpcode(*w12, {121, 26, 173})) return 312;
  // Both fit: no instruction whose caches differ (LOAD_GLOBAL, LOAD_ATTR, CALL, BINARY_SUBSCR,
  // COMPARE_OP...) occurs, and the ones used decode identically with either table (D.6 step 4).
  if (ok12 && ok11) return kVersion311Or312;
  if (ok12) return 312;
  if (ok11) return 311;
  return Unimplemented("the function's bytecode fits neither CPython 3.11 nor 3.12 (tflc reads " +
                       std::string(kSupportedVersions) + ")");
}

// D.1: on Windows tf.keras / Keras 3 store marshal.dumps(...).replace(b"\\", b"/"), so every
// 0x5C byte became 0x2F. Such a dump is recognised by its co_filename ("C:\\dir\\f.py" became
// "C:/dir/f.py"). Strings are unaffected in practice (names hold no backslash), but a 0x2F byte in
// the bytecode or in a numeric constant may have been 0x5C: refuse rather than guess.
bool HasSlashByte(const PyObj& o, int depth = 0) {
  if (depth > 64) return true;
  auto bytes_have = [](const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t k = 0; k < n; ++k)
      if (b[k] == 0x2F) return true;
    return false;
  };
  switch (o.kind) {
    case PyObj::kInt: {
      const int64_t v = o.i;
      return bytes_have(&v, sizeof v);
    }
    case PyObj::kFloat: case PyObj::kComplex: {
      const double v = o.f;
      return bytes_have(&v, sizeof v);
    }
    case PyObj::kStr: case PyObj::kBytes: return o.s.find('/') != std::string::npos;
    case PyObj::kTuple: case PyObj::kList: case PyObj::kSet: case PyObj::kDict:
      for (const auto& e : o.items)
        if (HasSlashByte(*e, depth + 1)) return true;
      return false;
    default: return false;
  }
}

Status CheckWindowsDump(const CodeObject& c) {
  const std::string& f = c.filename;
  const bool windows = (f.size() >= 3 && std::isalpha(static_cast<unsigned char>(f[0])) && f[1] == ':' && f[2] == '/') ||
                       f.rfind("//", 0) == 0;
  if (!windows) return OkStatus();
  bool suspect = c.code.find('/') != std::string::npos;
  for (const auto& k : c.consts) suspect = suspect || HasSlashByte(*k);
  if (!suspect) return OkStatus();
  return Unimplemented("the function was saved on Windows (co_filename '" + f +
                       "'), where Keras replaces every 0x5C byte of the code with 0x2F; its bytecode or constants "
                       "hold 0x2F bytes that may have been 0x5C, so it cannot be read reliably (save the model on "
                       "another system, or avoid the Lambda)");
}

}  // namespace

StatusOr<std::shared_ptr<const CodeObject>> ReadCodeObject(const std::string& d) {
  TFLC_ASSIGN_OR_RETURN(auto code, ReadCodeObjectUnchecked(d));
  TFLC_RETURN_IF_ERROR(CheckWindowsDump(*code));
  return code;
}

namespace {

StatusOr<std::shared_ptr<const CodeObject>> ReadCodeObjectUnchecked(const std::string& d) {
  if (d.size() < 30) return InvalidArgument("the function's marshal data is too short (" + std::to_string(d.size()) + " bytes)");
  const uint8_t b0 = static_cast<uint8_t>(d[0]);
  if (b0 != 0x63 && b0 != 0xE3)
    return InvalidArgument("the function's marshal data does not start with a code object (first byte 0x" +
                           [&] { std::ostringstream os; os << std::hex << int{b0}; return os.str(); }() + ")");
  const uint8_t b21 = static_cast<uint8_t>(d[21]);
  const uint8_t b25 = static_cast<uint8_t>(d[25]);
  if ((b21 & 0x7F) == 's') {
    // Five ints: 3.7 or 3.11+ (D.6 step 3): the layout that parses to the end.
    auto c311 = ParseWith(d, Layout::k311);
    auto c37 = ParseWith(d, Layout::k37);
    if (c311.ok() && c37.ok())
      return InvalidArgument("the function's code object parses both as CPython 3.7 and 3.11+; refusing to guess");
    if (c37.ok()) {
      auto c = std::make_shared<CodeObject>(**c37);
      c->version = 37;
      return std::shared_ptr<const CodeObject>(c);
    }
    if (!c311.ok()) {
      return InvalidArgument("the function's code object is neither a CPython 3.7 nor a 3.11+ one (" +
                             c311.status().message() + ")");
    }
    TFLC_ASSIGN_OR_RETURN(int v, Version311Plus(**c311));
    auto c = std::make_shared<CodeObject>(**c311);
    c->version = v;
    return std::shared_ptr<const CodeObject>(c);
  }
  if ((b25 & 0x7F) == 's') {
    TFLC_ASSIGN_OR_RETURN(auto c38, ParseWith(d, Layout::k38));
    auto c = std::make_shared<CodeObject>(*c38);
    // D.6 step 5: 3.10's linetable: even-indexed bytes sum to len(co_code).
    size_t sum = 0;
    for (size_t k = 0; k < c->linetable.size(); k += 2) sum += static_cast<uint8_t>(c->linetable[k]);
    c->version = (!c->linetable.empty() && sum == c->code.size()) ? 310 : 38;
    return std::shared_ptr<const CodeObject>(c);
  }
  return Unimplemented("the function's code object has an unrecognised layout (not CPython 3.7 to 3.13)" +
                       std::string(std::count(d.begin(), d.end(), '/') > 0
                                       ? "; if the model was saved on Windows, Keras replaced every 0x5C byte of "
                                         "the code with 0x2F and the code cannot be read back reliably"
                                       : ""));
}

}  // namespace

// ------------------------------------------------------------------------------ text

std::string PyRepr(const PyObj& o) {
  switch (o.kind) {
    case PyObj::kNone: return "None";
    case PyObj::kTrue: return "True";
    case PyObj::kFalse: return "False";
    case PyObj::kEllipsis: return "...";
    case PyObj::kStopIteration: return "StopIteration";
    case PyObj::kInt: return std::to_string(o.i);
    case PyObj::kFloat: {
      std::ostringstream os;
      os << o.f;
      std::string s = os.str();
      if (s.find_first_of(".eni") == std::string::npos) s += ".0";
      return s;
    }
    case PyObj::kComplex: return "<complex>";
    case PyObj::kStr: return "'" + o.s + "'";
    case PyObj::kBytes: return "b'...'";
    case PyObj::kTuple: case PyObj::kList: case PyObj::kSet: {
      std::string s = o.kind == PyObj::kList ? "[" : o.kind == PyObj::kSet ? "{" : "(";
      for (size_t k = 0; k < o.items.size(); ++k) s += (k ? ", " : "") + PyRepr(*o.items[k]);
      if (o.kind == PyObj::kTuple && o.items.size() == 1) s += ",";
      return s + (o.kind == PyObj::kList ? "]" : o.kind == PyObj::kSet ? "}" : ")");
    }
    case PyObj::kDict: return "{...}";
    case PyObj::kCode: return "<code " + (o.code ? o.code->name : std::string()) + ">";
  }
  return "?";
}

std::string DottedName(const Expr& e) {
  if (e.kind == Expr::kGlobal) return e.name;
  if (e.kind == Expr::kAttr && !e.args.empty()) {
    std::string base = DottedName(*e.args[0]);
    return base.empty() ? "" : base + "." + e.name;
  }
  return "";
}

std::string ExprText(const Expr& e) {
  auto join = [](const std::vector<ExprRef>& v, size_t from) {
    std::string s;
    for (size_t k = from; k < v.size(); ++k) s += (k > from ? ", " : "") + ExprText(*v[k]);
    return s;
  };
  switch (e.kind) {
    case Expr::kArg: case Expr::kFree: case Expr::kGlobal: return e.name;
    case Expr::kConst: return e.value ? PyRepr(*e.value) : "?";
    case Expr::kAttr: return ExprText(*e.args[0]) + "." + e.name;
    case Expr::kCall: {
      std::string s = ExprText(*e.args[0]) + "(";
      const size_t nargs = e.args.size() - 1, nkw = e.kwnames.size();
      for (size_t k = 1; k < e.args.size(); ++k) {
        s += k > 1 ? ", " : "";
        if (k - 1 >= nargs - nkw) s += e.kwnames[k - 1 - (nargs - nkw)] + "=";
        s += ExprText(*e.args[k]);
      }
      return s + ")";
    }
    case Expr::kBinary: return "(" + ExprText(*e.args[0]) + " " + e.op + " " + ExprText(*e.args[1]) + ")";
    case Expr::kUnary: return e.op + ExprText(*e.args[0]);
    case Expr::kSubscr: return ExprText(*e.args[0]) + "[" + ExprText(*e.args[1]) + "]";
    case Expr::kSlice: {
      auto part = [](const Expr& p) { return p.kind == Expr::kConst && p.value && p.value->kind == PyObj::kNone ? std::string() : ExprText(p); };
      std::string s = part(*e.args[0]) + ":" + part(*e.args[1]);
      if (e.args.size() > 2 && !part(*e.args[2]).empty()) s += ":" + part(*e.args[2]);
      return s;
    }
    case Expr::kTuple: return "(" + join(e.args, 0) + (e.args.size() == 1 ? ",)" : ")");
    case Expr::kList: return "[" + join(e.args, 0) + "]";
  }
  return "?";
}

std::string ReferencedNames(const CodeObject& code) {
  std::string s;
  std::set<std::string> seen;
  auto add = [&](const std::string& n) {
    if (!seen.insert(n).second) return;
    s += (s.empty() ? "" : ", ") + n;
  };
  for (const auto& n : code.names) add(n);
  for (const auto& n : code.freevars) add(n + " (closure)");
  for (const auto& c : code.consts)
    if (c->kind == PyObj::kCode && c->code)
      for (const auto& n : c->code->names) add(n);
  return s.empty() ? "(none)" : s;
}

// ------------------------------------------------------------------------------ decoding

namespace {

ExprRef Null() {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::kConst;
  e->op = "NULL";  // the NULL a call pops beside the callable
  return e;
}
bool IsNull(const ExprRef& e) { return e->kind == Expr::kConst && e->op == "NULL"; }

ExprRef ConstExpr(const PyRef& v) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::kConst;
  e->value = v;
  return e;
}

ExprRef Make(Expr::Kind k, std::vector<ExprRef> args, const std::string& name = "", const std::string& op = "") {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->args = std::move(args);
  e->name = name;
  e->op = op;
  for (const auto& a : e->args) e->depth = std::max(e->depth, a->depth + 1);
  return e;
}

const char* BinaryOpSymbol(uint32_t arg) {
  // NB_* of Include/internal/pycore_opcode.h (3.11/3.12): 0 +, 2 //, 4 @, 5 *, 6 %, 8 **, 10 -, 11 /.
  switch (arg) {
    case 0: return "+";
    case 2: return "//";
    case 4: return "@";
    case 5: return "*";
    case 6: return "%";
    case 8: return "**";
    case 10: return "-";
    case 11: return "/";
    default: return nullptr;
  }
}

const char* kCmpOps[] = {"<", "<=", "==", "!=", ">", ">="};

// Names of instructions lambdas outside the subset commonly use (for refusals); Lib/opcode.py.
const char* RefusedOpName(int v, int opcode) {
  if (v <= 310) {
    switch (opcode) {
      case 110: return "JUMP_FORWARD";
      case 111: return "JUMP_IF_FALSE_OR_POP";
      case 112: return "JUMP_IF_TRUE_OR_POP";
      case 114: return "POP_JUMP_IF_FALSE";
      case 115: return "POP_JUMP_IF_TRUE";
      case 132: return "MAKE_FUNCTION";
      case 68: return "GET_ITER";
      case 93: return "FOR_ITER";
      case 125: return "STORE_FAST";
      case 92: return "UNPACK_SEQUENCE";
      case 4: return "DUP_TOP";
      case 2: return "ROT_TWO";
      case 3: return "ROT_THREE";
      default: return nullptr;
    }
  }
  switch (opcode) {
    case 110: return "JUMP_FORWARD";
    case 111: return v == 311 ? "JUMP_IF_FALSE_OR_POP" : nullptr;
    case 114: return v == 311 ? "POP_JUMP_FORWARD_IF_FALSE" : "POP_JUMP_IF_FALSE";
    case 115: return v == 311 ? "POP_JUMP_FORWARD_IF_TRUE" : "POP_JUMP_IF_TRUE";
    case 132: return "MAKE_FUNCTION";
    case 68: return "GET_ITER";
    case 93: return "FOR_ITER";
    case 125: return "STORE_FAST";
    case 143: return v == 311 ? nullptr : "LOAD_FAST_AND_CLEAR";
    case 120: return "COPY";
    case 99: return "SWAP";
    default: return nullptr;
  }
}

}  // namespace

StatusOr<ExprRef> DecodeExpression(const CodeObject& c) {
  const int v = c.version;
  if (v != 37 && v != 38 && v != 310 && v != 311 && v != 312 && v != kVersion311Or312)
    return Unimplemented("bytecode of Python " + VersionName(v) + " is not read (tflc reads " + kSupportedVersions + ")");
  if (c.flags & 0x20) return Unimplemented("the function is a generator");
  if (c.flags & 0x80 || c.flags & 0x100 || c.flags & 0x200) return Unimplemented("the function is a coroutine");
  TFLC_ASSIGN_OR_RETURN(std::vector<Insn> insns, Walk(c.code, v, false));
  const int nparams = c.argcount + c.kwonlyargcount;
  std::vector<ExprRef> st;
  std::vector<std::string> kwnames;  // 3.11/3.12 KW_NAMES
  auto fail = [&](const Insn& in, const std::string& why) {
    const char* n = RefusedOpName(v, in.opcode);
    return Unimplemented("instruction at byte " + std::to_string(in.offset) + " (" +
                         (n ? std::string(n) : "opcode " + std::to_string(in.opcode)) + "): " + why);
  };
  auto pop = [&](const Insn& in) -> StatusOr<ExprRef> {
    if (st.empty()) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + " pops an empty stack");
    ExprRef e = st.back();
    st.pop_back();
    return e;
  };
  auto popn = [&](const Insn& in, uint32_t n) -> StatusOr<std::vector<ExprRef>> {
    if (n > st.size()) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + " pops an empty stack");
    std::vector<ExprRef> out(st.end() - n, st.end());
    st.resize(st.size() - n);
    for (const auto& e : out)
      if (IsNull(e)) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + " uses a NULL");
    return out;
  };
  auto name_at = [&](const Insn& in, uint32_t i) -> StatusOr<std::string> {
    if (i >= c.names.size()) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + ": name index out of range");
    return c.names[i];
  };
  auto const_at = [&](const Insn& in, uint32_t i) -> StatusOr<PyRef> {
    if (i >= c.consts.size()) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + ": constant index out of range");
    return c.consts[i];
  };
  auto kw_tuple = [&](const Insn& in, const PyRef& t) -> StatusOr<std::vector<std::string>> {
    if (t->kind != PyObj::kTuple) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + ": keyword names are not a tuple");
    std::vector<std::string> out;
    for (const auto& e : t->items) {
      if (e->kind != PyObj::kStr) return InvalidArgument("keyword names are not strings");
      out.push_back(e->s);
    }
    return out;
  };
  auto make_call = [&](const Insn& in, ExprRef fn, std::vector<ExprRef> args, std::vector<std::string> kw) -> Status {
    if (kw.size() > args.size()) return InvalidArgument("instruction at byte " + std::to_string(in.offset) + ": more keywords than arguments");
    auto e = std::make_shared<Expr>();
    e->kind = Expr::kCall;
    e->args.push_back(fn);
    for (auto& a : args) e->args.push_back(a);
    e->kwnames = std::move(kw);
    for (const auto& x : e->args) e->depth = std::max(e->depth, x->depth + 1);
    st.push_back(e);
    return OkStatus();
  };
  auto free_index = [&](const Insn& in, uint32_t arg) -> StatusOr<std::pair<std::string, int>> {
    if (v >= 311) {
      if (arg >= c.localsplus.size()) return InvalidArgument("LOAD_DEREF index out of range");
      if (!(static_cast<uint8_t>(c.localspluskinds[arg]) & 0x80))
        return fail(in, "reads a cell variable of the function itself (an inner function or comprehension)");
      int k = 0;
      for (uint32_t j = 0; j < arg; ++j)
        if (static_cast<uint8_t>(c.localspluskinds[j]) & 0x80) ++k;
      return std::make_pair(c.localsplus[arg], k);
    }
    if (arg < c.cellvars.size()) return fail(in, "reads a cell variable of the function itself (an inner function)");
    const size_t k = arg - c.cellvars.size();
    if (k >= c.freevars.size()) return InvalidArgument("LOAD_DEREF index out of range");
    return std::make_pair(c.freevars[k], static_cast<int>(k));
  };

  for (size_t ii = 0; ii < insns.size(); ++ii) {
    const Insn& in = insns[ii];
    const uint32_t a = in.arg;
    switch (in.info.op) {
      case kNop: case kResume: case kCopyFreeVars: case kMakeCell: case kPrecall: break;
      case kPushNull: st.push_back(Null()); break;
      case kLoadFast: {
        const std::vector<std::string>& vars = v >= 311 ? c.localsplus : c.varnames;
        if (a >= vars.size()) return InvalidArgument("LOAD_FAST index out of range");
        // ≤3.10 varnames and 3.11+ localsplus both start with the parameters.
        if (static_cast<int>(a) >= nparams) return fail(in, "reads the local variable '" + vars[a] + "' (only one expression over the arguments is read)");
        auto e = Make(Expr::kArg, {}, vars[a]);
        std::const_pointer_cast<Expr>(e)->index = static_cast<int>(a);
        st.push_back(e);
        break;
      }
      case kLoadConst: {
        TFLC_ASSIGN_OR_RETURN(PyRef k, const_at(in, a));
        if (k->kind == PyObj::kCode) return fail(in, "defines a nested function or comprehension");
        st.push_back(ConstExpr(k));
        break;
      }
      case kLoadGlobal: {
        uint32_t ni = a;
        bool push_null = false;
        if (v >= 311) {
          ni = a >> 1;
          push_null = (a & 1) != 0;
        }
        TFLC_ASSIGN_OR_RETURN(std::string n, name_at(in, ni));
        if (push_null) st.push_back(Null());
        st.push_back(Make(Expr::kGlobal, {}, n));
        break;
      }
      case kLoadAttr: {
        uint32_t ni = a;
        bool method = false;
        if (v == 312) {
          ni = a >> 1;
          method = (a & 1) != 0;
        }
        TFLC_ASSIGN_OR_RETURN(std::string n, name_at(in, ni));
        TFLC_ASSIGN_OR_RETURN(ExprRef o, pop(in));
        if (IsNull(o)) return InvalidArgument("LOAD_ATTR on NULL");
        if (method) st.push_back(Null());
        st.push_back(Make(Expr::kAttr, {o}, n));
        break;
      }
      case kLoadMethod: {
        TFLC_ASSIGN_OR_RETURN(std::string n, name_at(in, a));
        TFLC_ASSIGN_OR_RETURN(ExprRef o, pop(in));
        if (IsNull(o)) return InvalidArgument("LOAD_METHOD on NULL");
        st.push_back(Null());
        st.push_back(Make(Expr::kAttr, {o}, n));
        break;
      }
      case kLoadDeref: {
        TFLC_ASSIGN_OR_RETURN(auto fi, free_index(in, a));
        auto e = Make(Expr::kFree, {}, fi.first);
        std::const_pointer_cast<Expr>(e)->index = fi.second;
        st.push_back(e);
        break;
      }
      case kCallFunction: case kCallFunctionKw: {
        std::vector<std::string> kw;
        if (in.info.op == kCallFunctionKw) {
          TFLC_ASSIGN_OR_RETURN(ExprRef names, pop(in));
          if (names->kind != Expr::kConst || !names->value) return fail(in, "keyword names are not a constant");
          TFLC_ASSIGN_OR_RETURN(kw, kw_tuple(in, names->value));
        }
        TFLC_ASSIGN_OR_RETURN(auto args, popn(in, a));
        TFLC_ASSIGN_OR_RETURN(ExprRef fn, pop(in));
        if (IsNull(fn)) return InvalidArgument("call of NULL");
        TFLC_RETURN_IF_ERROR(make_call(in, fn, std::move(args), std::move(kw)));
        break;
      }
      case kCallMethod: case kCall: {
        TFLC_ASSIGN_OR_RETURN(auto args, popn(in, a));
        TFLC_ASSIGN_OR_RETURN(ExprRef f1, pop(in));
        TFLC_ASSIGN_OR_RETURN(ExprRef f0, pop(in));
        ExprRef fn;
        if (IsNull(f0) && !IsNull(f1)) fn = f1;
        else if (IsNull(f1) && !IsNull(f0)) fn = f0;
        else if (!IsNull(f0) && !IsNull(f1)) {
          // [callable, self]: a method of a value that is not a module (e.g. x.sum()); refused by the evaluator.
          args.insert(args.begin(), f1);
          fn = f0;
        } else {
          return InvalidArgument("call of NULL");
        }
        TFLC_RETURN_IF_ERROR(make_call(in, fn, std::move(args), in.info.op == kCall ? kwnames : std::vector<std::string>{}));
        kwnames.clear();
        break;
      }
      case kKwNames: {
        TFLC_ASSIGN_OR_RETURN(PyRef t, const_at(in, a));
        TFLC_ASSIGN_OR_RETURN(kwnames, kw_tuple(in, t));
        break;
      }
      case kBinaryOp: case kBinary: {
        const char* sym = in.info.op == kBinary ? in.info.bin : BinaryOpSymbol(a);
        if (!sym) return fail(in, "an in-place or unknown binary operator (" + std::to_string(a) + ")");
        TFLC_ASSIGN_OR_RETURN(auto ab, popn(in, 2));
        st.push_back(Make(Expr::kBinary, ab, "", sym));
        break;
      }
      case kCompareOp: {
        const uint32_t idx = v == 312 ? (a >> 4) : a;
        if (idx >= 6) return fail(in, "an unknown comparison (" + std::to_string(a) + ")");
        TFLC_ASSIGN_OR_RETURN(auto ab, popn(in, 2));
        st.push_back(Make(Expr::kBinary, ab, "", kCmpOps[idx]));
        break;
      }
      case kBinarySubscr: {
        TFLC_ASSIGN_OR_RETURN(auto ab, popn(in, 2));
        st.push_back(Make(Expr::kSubscr, ab));
        break;
      }
      case kBinarySlice: {
        TFLC_ASSIGN_OR_RETURN(auto xs, popn(in, 3));
        auto none = std::make_shared<PyObj>();
        auto sl = Make(Expr::kSlice, {xs[1], xs[2], ConstExpr(none)});
        st.push_back(Make(Expr::kSubscr, {xs[0], sl}));
        break;
      }
      case kBuildSlice: {
        if (a != 2 && a != 3) return InvalidArgument("BUILD_SLICE with " + std::to_string(a) + " items");
        TFLC_ASSIGN_OR_RETURN(auto xs, popn(in, a));
        if (a == 2) xs.push_back(ConstExpr(std::make_shared<PyObj>()));
        st.push_back(Make(Expr::kSlice, xs));
        break;
      }
      case kBuildTuple: case kBuildList: {
        TFLC_ASSIGN_OR_RETURN(auto xs, popn(in, a));
        st.push_back(Make(in.info.op == kBuildTuple ? Expr::kTuple : Expr::kList, xs));
        break;
      }
      case kListExtend: {
        TFLC_ASSIGN_OR_RETURN(ExprRef it, pop(in));
        if (a < 1 || a > st.size()) return InvalidArgument("LIST_EXTEND index out of range");
        ExprRef& target = st[st.size() - a];
        if (target->kind != Expr::kList) return fail(in, "LIST_EXTEND of a non-list");
        auto nl = std::make_shared<Expr>(*target);
        if (it->kind == Expr::kConst && it->value && it->value->kind == PyObj::kTuple) {
          for (const auto& item : it->value->items) nl->args.push_back(ConstExpr(item));
        } else if (it->kind == Expr::kTuple || it->kind == Expr::kList) {
          for (const auto& item : it->args) nl->args.push_back(item);
        } else {
          return fail(in, "unpacks a value into a list ([*x])");
        }
        for (const auto& x : nl->args) nl->depth = std::max(nl->depth, x->depth + 1);
        target = nl;
        break;
      }
      case kListToTuple: {
        TFLC_ASSIGN_OR_RETURN(ExprRef l, pop(in));
        if (l->kind != Expr::kList) return fail(in, "LIST_TO_TUPLE of a non-list");
        st.push_back(Make(Expr::kTuple, l->args));
        break;
      }
      case kUnaryNegative: case kUnaryPositive: {
        TFLC_ASSIGN_OR_RETURN(auto x, popn(in, 1));
        st.push_back(Make(Expr::kUnary, x, "", in.info.op == kUnaryNegative ? "-" : "+"));
        break;
      }
      case kIntrinsic1: {
        if (a != 5) return fail(in, "CALL_INTRINSIC_1 " + std::to_string(a) + " (only unary + is read)");
        TFLC_ASSIGN_OR_RETURN(auto x, popn(in, 1));
        st.push_back(Make(Expr::kUnary, x, "", "+"));
        break;
      }
      case kReturnValue: case kReturnConst: {
        ExprRef r;
        if (in.info.op == kReturnConst) {
          TFLC_ASSIGN_OR_RETURN(PyRef k, const_at(in, a));
          r = ConstExpr(k);
        } else {
          TFLC_ASSIGN_OR_RETURN(r, pop(in));
          if (IsNull(r)) return InvalidArgument("returns NULL");
        }
        if (!st.empty() || ii + 1 != insns.size())
          return fail(in, "returns before the end of the code (control flow is not read)");
        return r;
      }
      case kExtendedArg: break;
      case kUnknown:
        return fail(in, "an instruction outside the one-expression subset tflc reads (jumps, conditionals, "
                        "comprehensions, local variables, unpacking, ... are not read)");
    }
    if (!st.empty() && st.back()->depth > kMaxExprDepth)
      return fail(in, "the expression is nested more than " + std::to_string(kMaxExprDepth) + " levels deep");
    if (st.size() > 10000) return fail(in, "the expression is too large");
  }
  return InvalidArgument("the bytecode ends without RETURN_VALUE");
}

}  // namespace tflc::keras::pycode
