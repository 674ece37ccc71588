// EinsumDense, MultiHeadAttention, Attention, AdditiveAttention (KERAS.md B.1, B.2, B.4).
//
// Each emits the TF ops TF's Keras traces: `Einsum` (equation, N=2, T) for EinsumDense and the
// MultiHeadAttention projections / scores / context, `BatchMatMulV2` for Attention, and plain
// elementwise ops for biases, scaling and masks. Every intermediate value gets its Keras shape
// (the Einsum lowering needs the operand shapes).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>

#include "layers.h"

namespace tflc::keras {

namespace {

int64_t Product(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

StatusOr<ValueView> Shaped(LayerContext& ctx, const std::string& op, const std::vector<ValueView>& inputs,
                           const std::vector<Attr>& attrs, const Shape& shape, const std::string& hint = "") {
  TFLC_ASSIGN_OR_RETURN(ValueView v, ctx.Op(op, inputs, attrs, hint));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(v, shape));
  return v;
}

StatusOr<ValueView> Einsum(LayerContext& ctx, const std::string& equation, const ValueView& a, const ValueView& b,
                           const Shape& out, const std::string& hint) {
  return Shaped(ctx, "Einsum", {a, b}, {Attr::Str("equation", equation), Attr::Int("N", 2), Attr::T()}, out, hint);
}

// Keras 3 quantized layers keep int8/int4/float8 kernels plus scales: refused, naming the mode.
Status RefuseQuantized(LayerContext& ctx) {
  const Json& cfg = ctx.config();
  std::string mode;
  if (cfg.contains("quantization_config") && !cfg["quantization_config"].is_null()) mode = "quantization_config";
  if (cfg.contains("dtype") && cfg["dtype"].is_object()) {
    const Json& d = cfg["dtype"];
    const std::string cls = d.value("class_name", std::string());
    if (cls.find("Quantized") != std::string::npos) mode = cls;
    if (d.contains("config") && d["config"].is_object() && d["config"].contains("name") && d["config"]["name"].is_string()) {
      const std::string n = d["config"]["name"].get<std::string>();
      for (const char* q : {"int8", "int4", "float8", "gptq", "awq"})
        if (n.rfind(q, 0) == 0) mode = n;
    }
  }
  if (!mode.empty())
    return Unimplemented("the layer is quantized by Keras (" + mode + "); tflc reads float weights only: convert "
                         "the float model and quantize with tflc (--optimizations DEFAULT) instead");
  return OkStatus();
}

// ------------------------------------------------------------------------------------ EinsumDense

struct EinsumPlan {
  std::string equation;  // as given (spaces removed)
  Shape kernel;          // weight shape
  bool has_bias = false;
  Shape bias;            // bias shape (KERAS.md B.2)
  Shape out;             // output shape (batch 1)
};

// keras layers/core/einsum_dense.py _analyze_einsum_string / _analyze_split_string.
StatusOr<EinsumPlan> PlanEinsumDense(const std::string& equation_in, const Json& output_shape_cfg,
                                     const Json& bias_axes_cfg, const Shape& in_shape) {
  EinsumPlan p;
  for (char c : equation_in)
    if (c != ' ') p.equation += c;
  std::string eq = p.equation;
  for (size_t pos; (pos = eq.find("...")) != std::string::npos;) eq.replace(pos, 3, "0");
  const size_t comma = eq.find(','), arrow = eq.find("->");
  if (comma == std::string::npos || arrow == std::string::npos || arrow < comma)
    return InvalidArgument("config 'equation' '" + equation_in + "' is not of the form 'ab,bc->ac'");
  std::string in_spec = eq.substr(0, comma), w_spec = eq.substr(comma + 1, arrow - comma - 1), out_spec = eq.substr(arrow + 2);
  auto letters = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  };
  bool left = false, right = false;
  if (!in_spec.empty() && in_spec[0] == '0' && !out_spec.empty() && out_spec[0] == '0') {
    left = true;
    in_spec.erase(0, 1);
    out_spec.erase(0, 1);
  } else if (in_spec.size() >= 3 && in_spec.back() == '0' && !out_spec.empty() && out_spec.back() == '0') {
    right = true;
    in_spec.pop_back();
    out_spec.pop_back();
  }
  if (!letters(in_spec) || !letters(w_spec) || !letters(out_spec))
    return InvalidArgument("config 'equation' '" + equation_in + "' is not one of the forms EinsumDense accepts "
                           "('ab,bc->ac', '...b,bc->...c', 'ab...,bc->ac...')");
  const int64_t rank = static_cast<int64_t>(in_shape.size());
  const int64_t elided = rank - static_cast<int64_t>(in_spec.size());
  if (elided < 0 || (elided > 0 && !left && !right))
    return InvalidArgument("config 'equation' '" + equation_in + "' does not match the rank-" + std::to_string(rank) +
                           " input " + ShapeStr(in_shape));
  // The full output shape: batch, [left-elided dims], partial output_shape, [right-elided dims].
  std::vector<int64_t> partial;
  if (output_shape_cfg.is_number_integer()) {
    partial.push_back(output_shape_cfg.get<int64_t>());
  } else if (output_shape_cfg.is_array()) {
    for (const auto& d : output_shape_cfg) {
      if (d.is_null()) partial.push_back(-1);
      else if (d.is_number_integer()) partial.push_back(d.get<int64_t>());
      else return InvalidArgument("config 'output_shape' " + output_shape_cfg.dump() + " must hold integers or null");
    }
  } else if (!output_shape_cfg.is_null()) {
    return InvalidArgument("config 'output_shape' " + output_shape_cfg.dump() + " must be an integer or a list");
  }
  Shape full = {in_shape[0]};
  if (left)
    for (int64_t i = 1; i < elided; ++i) full.push_back(in_shape[static_cast<size_t>(i)]);
  full.insert(full.end(), partial.begin(), partial.end());
  if (right)
    for (int64_t i = rank - elided; i < rank; ++i) full.push_back(in_shape[static_cast<size_t>(i)]);
  std::map<char, int64_t> in_dim, out_dim;
  for (size_t i = 0; i < in_spec.size(); ++i) in_dim[in_spec[i]] = static_cast<int64_t>(i) + (left ? elided : 0);
  for (size_t i = 0; i < out_spec.size(); ++i) out_dim[out_spec[i]] = static_cast<int64_t>(i) + (left ? elided : 0);
  if (static_cast<int64_t>(full.size()) != static_cast<int64_t>(out_spec.size()) + elided)
    return InvalidArgument("config 'output_shape' " + output_shape_cfg.dump() + " has " + std::to_string(partial.size()) +
                           " dimension(s) but equation '" + equation_in + "' needs " +
                           std::to_string(out_spec.size() - (left || right ? 0 : 1)));
  for (char c : out_spec)
    if (!in_dim.count(c) && w_spec.find(c) == std::string::npos)
      return InvalidArgument("output dimension '" + std::string(1, c) + "' of equation '" + equation_in +
                             "' is in neither the input nor the kernel");
  for (char c : w_spec) {
    int64_t d = -1;
    if (in_dim.count(c)) d = in_shape[static_cast<size_t>(in_dim[c])];
    else if (out_dim.count(c)) d = full[static_cast<size_t>(out_dim[c])];
    else
      return InvalidArgument("kernel dimension '" + std::string(1, c) + "' of equation '" + equation_in +
                             "' is in neither the input nor the output");
    if (d < 0)
      return InvalidArgument("the size of kernel dimension '" + std::string(1, c) + "' of equation '" + equation_in +
                             "' is unknown (input shape " + ShapeStr(in_shape) + ", output_shape " +
                             output_shape_cfg.dump() + ")");
    p.kernel.push_back(d);
  }
  // The actual output: a letter's size from the input or the kernel; elided dims from the input.
  p.out = full;
  for (char c : out_spec) {
    const size_t o = static_cast<size_t>(out_dim[c]);
    if (in_dim.count(c)) p.out[o] = in_shape[static_cast<size_t>(in_dim[c])];
    else p.out[o] = p.kernel[w_spec.find(c)];
  }
  if (bias_axes_cfg.is_string() && !bias_axes_cfg.get<std::string>().empty()) {
    const std::string bias_axes = bias_axes_cfg.get<std::string>();
    size_t first = out_spec.size();
    for (char c : bias_axes) {
      const size_t at = out_spec.find(c);
      if (at == std::string::npos)
        return InvalidArgument("config 'bias_axes' '" + bias_axes + "' names '" + std::string(1, c) +
                               "', which is not in the output of equation '" + equation_in + "'");
      first = std::min(first, at);
    }
    p.has_bias = true;
    for (size_t i = first; i < out_spec.size(); ++i)
      p.bias.push_back(bias_axes.find(out_spec[i]) != std::string::npos ? p.out[static_cast<size_t>(out_dim[out_spec[i]])] : 1);
    if (right)
      for (int64_t i = 0; i < elided; ++i) p.bias.push_back(1);
  } else if (!bias_axes_cfg.is_null() && !bias_axes_cfg.is_string()) {
    return InvalidArgument("config 'bias_axes' " + bias_axes_cfg.dump() + " must be a string or null");
  }
  return p;
}

// One EinsumDense application whose weights are `prefix` + "kernel" / "bias" of the bound roles.
StatusOr<ValueView> ApplyEinsumDense(LayerContext& ctx, const ValueView& x, const EinsumPlan& p, const std::string& prefix,
                                     const std::string& scope_hint) {
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.Weight(prefix + "kernel", p.kernel));
  TFLC_ASSIGN_OR_RETURN(ValueView y, Einsum(ctx, p.equation, x, kernel, p.out, scope_hint + "einsum/Einsum"));
  if (p.has_bias) {
    TFLC_ASSIGN_OR_RETURN(ValueView bias, ctx.Weight(prefix + "bias", p.bias));
    TFLC_ASSIGN_OR_RETURN(y, Shaped(ctx, "AddV2", {y, bias}, {Attr::T()}, p.out, scope_hint + "add"));
  }
  return y;
}

}  // namespace

Status ConvertEinsumDense(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(ctx.ExpectInputs(1));
  TFLC_RETURN_IF_ERROR(RefuseQuantized(ctx));
  const Tensor& x = ctx.in();
  TFLC_ASSIGN_OR_RETURN(std::string equation, ctx.Str("equation", ""));
  if (equation.empty()) return InvalidArgument("config 'equation' is missing");
  const Json& cfg = ctx.config();
  TFLC_ASSIGN_OR_RETURN(EinsumPlan p, PlanEinsumDense(equation, cfg.contains("output_shape") ? cfg["output_shape"] : Json(),
                                                      cfg.contains("bias_axes") ? cfg["bias_axes"] : Json(), x.shape));
  TFLC_ASSIGN_OR_RETURN(int64_t lora_rank, ctx.Int("lora_rank", 0));
  std::vector<std::string> roles = {"kernel"};
  if (p.has_bias) roles.push_back("bias");
  Tensor y = x;
  y.shape = p.out;
  if (lora_rank > 0) {
    // Keras 3 LoRA: kernel = kernel + (lora_alpha / lora_rank) * lora_kernel_a @ lora_kernel_b
    // (einsum_dense.py `kernel` property; lora_alpha defaults to lora_rank). .keras files store the
    // merged kernel only (save_own_variables); legacy H5 stores the four variables.
    TFLC_ASSIGN_OR_RETURN(double alpha, ctx.Float("lora_alpha", static_cast<double>(lora_rank)));
    std::vector<std::string> lora_roles = roles;
    lora_roles.push_back("lora_kernel_a");
    lora_roles.push_back("lora_kernel_b");
    if (ctx.BindWeights(lora_roles).ok()) {
      Shape a_shape(p.kernel.begin(), p.kernel.end() - 1);
      a_shape.push_back(lora_rank);
      const Shape b_shape = {lora_rank, p.kernel.back()};
      TFLC_ASSIGN_OR_RETURN(std::vector<float> k, ctx.WeightData("kernel", p.kernel));
      TFLC_ASSIGN_OR_RETURN(std::vector<float> a, ctx.WeightData("lora_kernel_a", a_shape));
      TFLC_ASSIGN_OR_RETURN(std::vector<float> b, ctx.WeightData("lora_kernel_b", b_shape));
      const int64_t rows = Product(a_shape) / lora_rank, cols = p.kernel.back();
      const double s = alpha / static_cast<double>(lora_rank);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) {
          double acc = 0;
          for (int64_t r = 0; r < lora_rank; ++r)
            acc += static_cast<double>(a[static_cast<size_t>(i * lora_rank + r)]) * b[static_cast<size_t>(r * cols + j)];
          k[static_cast<size_t>(i * cols + j)] += static_cast<float>(s * acc);
        }
      TFLC_ASSIGN_OR_RETURN(ValueView kernel, ctx.ConstF32("kernel", p.kernel, k));
      TFLC_ASSIGN_OR_RETURN(y.value, Einsum(ctx, p.equation, x.value, kernel, p.out, "einsum/Einsum"));
      if (p.has_bias) {
        TFLC_ASSIGN_OR_RETURN(ValueView bias, ctx.Weight("bias", p.bias));
        TFLC_ASSIGN_OR_RETURN(y.value, Shaped(ctx, "AddV2", {y.value, bias}, {Attr::T()}, p.out, "add"));
      }
      TFLC_ASSIGN_OR_RETURN(y, ApplyActivation(ctx, y, cfg.contains("activation") ? cfg["activation"] : Json()));
      out->push_back(y);
      return OkStatus();
    }
  }
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));
  TFLC_ASSIGN_OR_RETURN(y.value, ApplyEinsumDense(ctx, x.value, p, "", ""));
  TFLC_ASSIGN_OR_RETURN(y, ApplyActivation(ctx, y, cfg.contains("activation") ? cfg["activation"] : Json()));
  out->push_back(y);
  return OkStatus();
}

// ----------------------------------------------------------------------------- MultiHeadAttention

namespace {

char Letter(int64_t i) { return static_cast<char>('a' + i); }

// keras multi_head_attention.py _build_proj_equation: (equation, bias axes).
std::pair<std::string, std::string> ProjEquation(int64_t free_dims, int64_t bound_dims, int64_t output_dims) {
  std::string in, kernel, out, bias;
  int64_t k = 0;
  for (int64_t i = 0; i < free_dims; ++i, ++k) {
    in += Letter(k);
    out += Letter(k);
  }
  for (int64_t i = 0; i < bound_dims; ++i, ++k) {
    in += Letter(k);
    kernel += Letter(k);
  }
  for (int64_t i = 0; i < output_dims; ++i, ++k) {
    kernel += Letter(k);
    out += Letter(k);
    bias += Letter(k);
  }
  return {in + "," + kernel + "->" + out, bias};
}

// A float 0/1 mask from a Keras mask tensor (bool, int or float; nonzero = may attend).
StatusOr<ValueView> MaskAsFloat(LayerContext& ctx, const Tensor& m, const std::string& hint) {
  if (m.dtype == TFLC_TYPE_BOOL)
    return Shaped(ctx, "Cast", {m.value}, {Attr::Type("SrcT", TFLC_TYPE_BOOL), Attr::Type("DstT", TFLC_TYPE_FLOAT32),
                                           Attr::Bool("Truncate", false)}, m.shape, hint + "/Cast");
  TFLC_ASSIGN_OR_RETURN(ValueView zero, m.dtype == TFLC_TYPE_FLOAT32
                                            ? ctx.ScalarF32(hint + "/NotEqual/y", 0.0f)
                                            : ctx.em().ScalarI32(ctx.scope(), hint + "/NotEqual/y", 0));
  if (m.dtype != TFLC_TYPE_FLOAT32 && m.dtype != TFLC_TYPE_INT32)
    return Unimplemented("mask tensors of this integer type are not supported; use a bool, int32 or float mask");
  TFLC_ASSIGN_OR_RETURN(ValueView ne, ctx.Op("NotEqual", {m.value, zero},
                                              {Attr::T(m.dtype), Attr::Bool("incompatible_shape_error", true)},
                                              hint + "/NotEqual"));
  TFLC_RETURN_IF_ERROR(ctx.SetShape(ne, m.shape, TFLC_TYPE_BOOL));
  return Shaped(ctx, "Cast", {ne}, {Attr::Type("SrcT", TFLC_TYPE_BOOL), Attr::Type("DstT", TFLC_TYPE_FLOAT32),
                                    Attr::Bool("Truncate", false)}, m.shape, hint + "/Cast");
}

// Reshape with a known result shape.
StatusOr<ValueView> ReshapeTo(LayerContext& ctx, const ValueView& x, const Shape& to, const std::string& hint) {
  return ctx.Reshape(x, to, hint);
}

// scores + (1 - mask) * -1e9 (keras Softmax with a mask, tf.keras and Keras < 3.13); `mask` is a
// 0/1 float tensor of `mshape`, expanded at `expand_axis` until it has the scores' rank.
StatusOr<ValueView> AddMask(LayerContext& ctx, const ValueView& scores, const Shape& sshape, ValueView mask, Shape mshape,
                            int64_t expand_axis, float large_negative) {
  while (mshape.size() < sshape.size()) {
    const int64_t r = static_cast<int64_t>(mshape.size()) + 1;  // rank after insertion
    const int64_t at = expand_axis < 0 ? expand_axis + r : expand_axis;
    if (at < 0 || at > static_cast<int64_t>(mshape.size()))
      return InvalidArgument("the attention mask of shape " + ShapeStr(mshape) + " does not broadcast to the scores " +
                             ShapeStr(sshape));
    TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", static_cast<int32_t>(expand_axis)));
    mshape.insert(mshape.begin() + at, 1);
    TFLC_ASSIGN_OR_RETURN(mask, Shaped(ctx, "ExpandDims", {mask, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)},
                                       mshape, "ExpandDims"));
  }
  Shape b;
  if (!BroadcastShapes(sshape, mshape, &b) || b != sshape)
    return InvalidArgument("the attention mask of shape " + ShapeStr(mshape) + " does not broadcast to the scores " +
                           ShapeStr(sshape));
  TFLC_ASSIGN_OR_RETURN(ValueView one, ctx.ScalarF32("softmax/sub/x", 1.0f));
  TFLC_ASSIGN_OR_RETURN(ValueView inv, Shaped(ctx, "Sub", {one, mask}, {Attr::T()}, mshape, "softmax/sub"));
  TFLC_ASSIGN_OR_RETURN(ValueView big, ctx.ScalarF32("softmax/mul/y", large_negative));
  TFLC_ASSIGN_OR_RETURN(ValueView adder, Shaped(ctx, "Mul", {inv, big}, {Attr::T()}, mshape, "softmax/mul"));
  return Shaped(ctx, "AddV2", {scores, adder}, {Attr::T()}, sshape, "softmax/add");
}

// Softmax over the last `n` axes of x (merged by a reshape when n > 1).
StatusOr<ValueView> SoftmaxLast(LayerContext& ctx, const ValueView& x, const Shape& shape, size_t n, const std::string& hint) {
  if (n == 1) return Shaped(ctx, "Softmax", {x}, {Attr::T()}, shape, hint + "/Softmax");
  Shape merged(shape.begin(), shape.end() - static_cast<std::ptrdiff_t>(n));
  merged.push_back(Product(Shape(shape.end() - static_cast<std::ptrdiff_t>(n), shape.end())));
  TFLC_ASSIGN_OR_RETURN(ValueView r, ReshapeTo(ctx, x, merged, hint + "/Reshape"));
  TFLC_ASSIGN_OR_RETURN(ValueView s, Shaped(ctx, "Softmax", {r}, {Attr::T()}, merged, hint + "/Softmax"));
  return ReshapeTo(ctx, s, shape, hint + "/Reshape_1");
}

StatusOr<bool> BoolArg(LayerContext& ctx, size_t pos, const std::string& name, bool dflt) {
  Json a = ctx.Arg(pos, name);
  if (a.is_null()) return dflt;
  if (a.is_boolean()) return a.get<bool>();
  if (a.is_number_integer()) return a.get<int64_t>() != 0;
  return InvalidArgument("call argument '" + name + "' is " + a.dump() + ", expected true or false");
}

}  // namespace

Status ConvertMultiHeadAttention(LayerContext& ctx, std::vector<Tensor>* out) {
  TFLC_RETURN_IF_ERROR(RefuseQuantized(ctx));
  // Keras 3 signature (query, value, key, query_mask, value_mask, key_mask, attention_mask,
  // return_attention_scores, training, use_causal_mask); tf.keras writes all but query as kwargs.
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> q_arg, ctx.TensorArg(0, "query"));
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> v_arg, ctx.TensorArg(1, "value"));
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> k_arg, ctx.TensorArg(2, "key"));
  if (!q_arg && !ctx.inputs().empty()) q_arg = ctx.in(0);
  if (!q_arg || !v_arg)
    return InvalidArgument("expects a query and a value tensor (call arguments 'query', 'value'); the model config gives " +
                           std::to_string(ctx.tensors().size()) + " tensor(s)");
  const Tensor query = *q_arg, value = *v_arg, key = k_arg ? *k_arg : *v_arg;
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> qmask, ctx.TensorArg(3, "query_mask"));
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> vmask, ctx.TensorArg(4, "value_mask"));
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> kmask, ctx.TensorArg(5, "key_mask"));
  TFLC_ASSIGN_OR_RETURN(std::optional<Tensor> amask, ctx.TensorArg(6, "attention_mask"));
  TFLC_ASSIGN_OR_RETURN(bool return_scores, BoolArg(ctx, 7, "return_attention_scores", false));
  TFLC_ASSIGN_OR_RETURN(bool causal, BoolArg(ctx, 9, "use_causal_mask", false));

  TFLC_ASSIGN_OR_RETURN(int64_t heads, ctx.Int("num_heads", 0));
  TFLC_ASSIGN_OR_RETURN(int64_t key_dim, ctx.Int("key_dim", 0));
  TFLC_ASSIGN_OR_RETURN(int64_t value_dim, ctx.Int("value_dim", 0));
  if (value_dim <= 0) value_dim = key_dim;
  if (heads <= 0 || key_dim <= 0)
    return InvalidArgument("config 'num_heads' and 'key_dim' must be positive (got " + std::to_string(heads) + ", " +
                           std::to_string(key_dim) + ")");
  TFLC_ASSIGN_OR_RETURN(bool use_bias, ctx.Bool("use_bias", true));
  TFLC_ASSIGN_OR_RETURN(bool use_gate, ctx.Bool("use_gate", false));
  if (ctx.Has("sliding_window"))
    return Unimplemented("config 'sliding_window' (Keras 3.15) is not supported yet; file an issue with the model");
  for (const Tensor* t : {&query, &value, &key}) {
    if (t->rank() < 3) return InvalidArgument("expects query/value/key of rank 3 or more, got shape " + ShapeStr(t->shape));
    TFLC_RETURN_IF_ERROR(ctx.RequireStatic(*t, "MultiHeadAttention"));
  }
  const int64_t qr = query.rank();
  if (key.rank() != value.rank() || key.rank() != qr)
    return Unimplemented("query, key and value of different ranks (" + ShapeStr(query.shape) + ", " + ShapeStr(key.shape) +
                         ", " + ShapeStr(value.shape) + ") are not supported");
  // Attention axes of the projected (rank qr+1) tensors.
  const int64_t pr = qr + 1;
  std::vector<int64_t> axes;
  if (!ctx.Has("attention_axes")) {
    for (int64_t i = 1; i < qr - 1; ++i) axes.push_back(i);
  } else {
    const Json& a = ctx.config()["attention_axes"];
    std::vector<int64_t> raw;
    if (a.is_number_integer()) raw.push_back(a.get<int64_t>());
    else if (a.is_array())
      for (const auto& e : a) {
        if (!e.is_number_integer()) return InvalidArgument("config 'attention_axes' " + a.dump() + " must hold integers");
        raw.push_back(e.get<int64_t>());
      }
    else return InvalidArgument("config 'attention_axes' " + a.dump() + " must be an integer or a list");
    // Keras >= 3.12 maps negative axes against the query rank; older versions (and tf.keras) use
    // them as indices of the projected (rank + 1) tensors.
    const auto [major, minor] = ctx.keras_major_minor();
    const bool new_rule = major > 3 || (major == 3 && minor >= 12);
    for (int64_t x : raw) {
      const int64_t p = x < 0 ? x + (new_rule ? qr : pr) : x;
      if (p < 1 || p >= pr - 2 + 1 || p == pr - 1)
        return InvalidArgument("config 'attention_axes' " + a.dump() + " is out of range for query shape " + ShapeStr(query.shape));
      if (std::find(axes.begin(), axes.end(), p) == axes.end()) axes.push_back(p);
    }
  }
  if (axes.empty()) return InvalidArgument("no attention axes for query shape " + ShapeStr(query.shape));

  // Output shape.
  Shape out_tail;
  if (ctx.Has("output_shape")) {
    const Json& o = ctx.config()["output_shape"];
    if (o.is_number_integer()) out_tail.push_back(o.get<int64_t>());
    else if (o.is_array())
      for (const auto& e : o) {
        if (!e.is_number_integer()) return InvalidArgument("config 'output_shape' " + o.dump() + " must hold integers");
        out_tail.push_back(e.get<int64_t>());
      }
    else return InvalidArgument("config 'output_shape' " + o.dump() + " must be an integer or a list");
  }
  if (out_tail.empty()) out_tail.push_back(query.shape.back());

  // Weights: sub-layer roles (weights.cc BindSubLayers).
  std::vector<std::string> roles;
  for (const char* sub : {"query", "key", "gate", "value", "attention_output"}) {
    if (std::string(sub) == "gate" && !use_gate) continue;
    roles.push_back(std::string(sub) + "/kernel");
    if (use_bias) roles.push_back(std::string(sub) + "/bias");
  }
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));

  auto proj_plan = [&](const Tensor& in, int64_t dim) {
    auto [eq, bias_axes] = ProjEquation(in.rank() - 1, 1, 2);
    EinsumPlan p;
    p.equation = eq;
    p.kernel = {in.shape.back(), heads, dim};
    p.has_bias = use_bias;
    p.bias = {heads, dim};
    p.out = Shape(in.shape.begin(), in.shape.end() - 1);
    p.out.push_back(heads);
    p.out.push_back(dim);
    return p;
  };
  const EinsumPlan qp = proj_plan(query, key_dim), kp = proj_plan(key, key_dim), vp = proj_plan(value, value_dim);
  TFLC_ASSIGN_OR_RETURN(ValueView Q, ApplyEinsumDense(ctx, query.value, qp, "query/", "query/"));
  TFLC_ASSIGN_OR_RETURN(ValueView K, ApplyEinsumDense(ctx, key.value, kp, "key/", "key/"));
  TFLC_ASSIGN_OR_RETURN(ValueView V, ApplyEinsumDense(ctx, value.value, vp, "value/", "value/"));
  TFLC_ASSIGN_OR_RETURN(ValueView scale, ctx.ScalarF32("Mul/y", static_cast<float>(1.0 / std::sqrt(static_cast<double>(key_dim)))));
  TFLC_ASSIGN_OR_RETURN(Q, Shaped(ctx, "Mul", {Q, scale}, {Attr::T()}, qp.out, "Mul"));

  // _build_attention_equation(rank = pr, attn_axes).
  std::string target, source, product;
  for (int64_t i = 0; i < pr; ++i) target += Letter(i);
  std::vector<int64_t> batch_dims;
  for (int64_t i = 0; i < pr; ++i)
    if (i != pr - 1 && std::find(axes.begin(), axes.end(), i) == axes.end()) batch_dims.push_back(i);
  int64_t offset = pr;
  for (int64_t i = 0; i < pr; ++i) {
    const bool batch = std::find(batch_dims.begin(), batch_dims.end(), i) != batch_dims.end();
    source += batch || i == pr - 1 ? target[static_cast<size_t>(i)] : Letter(offset++);
  }
  Shape sshape;
  for (int64_t i : batch_dims) {
    product += target[static_cast<size_t>(i)];
    sshape.push_back(qp.out[static_cast<size_t>(i)]);
  }
  for (int64_t i : axes) {
    product += target[static_cast<size_t>(i)];
    sshape.push_back(qp.out[static_cast<size_t>(i)]);
  }
  for (int64_t i : axes) {
    product += source[static_cast<size_t>(i)];
    sshape.push_back(kp.out[static_cast<size_t>(i)]);
  }
  const std::string dot_eq = source + "," + target + "->" + product;
  const std::string combine_eq = product + "," + source + "->" + target;
  TFLC_ASSIGN_OR_RETURN(ValueView scores, Einsum(ctx, dot_eq, K, Q, sshape, "einsum/Einsum"));

  // Masks (KERAS.md B.1): AND of query/value/key masks, the causal mask and attention_mask.
  ValueView mask;
  Shape mshape;
  auto and_mask = [&](const ValueView& m, const Shape& s) -> Status {
    if (!mask) {
      mask = m;
      mshape = s;
      return OkStatus();
    }
    Shape b;
    if (!BroadcastShapes(mshape, s, &b))
      return InvalidArgument("masks of shapes " + ShapeStr(mshape) + " and " + ShapeStr(s) + " do not broadcast");
    TFLC_ASSIGN_OR_RETURN(mask, Shaped(ctx, "Mul", {mask, m}, {Attr::T()}, b, "mask/mul"));
    mshape = b;
    return OkStatus();
  };
  auto seq_mask = [&](const std::optional<Tensor>& m, bool query_side, const char* hint) -> Status {
    if (!m) return OkStatus();
    if (m->rank() != 2)
      return Unimplemented(std::string("a ") + hint + " of shape " + ShapeStr(m->shape) + " is not supported (expected [batch, length])");
    TFLC_ASSIGN_OR_RETURN(ValueView f, MaskAsFloat(ctx, *m, hint));
    TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), std::string(hint) + "/ExpandDims/dim", query_side ? -1 : -2));
    Shape s = m->shape;
    s.insert(query_side ? s.end() : s.begin() + 1, 1);
    TFLC_ASSIGN_OR_RETURN(ValueView e, Shaped(ctx, "ExpandDims", {f, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}, s,
                                              std::string(hint) + "/ExpandDims"));
    return and_mask(e, s);
  };
  TFLC_RETURN_IF_ERROR(seq_mask(qmask, true, "query_mask"));
  TFLC_RETURN_IF_ERROR(seq_mask(vmask, false, "value_mask"));
  TFLC_RETURN_IF_ERROR(seq_mask(kmask, false, "key_mask"));
  if (causal) {
    if (axes.size() != 1 || axes[0] != 1)
      return Unimplemented("use_causal_mask with attention_axes other than the first sequence axis is not supported");
    // keras _compute_causal_mask: [1, T, S] with mask[i][j] = i >= j (built with cumsum; a constant here).
    const int64_t t = query.shape[1], s = value.shape[1];
    std::vector<float> c(static_cast<size_t>(t * s));
    for (int64_t i = 0; i < t; ++i)
      for (int64_t j = 0; j < s; ++j) c[static_cast<size_t>(i * s + j)] = i >= j ? 1.0f : 0.0f;
    TFLC_ASSIGN_OR_RETURN(ValueView cm, ctx.ConstF32("causal_mask", {1, t, s}, c));
    TFLC_RETURN_IF_ERROR(and_mask(cm, {1, t, s}));
  }
  if (amask) {
    TFLC_ASSIGN_OR_RETURN(ValueView f, MaskAsFloat(ctx, *amask, "attention_mask"));
    TFLC_RETURN_IF_ERROR(and_mask(f, amask->shape));
  }
  if (mask) {
    const int64_t expand_axis = -2 * static_cast<int64_t>(axes.size()) - 1;
    TFLC_ASSIGN_OR_RETURN(scores, AddMask(ctx, scores, sshape, mask, mshape, expand_axis, -1e9f));
  }
  TFLC_ASSIGN_OR_RETURN(ValueView probs, SoftmaxLast(ctx, scores, sshape, axes.size(), "softmax"));
  // Dropout is the identity at inference.
  TFLC_ASSIGN_OR_RETURN(ValueView context, Einsum(ctx, combine_eq, probs, V, vp.out, "einsum_1/Einsum"));
  if (use_gate) {
    EinsumPlan gp = proj_plan(query, value_dim);
    TFLC_ASSIGN_OR_RETURN(ValueView g, ApplyEinsumDense(ctx, query.value, gp, "gate/", "gate/"));
    TFLC_ASSIGN_OR_RETURN(g, Shaped(ctx, "Sigmoid", {g}, {Attr::T()}, gp.out, "gate/Sigmoid"));
    TFLC_ASSIGN_OR_RETURN(context, Shaped(ctx, "Mul", {context, g}, {Attr::T()}, vp.out, "mul"));
  }
  // Output projection: _build_proj_equation(qr - 1, 2, len(output_shape)).
  EinsumPlan op;
  op.equation = ProjEquation(qr - 1, 2, static_cast<int64_t>(out_tail.size())).first;
  op.kernel = {heads, value_dim};
  op.kernel.insert(op.kernel.end(), out_tail.begin(), out_tail.end());
  op.has_bias = use_bias;
  op.bias = out_tail;
  op.out = Shape(query.shape.begin(), query.shape.end() - 1);
  op.out.insert(op.out.end(), out_tail.begin(), out_tail.end());
  Tensor y;
  y.shape = op.out;
  TFLC_ASSIGN_OR_RETURN(y.value, ApplyEinsumDense(ctx, context, op, "attention_output/", "attention_output/"));
  out->push_back(y);
  if (return_scores) out->push_back(Tensor{probs, sshape, TFLC_TYPE_FLOAT32});
  return OkStatus();
}

// ------------------------------------------------------------------ Attention, AdditiveAttention

namespace {

// Shared body of Attention (dot / concat) and AdditiveAttention (KERAS.md B.4).
Status DenseAttention(LayerContext& ctx, bool additive, std::vector<Tensor>* out) {
  const auto& ins = ctx.inputs();
  if (ins.size() != 2 && ins.size() != 3)
    return InvalidArgument("expects a list [query, value] or [query, value, key], the model config gives " +
                           std::to_string(ins.size()) + " tensor(s)");
  const Tensor& q = ins[0];
  const Tensor& v = ins[1];
  const Tensor& k = ins.size() == 3 ? ins[2] : ins[1];
  for (const Tensor* t : {&q, &v, &k}) {
    TFLC_RETURN_IF_ERROR(ctx.ExpectRank(*t, 3, "[batch, steps, dim]"));
    TFLC_RETURN_IF_ERROR(ctx.RequireStatic(*t, "attention"));
  }
  const int64_t tq = q.shape[1], tv = v.shape[1], d = q.shape[2];
  if (k.shape[2] != d || k.shape[1] != tv)
    return InvalidArgument("query " + ShapeStr(q.shape) + " and key " + ShapeStr(k.shape) + " do not fit");
  std::string score_mode = "dot";
  bool use_scale = additive;
  if (!additive) { TFLC_ASSIGN_OR_RETURN(score_mode, ctx.Str("score_mode", "dot")); }
  if (score_mode != "dot" && score_mode != "concat")
    return InvalidArgument("config 'score_mode' '" + score_mode + "' is not 'dot' or 'concat'");
  TFLC_ASSIGN_OR_RETURN(use_scale, ctx.Bool("use_scale", use_scale));
  // Call arguments: Keras 3 call(inputs, mask, training, return_attention_scores, use_causal_mask).
  TFLC_ASSIGN_OR_RETURN(bool return_scores, BoolArg(ctx, 99, "return_attention_scores", false));
  TFLC_ASSIGN_OR_RETURN(bool causal, BoolArg(ctx, 99, "use_causal_mask", false));
  TFLC_ASSIGN_OR_RETURN(bool causal_cfg, ctx.Bool("causal", false));  // tf.keras <= 2.9
  causal = causal || causal_cfg;
  std::optional<Tensor> qmask, vmask;
  const Json mask_arg = ctx.Arg(99, "mask");
  if (mask_arg.is_array()) {
    for (size_t i = 0; i < mask_arg.size() && i < 2; ++i) {
      size_t slot = 0;
      if (mask_arg[i].is_null()) continue;
      if (!IsTensorSlot(mask_arg[i], &slot) || slot >= ctx.tensors().size())
        return InvalidArgument("call argument 'mask' is " + mask_arg.dump() + ", expected a list of Keras tensors");
      (i == 0 ? qmask : vmask) = ctx.tensors()[slot];
    }
  } else if (!mask_arg.is_null()) {
    return InvalidArgument("call argument 'mask' is " + mask_arg.dump() + ", expected [query_mask, value_mask]");
  }

  std::vector<std::string> roles;
  if (use_scale) roles.push_back("scale");
  if (score_mode == "concat") roles.push_back("concat_score_weight");
  TFLC_RETURN_IF_ERROR(ctx.BindWeights(roles));
  const Shape sshape = {q.shape[0], tq, tv};
  ValueView scores;
  if (!additive && score_mode == "dot") {
    TFLC_ASSIGN_OR_RETURN(scores, Shaped(ctx, "BatchMatMulV2", {q.value, k.value},
                                         {Attr::T(), Attr::Bool("adj_x", false), Attr::Bool("adj_y", true)}, sshape, "MatMul"));
    if (use_scale) {
      TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.Weight("scale", {}));
      TFLC_ASSIGN_OR_RETURN(scores, Shaped(ctx, "Mul", {scores, s}, {Attr::T()}, sshape, "mul"));
    }
  } else {
    // q[:, :, None, :] + k[:, None, :, :] → tanh → (weighted) sum over the last axis.
    TFLC_ASSIGN_OR_RETURN(ValueView dq, ctx.em().ScalarI32(ctx.scope(), "ExpandDims/dim", -2));
    TFLC_ASSIGN_OR_RETURN(ValueView dk, ctx.em().ScalarI32(ctx.scope(), "ExpandDims_1/dim", -3));
    const std::vector<Attr> ed = {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)};
    TFLC_ASSIGN_OR_RETURN(ValueView qe, Shaped(ctx, "ExpandDims", {q.value, dq}, ed, {q.shape[0], tq, 1, d}, "ExpandDims"));
    TFLC_ASSIGN_OR_RETURN(ValueView ke, Shaped(ctx, "ExpandDims", {k.value, dk}, ed, {k.shape[0], 1, tv, d}, "ExpandDims_1"));
    const Shape full = {q.shape[0], tq, tv, d};
    TFLC_ASSIGN_OR_RETURN(ValueView sum, Shaped(ctx, "AddV2", {qe, ke}, {Attr::T()}, full, "add"));
    if (!additive && use_scale) {
      TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.Weight("scale", {}));
      TFLC_ASSIGN_OR_RETURN(sum, Shaped(ctx, "Mul", {s, sum}, {Attr::T()}, full, "mul"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView th, Shaped(ctx, "Tanh", {sum}, {Attr::T()}, full, "Tanh"));
    if (additive && use_scale) {
      // Keras 3 sizes the scale by the query's last dim, tf.keras by the value's (equal here: d).
      TFLC_ASSIGN_OR_RETURN(ValueView s, ctx.Weight("scale", {d}));
      TFLC_ASSIGN_OR_RETURN(th, Shaped(ctx, "Mul", {s, th}, {Attr::T()}, full, "mul"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView ax, ctx.em().ScalarI32(ctx.scope(), "Sum/reduction_indices", -1));
    TFLC_ASSIGN_OR_RETURN(scores, Shaped(ctx, "Sum", {th, ax},
                                         {Attr::T(), Attr::Type("Tidx", TFLC_TYPE_INT32), Attr::Bool("keep_dims", false)},
                                         sshape, "Sum"));
    if (!additive) {
      TFLC_ASSIGN_OR_RETURN(ValueView w, ctx.Weight("concat_score_weight", {}));
      TFLC_ASSIGN_OR_RETURN(scores, Shaped(ctx, "Mul", {w, scores}, {Attr::T()}, sshape, "mul_1"));
    }
  }
  // Masks: value mask [B,1,Tv] AND causal [1,Tq,Tv]; scores -= 1e9 * (1 - mask).
  ValueView mask;
  Shape mshape;
  if (vmask) {
    TFLC_RETURN_IF_ERROR(ctx.ExpectRank(*vmask, 2, "value mask [batch, Tv]"));
    TFLC_ASSIGN_OR_RETURN(ValueView f, MaskAsFloat(ctx, *vmask, "value_mask"));
    TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "value_mask/ExpandDims/dim", -2));
    mshape = {vmask->shape[0], 1, vmask->shape[1]};
    TFLC_ASSIGN_OR_RETURN(mask, Shaped(ctx, "ExpandDims", {f, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)}, mshape,
                                       "value_mask/ExpandDims"));
  }
  if (causal) {
    std::vector<float> c(static_cast<size_t>(tq * tv));
    for (int64_t i = 0; i < tq; ++i)
      for (int64_t j = 0; j < tv; ++j) c[static_cast<size_t>(i * tv + j)] = i >= j ? 1.0f : 0.0f;
    TFLC_ASSIGN_OR_RETURN(ValueView cm, ctx.ConstF32("causal_mask", {1, tq, tv}, c));
    if (mask) {
      Shape b;
      BroadcastShapes(mshape, {1, tq, tv}, &b);
      TFLC_ASSIGN_OR_RETURN(mask, Shaped(ctx, "Mul", {mask, cm}, {Attr::T()}, b, "mask/mul"));
      mshape = b;
    } else {
      mask = cm;
      mshape = {1, tq, tv};
    }
  }
  if (mask) { TFLC_ASSIGN_OR_RETURN(scores, AddMask(ctx, scores, sshape, mask, mshape, 0, -1e9f)); }
  TFLC_ASSIGN_OR_RETURN(ValueView probs, Shaped(ctx, "Softmax", {scores}, {Attr::T()}, sshape, "Softmax"));
  Tensor y;
  y.shape = {q.shape[0], tq, v.shape[2]};
  TFLC_ASSIGN_OR_RETURN(y.value, Shaped(ctx, "BatchMatMulV2", {probs, v.value},
                                        {Attr::T(), Attr::Bool("adj_x", false), Attr::Bool("adj_y", false)}, y.shape,
                                        "MatMul_1"));
  if (qmask) {
    TFLC_RETURN_IF_ERROR(ctx.ExpectRank(*qmask, 2, "query mask [batch, Tq]"));
    TFLC_ASSIGN_OR_RETURN(ValueView f, MaskAsFloat(ctx, *qmask, "query_mask"));
    TFLC_ASSIGN_OR_RETURN(ValueView dim, ctx.em().ScalarI32(ctx.scope(), "query_mask/ExpandDims/dim", -1));
    TFLC_ASSIGN_OR_RETURN(ValueView e, Shaped(ctx, "ExpandDims", {f, dim}, {Attr::T(), Attr::Type("Tdim", TFLC_TYPE_INT32)},
                                              {qmask->shape[0], qmask->shape[1], 1}, "query_mask/ExpandDims"));
    TFLC_ASSIGN_OR_RETURN(y.value, Shaped(ctx, "Mul", {y.value, e}, {Attr::T()}, y.shape, "mul_2"));
  }
  out->push_back(y);
  if (return_scores) out->push_back(Tensor{probs, sshape, TFLC_TYPE_FLOAT32});
  return OkStatus();
}

}  // namespace

Status ConvertAttention(LayerContext& ctx, std::vector<Tensor>* out) { return DenseAttention(ctx, false, out); }
Status ConvertAdditiveAttention(LayerContext& ctx, std::vector<Tensor>* out) { return DenseAttention(ctx, true, out); }

}  // namespace tflc::keras
