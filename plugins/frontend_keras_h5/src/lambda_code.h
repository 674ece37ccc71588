// Keras Lambda layers: the marshalled CPython code object of the layer's function (KERAS.md D),
// read without Python. Three steps, each bounds-checked (bad bytes give an error, never a crash):
//   1. ReadCodeObject: base64 → marshal (D.3) → code object (D.4), with the CPython version told
//      from the layout and the bytecode (D.6). 3.7–3.12 are read; 3.13 and anything unrecognised
//      is refused, never guessed.
//   2. DecodeExpression: a one-expression function (straight-line bytecode, no jumps) → an
//      expression tree by symbolic execution of the stack (D.5).
//   3. The Lambda converter (layers_lambda.cc) evaluates the tree into TF ops.
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAMBDA_CODE_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAMBDA_CODE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tflc/sdk/status.h"

namespace tflc::keras::pycode {

struct CodeObject;

// A marshalled Python value (only the kinds that occur in code objects).
struct PyObj {
  enum Kind { kNone, kTrue, kFalse, kEllipsis, kStopIteration, kInt, kFloat, kComplex, kStr, kBytes, kTuple, kList,
              kSet, kDict, kCode };
  Kind kind = kNone;
  int64_t i = 0;        // kInt (big ints that do not fit are refused)
  double f = 0;         // kFloat
  std::string s;        // kStr (UTF-8), kBytes
  std::vector<std::shared_ptr<const PyObj>> items;  // kTuple, kList, kSet; kDict: key, value, ...
  std::shared_ptr<const CodeObject> code;           // kCode
};
using PyRef = std::shared_ptr<const PyObj>;

// Python's repr-like text of a constant (for messages).
std::string PyRepr(const PyObj& o);

struct CodeObject {
  int version = 0;  // 37, 38 (3.8 or 3.9), 310, 311, 312, kVersion311Or312 — see VersionName
  int32_t argcount = 0, posonlyargcount = 0, kwonlyargcount = 0, flags = 0;
  std::string code;  // co_code (wordcode)
  std::vector<PyRef> consts;
  std::vector<std::string> names;     // co_names
  std::vector<std::string> varnames;  // arguments first, then locals
  std::vector<std::string> cellvars;
  std::vector<std::string> freevars;  // the closure's cells, in the order of the stored closure list
  // 3.11+: co_localsplusnames / kinds (0x20 local, 0x40 cell, 0x80 free); empty before.
  std::vector<std::string> localsplus;
  std::string localspluskinds;
  std::string name, qualname, filename;
  std::string linetable;  // lnotab (≤3.9) / co_linetable
};

// Bytecode that 3.11 and 3.12 would both have written identically (no instruction whose number,
// caches or meaning differ between them).
constexpr int kVersion311Or312 = 3112;

// "3.7", "3.8 or 3.9", "3.10", "3.11", "3.12", "3.11 or 3.12".
std::string VersionName(int version);
// The versions read (for messages): "CPython 3.7 to 3.12".
extern const char kSupportedVersions[];

// Decodes base64 (MIME style: newlines and spaces are skipped).
StatusOr<std::string> Base64Decode(const std::string& text);

// Parses marshal data holding one code object (the whole string) and tells its Python version.
StatusOr<std::shared_ptr<const CodeObject>> ReadCodeObject(const std::string& marshal_bytes);

// ----------------------------------------------------------------------- expression tree

struct Expr;
using ExprRef = std::shared_ptr<const Expr>;

struct Expr {
  enum Kind {
    kArg,      // a parameter of the function: name, index (position among the parameters)
    kConst,    // constant: value
    kFree,     // a closure variable: name, index into the stored closure list
    kGlobal,   // a module-level name: name
    kAttr,     // args[0].name
    kCall,     // args[0] = callable, args[1..] positional; kwnames: keywords of the last kwnames.size() args
    kBinary,   // args[0] op args[1]; op: "+", "-", "*", "/", "//", "%", "**", "@", "<", "<=", "==", "!=", ">", ">="
    kUnary,    // op ("-", "+") args[0]
    kSubscr,   // args[0][args[1]]
    kSlice,    // slice(args[0], args[1], args[2])
    kTuple,    // (args...)
    kList,     // [args...]
  };
  Kind kind = kConst;
  std::string name;
  std::string op;
  int index = 0;
  PyRef value;
  std::vector<ExprRef> args;
  std::vector<std::string> kwnames;
  int depth = 1;  // 1 + the deepest argument (decoding refuses trees deeper than kMaxExprDepth)
};

constexpr int kMaxExprDepth = 200;

// Text of an expression ("tf.clip_by_value(x, -4, 4)"), for messages.
std::string ExprText(const Expr& e);

// Dotted name of a global/attribute chain ("tf.nn.relu6"), or "" when it is not one.
std::string DottedName(const Expr& e);

// The names the code refers to (globals and attributes of co_names, closure variables), for
// refusals: "tf, clip_by_value".
std::string ReferencedNames(const CodeObject& code);

// Decodes a one-expression function into the returned expression. Refuses (UNIMPLEMENTED, the
// message names the instruction) anything else: jumps, loops, comprehensions, local variables...
StatusOr<ExprRef> DecodeExpression(const CodeObject& code);

}  // namespace tflc::keras::pycode

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAMBDA_CODE_H_
