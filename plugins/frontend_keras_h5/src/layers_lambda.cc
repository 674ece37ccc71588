// Keras Lambda layers: the function's marshalled bytecode (KERAS.md D) is decoded into one
// expression (lambda_code.cc) and evaluated here into the TF ops TF's tensors would trace: every
// call of a supported function and every Python operator runs one entry of the TF-op layer table
// (layers_tfop.cc, RunTfFunction) on a synthetic call whose tensors are the layer's inputs and the
// expression's intermediate results.
//
// Names: `tf.X` / `tf.math.X` / `tf.nn.X` / `tf.linalg.X` / `tf.image.resize` are the TF-op table's
// names; `K.X` / `keras.backend.X` (tf.keras backend) and `keras.ops.X` / `ops.X` (Keras 3) are
// mapped to their TF equivalents with their own parameter names and defaults (kKerasFunctions).
// Python operators on tensors call what tf.Tensor's operators call (`+` → __operators__.add,
// `-` → math.subtract, `x[...]` → __operators__.getitem, ...).
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "lambda_code.h"
#include "layers.h"

namespace tflc::keras {

namespace {

using pycode::Expr;
using pycode::ExprRef;
using pycode::PyObj;

const char kRoutes[] =
    "a .h5/.keras holds no layer code; replace the Lambda with stock layers or tf.* calls tflc supports "
    "(docs/keras-layers.md, \"Lambda layers\"), or export a SavedModel (model.export(\"dir\") in Keras 3, "
    "tf.saved_model.save(model, \"dir\") in tf.keras) and convert it with --saved_model_dir";

// A value while evaluating the expression.
struct Val {
  enum Kind { kTensor, kConst, kSeq, kPath, kSlice };
  Kind kind = kConst;
  size_t tensor = 0;      // kTensor: index into the evaluator's tensors
  Json c;                 // kConst: number / bool / null / string / list / Keras array; kSlice: {start, stop, step}
  std::vector<Val> items; // kSeq (a Python list or tuple)
  bool is_tuple = false;
  std::string path;       // kPath: a module or function name ("tf.nn.relu6")
};

Val Const(Json j) {
  Val v;
  v.kind = Val::kConst;
  v.c = std::move(j);
  return v;
}

// ------------------------------------------------------------------- Keras function table

// A tf.keras backend / Keras 3 ops function with its TF equivalent. Parameters are matched by
// position or keyword in Keras order, missing ones take `defaults` (JSON: one entry per
// parameter after the first; "R" = required, "-" = leave out), then passed to the TF function
// under `tf_params` (the first positionally).
struct KerasFn {
  const char* name;
  const char* tf;  // TF-op table name; "" = handled in code (Special)
  const char* params;
  const char* tf_params;
  const char* defaults;  // JSON array
};

// tf.keras backend (keras/backend.py of tf.keras 2.x).
constexpr KerasFn kBackend[] = {
    {"abs", "math.abs", "x", "x", "[]"},
    {"argmax", "math.argmax", "x,axis", "input,axis", "[-1]"},
    {"argmin", "math.argmin", "x,axis", "input,axis", "[-1]"},
    {"batch_flatten", "", "x", "x", "[]"},
    {"cast", "cast", "x,dtype", "x,dtype", "[\"R\"]"},
    {"clip", "", "x,min_value,max_value", "t,clip_value_min,clip_value_max", "[\"R\",\"R\"]"},
    {"concatenate", "concat", "tensors,axis", "values,axis", "[-1]"},
    {"cos", "math.cos", "x", "x", "[]"},
    {"cumsum", "math.cumsum", "x,axis", "x,axis", "[0]"},
    {"elu", "", "x,alpha", "features,alpha", "[1.0]"},
    {"exp", "math.exp", "x", "x", "[]"},
    {"expand_dims", "expand_dims", "x,axis", "input,axis", "[-1]"},
    {"flatten", "", "x", "x", "[]"},
    {"l2_normalize", "linalg.l2_normalize", "x,axis", "x,axis", "[null]"},
    {"log", "math.log", "x", "x", "[]"},
    {"max", "math.reduce_max", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"maximum", "math.maximum", "x,y", "x,y", "[\"R\"]"},
    {"mean", "math.reduce_mean", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"min", "math.reduce_min", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"minimum", "math.minimum", "x,y", "x,y", "[\"R\"]"},
    {"permute_dimensions", "transpose", "x,pattern", "a,perm", "[\"R\"]"},
    {"pow", "math.pow", "x,a", "x,y", "[\"R\"]"},
    {"prod", "math.reduce_prod", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"relu", "", "x,alpha,max_value,threshold", "features,alpha,max_value,threshold", "[0.0,null,0.0]"},
    {"reshape", "reshape", "x,shape", "tensor,shape", "[\"R\"]"},
    {"round", "math.round", "x", "x", "[]"},
    {"sigmoid", "math.sigmoid", "x", "x", "[]"},
    {"sin", "math.sin", "x", "x", "[]"},
    {"softmax", "nn.softmax", "x,axis", "logits,axis", "[-1]"},
    {"softplus", "math.softplus", "x", "features", "[]"},
    {"softsign", "nn.softsign", "x", "features", "[]"},
    {"sqrt", "", "x", "x", "[]"},
    {"square", "math.square", "x", "x", "[]"},
    {"squeeze", "squeeze", "x,axis", "input,axis", "[\"R\"]"},
    {"stack", "stack", "x,axis", "values,axis", "[0]"},
    {"std", "math.reduce_std", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"sum", "math.reduce_sum", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"tanh", "nn.tanh", "x", "x", "[]"},
    {"tile", "tile", "x,n", "input,multiples", "[\"R\"]"},
    {"transpose", "transpose", "x", "a", "[]"},
    {"var", "math.reduce_variance", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
};

// Keras 3 keras.ops (keras/src/ops/*.py signatures).
constexpr KerasFn kOps[] = {
    {"abs", "math.abs", "x", "x", "[]"},
    {"absolute", "math.abs", "x", "x", "[]"},
    {"add", "__operators__.add", "x1,x2", "x,y", "[\"R\"]"},
    {"cast", "cast", "x,dtype", "x,dtype", "[\"R\"]"},
    {"ceil", "math.ceil", "x", "x", "[]"},
    {"clip", "clip_by_value", "x,x_min,x_max", "t,clip_value_min,clip_value_max", "[\"R\",\"R\"]"},
    {"concatenate", "concat", "xs,axis", "values,axis", "[0]"},
    {"cos", "math.cos", "x", "x", "[]"},
    {"divide", "math.truediv", "x1,x2", "x,y", "[\"R\"]"},
    {"elu", "", "x,alpha", "features,alpha", "[1.0]"},
    {"exp", "math.exp", "x", "x", "[]"},
    {"expand_dims", "expand_dims", "x,axis", "input,axis", "[\"R\"]"},
    {"floor", "math.floor", "x", "x", "[]"},
    {"gelu", "nn.gelu", "x,approximate", "features,approximate", "[true]"},
    {"leaky_relu", "nn.leaky_relu", "x,negative_slope", "features,alpha", "[0.2]"},
    {"log", "math.log", "x", "x", "[]"},
    {"log_softmax", "nn.log_softmax", "x,axis", "logits,axis", "[-1]"},
    {"matmul", "matmul", "x1,x2", "a,b", "[\"R\"]"},
    {"max", "math.reduce_max", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"maximum", "math.maximum", "x1,x2", "x,y", "[\"R\"]"},
    {"mean", "math.reduce_mean", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"min", "math.reduce_min", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"minimum", "math.minimum", "x1,x2", "x,y", "[\"R\"]"},
    {"multiply", "math.multiply", "x1,x2", "x,y", "[\"R\"]"},
    {"negative", "math.negative", "x", "x", "[]"},
    {"power", "math.pow", "x1,x2", "x,y", "[\"R\"]"},
    {"prod", "math.reduce_prod", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"reciprocal", "math.reciprocal", "x", "x", "[]"},
    {"relu", "nn.relu", "x", "features", "[]"},
    {"relu6", "nn.relu6", "x", "features", "[]"},
    {"reshape", "reshape", "x,newshape", "tensor,shape", "[\"R\"]"},
    {"round", "math.round", "x", "x", "[]"},
    {"rsqrt", "math.rsqrt", "x", "x", "[]"},
    {"selu", "nn.selu", "x", "features", "[]"},
    {"sigmoid", "math.sigmoid", "x", "x", "[]"},
    {"silu", "nn.silu", "x", "features", "[]"},
    {"sin", "math.sin", "x", "x", "[]"},
    {"softmax", "nn.softmax", "x,axis", "logits,axis", "[-1]"},
    {"softplus", "math.softplus", "x", "features", "[]"},
    {"sqrt", "math.sqrt", "x", "x", "[]"},
    {"square", "math.square", "x", "x", "[]"},
    {"squeeze", "squeeze", "x,axis", "input,axis", "[null]"},
    {"stack", "stack", "x,axis", "values,axis", "[0]"},
    {"subtract", "math.subtract", "x1,x2", "x,y", "[\"R\"]"},
    {"sum", "math.reduce_sum", "x,axis,keepdims", "input_tensor,axis,keepdims", "[null,false]"},
    {"swish", "nn.silu", "x", "features", "[]"},
    {"tanh", "nn.tanh", "x", "x", "[]"},
    {"tile", "tile", "x,repeats", "input,multiples", "[\"R\"]"},
    {"transpose", "transpose", "x,axes", "a,perm", "[null]"},
    {"true_divide", "math.truediv", "x1,x2", "x,y", "[\"R\"]"},
};

// keras.activations / tf.keras.activations (both Keras versions), default arguments only beyond
// softmax's axis (Keras 2 and 3 name the other parameters differently).
constexpr KerasFn kActivations[] = {
    {"elu", "nn.elu", "x", "features", "[]"},
    {"exponential", "math.exp", "x", "x", "[]"},
    {"gelu", "nn.gelu", "x", "features", "[]"},
    {"linear", "identity", "x", "input", "[]"},
    {"relu", "nn.relu", "x", "features", "[]"},
    {"relu6", "nn.relu6", "x", "features", "[]"},
    {"selu", "nn.selu", "x", "features", "[]"},
    {"sigmoid", "math.sigmoid", "x", "x", "[]"},
    {"silu", "nn.silu", "x", "features", "[]"},
    {"softmax", "nn.softmax", "x,axis", "logits,axis", "[-1]"},
    {"softplus", "math.softplus", "x", "features", "[]"},
    {"softsign", "nn.softsign", "x", "features", "[]"},
    {"swish", "nn.silu", "x", "features", "[]"},
    {"tanh", "nn.tanh", "x", "x", "[]"},
};

std::vector<std::string> Split(const char* s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char* p = s; *p; ++p) {
    if (*p == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(*p);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

template <size_t N>
const KerasFn* FindIn(const KerasFn (&table)[N], const std::string& name) {
  for (const auto& f : table)
    if (name == f.name) return &f;
  return nullptr;
}

// Which family a dotted name belongs to, and the function's name inside it.
enum class Family { kTf, kBackend, kOps, kActivations, kUnknown };

Family Classify(const std::string& path, std::string* rest) {
  static const std::pair<const char*, Family> kPrefixes[] = {
      {"tf.keras.activations.", Family::kActivations}, {"keras.activations.", Family::kActivations},
      {"activations.", Family::kActivations},
      {"tf.keras.backend.", Family::kBackend}, {"tensorflow.keras.backend.", Family::kBackend},
      {"keras.backend.", Family::kBackend},    {"K.", Family::kBackend},
      {"backend.", Family::kBackend},          {"keras.ops.", Family::kOps},
      {"keras.src.ops.", Family::kOps},        {"ops.", Family::kOps},
      {"tf.", Family::kTf},                    {"tensorflow.", Family::kTf},
  };
  for (const auto& [p, fam] : kPrefixes) {
    const std::string pre = p;
    if (path.rfind(pre, 0) == 0) {
      *rest = path.substr(pre.size());
      if (fam == Family::kTf && rest->rfind("keras.", 0) == 0) return Family::kUnknown;
      return fam;
    }
  }
  return Family::kUnknown;
}

// `tf.float32`, `tf.dtypes.int32`, `np.float32` used as a value: the dtype's name.
std::string DtypeName(const std::string& path) {
  static const char* kDtypes[] = {"float16", "float32", "float64", "bfloat16", "int8", "int16",
                                  "int32", "int64", "uint8", "bool"};
  for (const char* prefix : {"tf.", "tf.dtypes.", "np.", "numpy.", "tensorflow."}) {
    const std::string p = prefix;
    if (path.rfind(p, 0) != 0) continue;
    const std::string rest = path.substr(p.size());
    for (const char* d : kDtypes)
      if (rest == d) return rest;
  }
  return "";
}

// ------------------------------------------------------------------------- the evaluator

class LambdaEval {
 public:
  LambdaEval(LayerContext& ctx, Json closure) : ctx_(ctx), closure_(std::move(closure)), tensors_(ctx.tensors()) {}

  std::vector<Val>& bindings() { return bindings_; }
  std::vector<Tensor>& tensors() { return tensors_; }

  Val TensorVal(size_t i) {
    Val v;
    v.kind = Val::kTensor;
    v.tensor = i;
    return v;
  }

  StatusOr<Val> Eval(const Expr& e) {
    if (++steps_ > 10000) return Unimplemented("the expression is too large");
    switch (e.kind) {
      case Expr::kArg:
        if (e.index < 0 || static_cast<size_t>(e.index) >= bindings_.size())
          return InvalidArgument("argument '" + e.name + "' is not bound");
        return bindings_[static_cast<size_t>(e.index)];
      case Expr::kConst: return FromPy(*e.value);
      case Expr::kFree: {
        if (!closure_.is_array() || e.index < 0 || static_cast<size_t>(e.index) >= closure_.size())
          return InvalidArgument("closure variable '" + e.name + "' is not in the stored closure");
        return FromJson(closure_[static_cast<size_t>(e.index)], e.name);
      }
      case Expr::kGlobal: {
        Val v;
        v.kind = Val::kPath;
        v.path = e.name;
        return v;
      }
      case Expr::kAttr: {
        TFLC_ASSIGN_OR_RETURN(Val base, Eval(*e.args[0]));
        if (base.kind != Val::kPath)
          return Unimplemented("attribute '." + e.name + "' of a value (" + pycode::ExprText(e) +
                               ") is not read; only module functions are");
        base.path += "." + e.name;
        return base;
      }
      case Expr::kCall: return Call(e);
      case Expr::kBinary: {
        TFLC_ASSIGN_OR_RETURN(Val a, Eval(*e.args[0]));
        TFLC_ASSIGN_OR_RETURN(Val b, Eval(*e.args[1]));
        return BinaryOp(e.op, a, b);
      }
      case Expr::kUnary: {
        TFLC_ASSIGN_OR_RETURN(Val a, Eval(*e.args[0]));
        if (e.op == "+") return a;
        if (a.kind == Val::kConst && a.c.is_number()) {
          if (a.c.is_number_integer()) return Const(-a.c.get<int64_t>());
          return Const(-a.c.get<double>());
        }
        if (a.kind != Val::kTensor) return Unimplemented("unary - of " + pycode::ExprText(*e.args[0]));
        return Run("math.negative", {a}, {});
      }
      case Expr::kSubscr: {
        TFLC_ASSIGN_OR_RETURN(Val a, Eval(*e.args[0]));
        TFLC_ASSIGN_OR_RETURN(Val idx, Eval(*e.args[1]));
        if (a.kind == Val::kSeq) {
          if (idx.kind != Val::kConst || !idx.c.is_number_integer())
            return Unimplemented("indexing a Python list with " + pycode::ExprText(*e.args[1]) + " (only a constant integer is read)");
          int64_t i = idx.c.get<int64_t>();
          const int64_t n = static_cast<int64_t>(a.items.size());
          if (i < 0) i += n;
          if (i < 0 || i >= n) return InvalidArgument("list index " + pycode::ExprText(*e.args[1]) + " out of range (" + std::to_string(n) + " items)");
          return a.items[static_cast<size_t>(i)];
        }
        if (a.kind != Val::kTensor) return Unimplemented("indexing " + pycode::ExprText(*e.args[0]) + ", which is not a tensor");
        TFLC_ASSIGN_OR_RETURN(Json spec, SliceSpec(idx));
        return Run("__operators__.getitem", {a}, {{"slice_spec", Const(spec)}});
      }
      case Expr::kSlice: {
        Val v;
        v.kind = Val::kSlice;
        v.c = Json::object();
        const char* keys[] = {"start", "stop", "step"};
        for (size_t k = 0; k < 3; ++k) {
          TFLC_ASSIGN_OR_RETURN(Val p, Eval(*e.args[k]));
          if (p.kind != Val::kConst || !(p.c.is_null() || p.c.is_number_integer()))
            return Unimplemented("slice bounds must be constant integers (" + pycode::ExprText(e) + ")");
          v.c[keys[k]] = p.c;
        }
        return v;
      }
      case Expr::kTuple: case Expr::kList: {
        Val v;
        v.kind = Val::kSeq;
        v.is_tuple = e.kind == Expr::kTuple;
        for (const auto& a : e.args) {
          TFLC_ASSIGN_OR_RETURN(Val x, Eval(*a));
          v.items.push_back(std::move(x));
        }
        return v;
      }
    }
    return Internal("unknown expression");
  }

  // The value as a TF-op call argument: tensors as slots, sequences as lists.
  StatusOr<Json> ToJson(const Val& v) const {
    switch (v.kind) {
      case Val::kTensor: return Json{{"__tflc_tensor__", v.tensor}};
      case Val::kConst: return v.c;
      case Val::kSlice: return v.c;
      case Val::kSeq: {
        Json a = Json::array();
        for (const auto& x : v.items) {
          TFLC_ASSIGN_OR_RETURN(Json j, ToJson(x));
          a.push_back(std::move(j));
        }
        return a;
      }
      case Val::kPath: {
        const std::string dt = DtypeName(v.path);
        if (!dt.empty()) return Json(dt);
        if (v.path.find('.') == std::string::npos)
          return Unimplemented("the global name '" + v.path + "' is used as a value; a module's globals are not stored "
                               "in the file (closure variables, defaults and `arguments` are)");
        return Unimplemented("'" + v.path + "' is used as a value (only calls of module functions are read)");
      }
    }
    return Internal("unknown value");
  }

  // Runs a TF-op table function; its outputs become new tensors (one → a tensor, several → a list).
  StatusOr<Val> Run(const std::string& fn, const std::vector<Val>& args, const std::vector<std::pair<std::string, Val>>& kwargs) {
    Json a = Json::array(), kw = Json::object();
    for (const auto& v : args) {
      TFLC_ASSIGN_OR_RETURN(Json j, ToJson(v));
      a.push_back(std::move(j));
    }
    for (const auto& [k, v] : kwargs) {
      TFLC_ASSIGN_OR_RETURN(Json j, ToJson(v));
      kw[k] = std::move(j);
    }
    return RunJson(fn, a, kw);
  }

  StatusOr<Val> RunJson(const std::string& fn, const Json& a, const Json& kw) {
    std::vector<Tensor> outs;
    Status s = RunTfFunction(ctx_, fn, tensors_, a, kw, &outs);
    if (!s.ok()) return s.WithContext("tf." + fn);
    if (outs.empty()) return Internal("tf." + fn + " gave no output");
    Val r;
    for (const auto& t : outs) {
      tensors_.push_back(t);
      r.items.push_back(TensorVal(tensors_.size() - 1));
    }
    if (outs.size() == 1) return r.items[0];
    r.kind = Val::kSeq;
    return r;
  }

  const std::vector<std::string>& unsupported() const { return unsupported_; }

 private:
  StatusOr<Val> FromPy(const PyObj& o) {
    switch (o.kind) {
      case PyObj::kNone: return Const(Json());
      case PyObj::kTrue: return Const(true);
      case PyObj::kFalse: return Const(false);
      case PyObj::kEllipsis: return Const(Json{{"class_name", "__ellipsis__"}});
      case PyObj::kInt: return Const(o.i);
      case PyObj::kFloat: return Const(o.f);
      case PyObj::kStr: return Const(o.s);
      case PyObj::kTuple: {
        Val v;
        v.kind = Val::kSeq;
        v.is_tuple = true;
        for (const auto& it : o.items) {
          TFLC_ASSIGN_OR_RETURN(Val x, FromPy(*it));
          v.items.push_back(std::move(x));
        }
        return v;
      }
      default: return Unimplemented("the constant " + pycode::PyRepr(o) + " is not read");
    }
  }

  // A closure cell or an `arguments` value as stored in the config.
  StatusOr<Val> FromJson(const Json& j, const std::string& what) {
    if (j.is_object() && j.contains("type") && j["type"] == "ndarray" && j.contains("value")) return Const(j["value"]);
    if (j.is_object() && j.contains("class_name") && j.contains("config")) {
      const std::string cn = j["class_name"].is_string() ? j["class_name"].get<std::string>() : "";
      if (cn == "__numpy__" || cn == "__tensor__") return Const(j);
      if (cn == "__tuple__" && j["config"].is_object() && j["config"].contains("value")) return Const(j["config"]["value"]);
      return Unimplemented("'" + what + "' holds a serialized " + cn + " object, which is not read");
    }
    if (j.is_object()) return Unimplemented("'" + what + "' holds a dict, which is not read");
    return Const(j);
  }

  StatusOr<Json> SliceSpec(const Val& idx) const {
    switch (idx.kind) {
      case Val::kSlice: return idx.c;
      case Val::kConst:
        if (idx.c.is_number_integer() || idx.c.is_null() || (idx.c.is_object() && idx.c.contains("class_name") && idx.c["class_name"] == "__ellipsis__"))
          return idx.c;
        return Unimplemented("index " + idx.c.dump() + " is not read (constant integers, slices, ..., None)");
      case Val::kSeq: {
        if (!idx.is_tuple) return Unimplemented("indexing with a list (gather) is not read");
        Json a = Json::array();
        for (const auto& it : idx.items) {
          if (it.kind == Val::kSeq) return Unimplemented("nested index tuples are not read");
          TFLC_ASSIGN_OR_RETURN(Json j, SliceSpec(it));
          a.push_back(std::move(j));
        }
        return a;
      }
      case Val::kTensor: return Unimplemented("indexing with a tensor is not read");
      case Val::kPath:
        if (idx.path == "tf.newaxis" || idx.path == "np.newaxis" || idx.path == "numpy.newaxis") return Json();
        break;
    }
    return Unimplemented("unsupported index");
  }

  StatusOr<Val> BinaryOp(const std::string& op, const Val& a, const Val& b) {
    if (a.kind == Val::kConst && b.kind == Val::kConst && a.c.is_number() && b.c.is_number()) {
      const bool ints = a.c.is_number_integer() && b.c.is_number_integer();
      const double x = a.c.get<double>(), y = b.c.get<double>();
      if (op == "+") return ints ? Const(a.c.get<int64_t>() + b.c.get<int64_t>()) : Const(x + y);
      if (op == "-") return ints ? Const(a.c.get<int64_t>() - b.c.get<int64_t>()) : Const(x - y);
      if (op == "*") return ints ? Const(a.c.get<int64_t>() * b.c.get<int64_t>()) : Const(x * y);
      if (op == "/" && y != 0) return Const(x / y);
      if (op == "**" && !ints) return Const(std::pow(x, y));
      return Unimplemented("constant expression '" + a.c.dump() + " " + op + " " + b.c.dump() + "' is not folded");
    }
    static const std::map<std::string, std::string> kOpsMap = {
        {"+", "__operators__.add"}, {"-", "math.subtract"}, {"*", "math.multiply"}, {"/", "math.truediv"},
        {"//", "math.floordiv"}, {"%", "math.floormod"}, {"**", "math.pow"}, {"@", "matmul"},
        {"<", "math.less"}, {"<=", "math.less_equal"}, {">", "math.greater"}, {">=", "math.greater_equal"},
        {"==", "__operators__.eq"}, {"!=", "__operators__.ne"}};
    auto it = kOpsMap.find(op);
    if (it == kOpsMap.end()) return Unimplemented("operator " + op);
    if (a.kind != Val::kTensor && b.kind != Val::kTensor) {
      if (a.kind == Val::kSeq || b.kind == Val::kSeq)
        return Unimplemented("operator " + op + " on Python lists/tuples is not read");
    }
    if (a.kind == Val::kPath || b.kind == Val::kPath) return Unimplemented("operator " + op + " on a module or function");
    return Run(it->second, {a, b}, {});
  }

  StatusOr<Val> Call(const Expr& e) {
    TFLC_ASSIGN_OR_RETURN(Val fn, Eval(*e.args[0]));
    if (fn.kind != Val::kPath) return Unimplemented("call of a value that is not a module function: " + pycode::ExprText(e));
    const size_t nargs = e.args.size() - 1, nkw = e.kwnames.size();
    std::vector<Val> pos;
    std::vector<std::pair<std::string, Val>> kw;
    for (size_t k = 1; k < e.args.size(); ++k) {
      TFLC_ASSIGN_OR_RETURN(Val v, Eval(*e.args[k]));
      if (k - 1 >= nargs - nkw) kw.emplace_back(e.kwnames[k - 1 - (nargs - nkw)], std::move(v));
      else pos.push_back(std::move(v));
    }
    std::string rest;
    const Family fam = Classify(fn.path, &rest);
    if (fam == Family::kTf) {
      // tf.X is the table's X, else math.X / nn.X (tf.sigmoid is tf.math.sigmoid, ...); tf.math.X
      // may be listed as X (tf.math.reduce_mean is tf.reduce_mean).
      std::vector<std::string> cands = {rest};
      if (rest.find('.') == std::string::npos) {
        cands.push_back("math." + rest);
        cands.push_back("nn." + rest);
      } else if (rest.rfind("math.", 0) == 0) {
        cands.push_back(rest.substr(5));
      }
      for (const auto& cand : cands)
        if (HasTfFunction(cand)) return Run(cand, pos, kw);
      return NotSupported(fn.path);
    }
    if (fam == Family::kBackend && rest == "floatx" && pos.empty() && kw.empty()) return Const("float32");
    if (fam == Family::kBackend || fam == Family::kOps || fam == Family::kActivations) {
      const KerasFn* f = fam == Family::kBackend ? FindIn(kBackend, rest)
                         : fam == Family::kOps   ? FindIn(kOps, rest)
                                                 : FindIn(kActivations, rest);
      if (!f) return NotSupported(fn.path);
      return CallKeras(fn.path, *f, pos, kw);
    }
    return NotSupported(fn.path);
  }

  Status NotSupported(const std::string& path) {
    unsupported_.push_back(path);
    return Unimplemented("function '" + path + "' is not supported");
  }

  StatusOr<Val> CallKeras(const std::string& path, const KerasFn& f, const std::vector<Val>& pos,
                          const std::vector<std::pair<std::string, Val>>& kw) {
    const std::vector<std::string> params = Split(f.params), tparams = Split(f.tf_params);
    const Json defaults = Json::parse(f.defaults, nullptr, false);
    if (!defaults.is_array() || defaults.size() + 1 != params.size() || tparams.size() != params.size())
      return Internal(path + ": malformed entry in tflc's Keras function table");
    std::vector<std::optional<Val>> bound(params.size());
    if (pos.size() > params.size()) return InvalidArgument(path + " takes at most " + std::to_string(params.size()) + " arguments");
    for (size_t k = 0; k < pos.size(); ++k) bound[k] = pos[k];
    for (const auto& [name, v] : kw) {
      size_t k = 0;
      while (k < params.size() && params[k] != name) ++k;
      if (k == params.size()) return Unimplemented(path + ": argument '" + name + "' is not read");
      bound[k] = v;
    }
    for (size_t k = 1; k < params.size(); ++k) {
      if (bound[k]) continue;
      const Json& d = defaults[k - 1];
      if (d == "R") return InvalidArgument(path + ": missing argument '" + params[k] + "'");
      if (d != "-") bound[k] = Const(d);
    }
    if (!bound[0]) return InvalidArgument(path + ": missing argument '" + params[0] + "'");
    const std::string name = f.name;
    if (std::string(f.tf).empty()) return Special(path, name, bound);
    std::vector<std::pair<std::string, Val>> tkw;
    for (size_t k = 1; k < params.size(); ++k)
      if (bound[k]) tkw.emplace_back(tparams[k], *bound[k]);
    return Run(f.tf, {*bound[0]}, tkw);
  }

  static bool IsNum(const std::optional<Val>& v, double x) {
    return v && v->kind == Val::kConst && v->c.is_number() && v->c.get<double>() == x;
  }

  StatusOr<Tensor> TensorOf(const Val& v, const std::string& what) {
    if (v.kind != Val::kTensor) return Unimplemented(what + " must be a tensor");
    return tensors_[v.tensor];
  }

  StatusOr<Val> Special(const std::string& path, const std::string& name, const std::vector<std::optional<Val>>& b) {
    const Val& x = *b[0];
    if (name == "sqrt") {  // tf.keras backend.sqrt: sqrt(maximum(x, 0))
      TFLC_ASSIGN_OR_RETURN(Val m, Run("math.maximum", {x, Const(0.0)}, {}));
      return Run("math.sqrt", {m}, {});
    }
    if (name == "clip") {  // backend.clip: max_value < min_value → max_value = min_value
      Val lo = *b[1], hi = *b[2];
      if (lo.kind == Val::kConst && hi.kind == Val::kConst && lo.c.is_number() && hi.c.is_number() &&
          hi.c.get<double>() < lo.c.get<double>())
        hi = lo;
      return Run("clip_by_value", {x, lo, hi}, {});
    }
    if (name == "relu") {  // backend.relu for alpha = 0 (or leaky without max/threshold)
      const bool alpha0 = IsNum(b[1], 0), thr0 = IsNum(b[3], 0);
      const bool nomax = !b[2] || (b[2]->kind == Val::kConst && b[2]->c.is_null());
      if (!thr0) return Unimplemented(path + " with a threshold is not read");
      if (!alpha0) {
        if (!nomax) return Unimplemented(path + " with both alpha and max_value is not read");
        return Run("nn.leaky_relu", {x}, {{"alpha", *b[1]}});
      }
      if (nomax) return Run("nn.relu", {x}, {});
      if (IsNum(b[2], 6)) return Run("nn.relu6", {x}, {});
      TFLC_ASSIGN_OR_RETURN(Val r, Run("nn.relu", {x}, {}));
      return Run("clip_by_value", {r, Const(0), *b[2]}, {});
    }
    if (name == "elu") {
      if (!IsNum(b[1], 1)) return Unimplemented(path + " with alpha != 1 is not read");
      return Run("nn.elu", {x}, {});
    }
    if (name == "batch_flatten" || name == "flatten") {
      TFLC_ASSIGN_OR_RETURN(Tensor t, TensorOf(x, path + "'s argument"));
      int64_t n = 1;
      for (size_t k = name == "flatten" ? 0 : 1; k < t.shape.size(); ++k) {
        if (t.shape[k] < 0) return Unimplemented(path + " of a tensor with unknown dimensions");
        n *= t.shape[k];
      }
      Json shape = name == "flatten" ? Json::array({-1}) : Json::array({-1, n});
      return Run("reshape", {x, Const(shape)}, {});
    }
    return NotSupported(path);
  }

  LayerContext& ctx_;
  Json closure_;
  std::vector<Tensor> tensors_;
  std::vector<Val> bindings_;
  std::vector<std::string> unsupported_;
  int steps_ = 0;
};

// Keras 3 serializes tuples (a function's defaults and closure) as {"class_name": "__tuple__",
// "config": {"value": [...]}} (serialization_lib.serialize_keras_object).
Json UnwrapTuple(const Json& j) {
  if (j.is_object() && j.contains("class_name") && j["class_name"] == "__tuple__" && j.contains("config") &&
      j["config"].is_object() && j["config"].contains("value"))
    return j["config"]["value"];
  return j;
}

// The stored function: (code base64, defaults, closure) from either dialect; refusals for named
// functions.
struct StoredFn {
  std::string code;
  Json defaults;
  Json closure;
};

StatusOr<StoredFn> ReadStoredFunction(const Json& cfg) {
  if (!cfg.contains("function")) return InvalidArgument("config 'function' is missing");
  const Json& f = cfg["function"];
  const std::string ftype = cfg.contains("function_type") && cfg["function_type"].is_string()
                                ? cfg["function_type"].get<std::string>() : "";
  StoredFn out;
  if (f.is_object()) {  // Keras 3 (D.2)
    const std::string cn = f.contains("class_name") && f["class_name"].is_string() ? f["class_name"].get<std::string>() : "";
    const Json cf = f.contains("config") ? f["config"] : Json();
    if (cn == "__lambda__" && cf.is_object()) {
      if (cf.contains("code") && cf["code"].is_string()) {
        out.code = cf["code"].get<std::string>();
        out.defaults = cf.contains("defaults") ? cf["defaults"] : Json();
        out.closure = cf.contains("closure") ? cf["closure"] : Json();
        return out;
      }
      if (cf.contains("value") && cf["value"].is_array() && !cf["value"].empty() && cf["value"][0].is_string()) {
        out.code = cf["value"][0].get<std::string>();
        out.defaults = cf["value"].size() > 1 ? cf["value"][1] : Json();
        out.closure = cf["value"].size() > 2 ? cf["value"][2] : Json();
        return out;
      }
    }
    std::string fname = cf.is_string() ? "'" + cf.get<std::string>() + "'"
                        : cf.is_object() && cf.contains("name") ? cf["name"].dump() : cf.dump();
    return Unimplemented("the Lambda's function is the named function " + fname + " (class_name '" + cn +
                         "'), stored by name without its code");
  }
  if (ftype == "function" || (f.is_string() && ftype != "lambda")) {
    return Unimplemented("the Lambda's function is the named function '" + (f.is_string() ? f.get<std::string>() : f.dump()) +
                         "', stored by name without its code");
  }
  if (f.is_array() && !f.empty() && f[0].is_string()) {
    out.code = f[0].get<std::string>();
    out.defaults = f.size() > 1 ? f[1] : Json();
    out.closure = f.size() > 2 ? f[2] : Json();
    return out;
  }
  if (f.is_string()) {  // very old Keras: the base64 alone
    out.code = f.get<std::string>();
    return out;
  }
  return InvalidArgument("config 'function' is " + f.dump().substr(0, 80) + ", expected [code, defaults, closure]");
}

Status Refusal(const std::string& what, const pycode::CodeObject* code, const std::string& expr) {
  std::string m = what;
  if (!expr.empty()) m += "; the function is `" + expr + "`";
  if (code) m += "; the code refers to: " + pycode::ReferencedNames(*code);
  m += ". A" + std::string(kRoutes).substr(1);
  return Unimplemented(m);
}

}  // namespace

Status ConvertLambda(LayerContext& ctx, std::vector<Tensor>* out) {
  const Json& cfg = ctx.config();
  auto stored = ReadStoredFunction(cfg);
  if (!stored.ok()) return Refusal(stored.status().message(), nullptr, "");
  stored->defaults = UnwrapTuple(stored->defaults);
  stored->closure = UnwrapTuple(stored->closure);
  auto bytes = pycode::Base64Decode(stored->code);
  if (!bytes.ok()) return Refusal(bytes.status().message(), nullptr, "");
  auto code = pycode::ReadCodeObject(*bytes);
  if (!code.ok()) {
    std::string m = "cannot read the Lambda's function: " + code.status().message();
    if (code.status().code() == TFLC_CODE_INVALID_ARGUMENT && bytes->find('/') != std::string::npos &&
        m.find("Windows") == std::string::npos)
      m += " (if the model was saved on Windows: Keras replaced every 0x5C byte of the code with 0x2F there, "
           "which cannot be undone reliably)";
    return Refusal(m, nullptr, "");
  }
  const pycode::CodeObject& co = **code;
  auto expr = pycode::DecodeExpression(co);
  if (!expr.ok())
    return Refusal("the Lambda's function (Python " + pycode::VersionName(co.version) +
                       " bytecode) is not one expression tflc reads: " + expr.status().message(),
                   &co, "");
  const std::string text = pycode::ExprText(**expr);

  LambdaEval ev(ctx, stored->closure);
  // Parameters: the first is the input (a tensor, or a list of tensors); the others come from
  // `arguments`, then the stored defaults; `mask` / `training` as Keras passes them.
  Json arguments = cfg.contains("arguments") && cfg["arguments"].is_object() ? cfg["arguments"] : Json::object();
  if (arguments.contains("class_name") && arguments.contains("config") && arguments["config"].is_object())
    arguments = arguments["config"];  // Keras 3 serialize_keras_object of a dict
  const int nparams = co.argcount + co.kwonlyargcount;
  if (nparams < 1) return Refusal("the Lambda's function takes no argument", &co, text);
  Json first = ctx.call_args().is_array() && !ctx.call_args().empty() ? ctx.call_args()[0] : Json();
  if (ctx.keras_major() < 3 && first.is_array() && first.size() == 1) first = first[0];  // Keras 2 unnests one input
  std::function<StatusOr<Val>(const Json&)> input_val = [&](const Json& j) -> StatusOr<Val> {
    size_t i = 0;
    if (IsTensorSlot(j, &i)) {
      if (i >= ctx.tensors().size()) return InvalidArgument("the call refers to a missing tensor");
      return ev.TensorVal(i);
    }
    if (j.is_array()) {
      Val v;
      v.kind = Val::kSeq;
      for (const auto& e : j) {
        TFLC_ASSIGN_OR_RETURN(Val x, input_val(e));
        v.items.push_back(std::move(x));
      }
      return v;
    }
    return Unimplemented("the Lambda is called with " + j.dump().substr(0, 60) + " (only tensors and lists of tensors are read)");
  };
  {
    auto v = input_val(first);
    if (!v.ok()) return Refusal(v.status().message(), &co, text);
    ev.bindings().push_back(*v);
  }
  const std::vector<std::string>& names = co.varnames;
  const Json defaults = stored->defaults.is_array() ? stored->defaults : Json::array();
  for (int k = 1; k < nparams; ++k) {
    const std::string& pname = names[static_cast<size_t>(k)];
    Val v;
    if (arguments.contains(pname)) {
      const Json& a = arguments[pname];
      if (a.is_object() && a.contains("type") && a["type"] == "ndarray" && a.contains("value")) v = Const(a["value"]);
      else v = Const(a);
    } else if (k < co.argcount && co.argcount - k <= static_cast<int>(defaults.size())) {
      v = Const(defaults[defaults.size() - static_cast<size_t>(co.argcount - k)]);
    } else if (pname == "mask") {
      v = Const(Json());
    } else if (pname == "training") {
      v = Const(false);
    } else {
      return Refusal("the Lambda's function parameter '" + pname + "' has no value in 'arguments' or the stored defaults",
                     &co, text);
    }
    if (v.c.is_object() && v.c.contains("class_name") && v.c["class_name"] == "__tuple__" && v.c.contains("config") &&
        v.c["config"].is_object() && v.c["config"].contains("value"))
      v = Const(v.c["config"]["value"]);
    ev.bindings().push_back(v);
  }

  auto r = ev.Eval(**expr);
  if (!r.ok()) {
    std::string what = "the Lambda's function is not supported: " + r.status().message();
    if (!ev.unsupported().empty()) {
      std::string u;
      for (const auto& n : ev.unsupported()) u += (u.empty() ? "" : ", ") + n;
      what = "the Lambda calls " + u + ", which tflc does not support (" + r.status().message() + ")";
    }
    return Refusal(what, &co, text);
  }
  const Val& res = *r;
  auto push = [&](const Val& v) -> Status {
    if (v.kind != Val::kTensor)
      return Refusal("the Lambda's function returns a value that is not a tensor", &co, text);
    if (v.tensor < ctx.tensors().size()) {
      // An input returned unchanged: Keras copies it with tf.identity (base_layer
      // _set_connectivity_metadata) so that the output is a tensor of its own.
      auto id = ev.Run("identity", {v}, {});
      if (!id.ok()) return Refusal(id.status().message(), &co, text);
      out->push_back(ev.tensors()[id->tensor]);
      return OkStatus();
    }
    out->push_back(ev.tensors()[v.tensor]);
    return OkStatus();
  };
  if (res.kind == Val::kSeq) {
    for (const auto& v : res.items) TFLC_RETURN_IF_ERROR(push(v));
    return OkStatus();
  }
  return push(res);
}

}  // namespace tflc::keras
