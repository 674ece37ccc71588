#include "quant_common/full_integer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "tflc/sdk/plugin.h"
#include "quant_common/bias_correction.h"
#include "quant_common/uses.h"
#include "quant_common/weights.h"

namespace tflc::quant {
namespace {

using sdk::GraphBuilder;
using sdk::NodeView;
using sdk::ValueView;

struct Params {
  float scale = 1.f;
  int64_t zero_point = 0;
  bool operator==(const Params& o) const { return scale == o.scale && zero_point == o.zero_point; }
  bool operator<(const Params& o) const { return scale != o.scale ? scale < o.scale : zero_point < o.zero_point; }
};

struct Mode {
  Activations act;
  TflcDataType type;  // activation type
  uint32_t kernel_bit;
  const char* name;
};

std::string OptionOr(const TflcHostApi* host, const TflcOptions* options, const char* key, const char* def) {
  std::string v;
  return sdk::GetOption(host, options, key, &v) && !v.empty() ? v : def;
}
std::string OptionOr(const TflcQuantize_Args* a, const char* key, const char* def) {
  return OptionOr(a->host, a->options, key, def);
}

// Bias correction is on by default for 16x8, where int16 activations leave the int8 weights'
// rounding as the main error; int8 keeps TensorFlow's biases unless asked (its activation rounding
// dominates, and users compare its numbers with TensorFlow's).
std::string BiasCorrectionOption(const TflcHostApi* host, const TflcOptions* options, Activations act) {
  return OptionOr(host, options, "bias_correction", act == Activations::kInt16 ? "true" : "false");
}

std::set<std::string> UpperList(const std::string& s) {
  const std::vector<std::string> items = sdk::OptionList(s);
  return std::set<std::string>(items.begin(), items.end());
}

TflcDataType IoType(const std::string& s, TflcDataType act) {
  auto l = UpperList(s);
  if (l.empty() || l.count("FLOAT32")) return TFLC_TYPE_FLOAT32;
  if (l.count("INT8")) return TFLC_TYPE_INT8;
  if (l.count("UINT8")) return TFLC_TYPE_UINT8;
  if (l.count("INT16")) return TFLC_TYPE_INT16;
  return act;
}

// Activation parameters from a range, as TFLite's quantization_utils GetAsymmetricQuantizationParams
// (int8: the range widened to include 0, the zero point nudged into [-128, 127]) and
// GetSymmetricQuantizationParams (int16: zero point 0).
Params FromRange(const Mode& m, float lo, float hi) {
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  if (m.act == Activations::kInt16) {
    const double a = std::max(-static_cast<double>(lo), static_cast<double>(hi));
    return {static_cast<float>(a > 0 ? a / 32767.0 : 1.0 / 32767.0), 0};
  }
  double scale = (static_cast<double>(hi) - lo) / 255.0;
  if (scale <= 0) scale = 1.0 / 255.0;
  const double zp_from_min = -128.0 - lo / scale;
  int64_t zp = zp_from_min <= -128 ? -128 : zp_from_min >= 127 ? 127 : static_cast<int64_t>(std::round(zp_from_min));
  return {static_cast<float>(scale), zp};
}

bool Bit(uint64_t mask, size_t i) { return i < 64 && ((mask >> i) & 1u); }

class Quantizer {
 public:
  Quantizer(const TflcQuantize_Args* a, Mode m) : a_(a), m_(m), g_(a->host, a->graph) {}

  Status Run() {
    const std::string correction = BiasCorrectionOption(a_->host, a_->options, m_.act);
    if (correction != "true" && correction != "false") {
      return InvalidArgument("--bias_correction must be true or false, got '" + correction + "'");
    }
    bias_correction_ = correction == "true";
    // Subgraphs (loop bodies, branches) keep float32 inputs and outputs: they are bound to the
    // operands of the node that calls them (WHILE / IF, which stay float), and quantize inside
    // behind QUANTIZE / DEQUANTIZE. The inference types are the model's, i.e. the entry graphs'.
    const bool entry = !g_.is_subgraph();
    const TflcDataType in_type = entry ? IoType(OptionOr(a_, "inference_input_type", ""), m_.type) : TFLC_TYPE_FLOAT32;
    const TflcDataType out_type = entry ? IoType(OptionOr(a_, "inference_output_type", ""), m_.type) : TFLC_TYPE_FLOAT32;
    const auto ops = UpperList(OptionOr(a_, "target_spec.supported_ops", ""));
    const bool strict = !ops.count("TFLITE_BUILTINS") && !ops.count("SELECT_TF_OPS") &&
                        (ops.count("TFLITE_BUILTINS_INT8") ||
                         ops.count("EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"));

    std::vector<NodeView> nodes;
    for (size_t i = 0; i < g_.num_nodes(); ++i) nodes.push_back(g_.node(i));
    TFLC_RETURN_IF_ERROR(Classify(nodes, strict));
    TFLC_RETURN_IF_ERROR(QuantizeInputs(in_type));
    for (const NodeView& n : nodes) {
      if (quantized_.count(n.get())) {
        TFLC_RETURN_IF_ERROR(QuantizeNode(n));
      } else {
        TFLC_RETURN_IF_ERROR(FloatNode(n));
      }
    }
    return QuantizeOutputs(out_type);
  }

 private:
  // ---- which nodes become integer ----
  static bool IsFloatCompute(const NodeView& n) {
    for (size_t i = 0; i < n.num_outputs(); ++i) {
      if (n.output(i) && n.output(i).type() == TFLC_TYPE_FLOAT32) return true;
    }
    return false;
  }

  bool CanQuantize(const NodeView& n, std::string* why) const {
    const TflcOpQuantSpec* spec = n.quant_spec();
    if (!spec || !(spec->kernels & m_.kernel_bit)) {
      *why = "no kernel";
      return false;
    }
    const TflcOpsetEntry* e = n.opset_entry();
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      ValueView v = n.input(i);
      if (!v || Bit(spec->unquantized_inputs, i)) continue;
      if (v.type() != TFLC_TYPE_FLOAT32) {
        *why = "non-float input";
        return false;
      }
      const bool weight = e && static_cast<int64_t>(i) == e->weight_input;
      const bool bias = e && static_cast<int64_t>(i) == e->bias_input;
      if ((weight || bias) && !v.is_const()) {
        *why = "non-constant weights";
        return false;
      }
      float lo, hi;
      if (!v.is_const() && !v.Range(&lo, &hi)) {
        *why = "input without calibrated range";
        return false;
      }
    }
    for (size_t i = 0; i < n.num_outputs(); ++i) {
      ValueView o = n.output(i);
      float lo, hi;
      if (o.type() != TFLC_TYPE_FLOAT32) {
        *why = "non-float output";
        return false;
      }
      if (spec->output == TFLC_QUANT_OUTPUT_RANGE && !o.Range(&lo, &hi)) {
        *why = "output without calibrated range";
        return false;
      }
    }
    return true;
  }

  // A node that calls subgraphs (WHILE, IF: a TFLC_ATTR_GRAPH attribute) computes nothing itself:
  // its subgraphs are quantized on their own, and it passes float values through.
  static bool CallsSubgraphs(const NodeView& n) {
    for (const std::string& name : n.AttrNames()) {
      TflcAttrValue v;
      if (n.GetAttr(name, &v) && v.kind == TFLC_ATTR_GRAPH) return true;
    }
    return false;
  }

  Status Classify(const std::vector<NodeView>& nodes, bool strict) {
    std::map<std::string, std::vector<std::string>> missing;  // op -> node names
    for (const NodeView& n : nodes) {
      if (!IsFloatCompute(n)) continue;
      std::string why;
      if (CanQuantize(n, &why)) {
        quantized_.insert(n.get());
      } else if (why == "no kernel" && !CallsSubgraphs(n)) {
        missing[std::string(n.op())].push_back(std::string(n.name()));
      }
    }
    if (strict && !missing.empty()) {
      std::string list;
      for (const auto& [op, names] : missing) {
        list += "\n  " + op + " x" + std::to_string(names.size()) + ": ";
        for (size_t i = 0; i < names.size() && i < 3; ++i) list += (i ? ", " : "") + names[i];
        if (names.size() > 3) list += ", ...";
      }
      return Status(TFLC_CODE_INVALID_ARGUMENT,
                    std::string("only integer ops were asked for (--target_spec.supported_ops without TFLITE_BUILTINS), "
                                "but these ops have no ") + m_.name + " kernel:" + list +
                        "\nWhat to do: add TFLITE_BUILTINS to --target_spec.supported_ops to keep them in float "
                        "between QUANTIZE and DEQUANTIZE ops.");
    }
    return OkStatus();
  }

  // ---- values ----
  bool IsInt(const ValueView& v) const { return params_.count(v.get()) > 0; }

  Params RangeParams(const ValueView& v) const {
    float lo = 0, hi = 0;
    if (!v.Range(&lo, &hi) && v.is_const() && v.type() == TFLC_TYPE_FLOAT32) {
      const float* d = v.data_as<float>();
      const int64_t n = v.num_elements();
      lo = hi = n > 0 ? d[0] : 0.f;
      for (int64_t i = 0; i < n; ++i) {
        lo = std::min(lo, d[i]);
        hi = std::max(hi, d[i]);
      }
    }
    return FromRange(m_, lo, hi);
  }

  Status MakeInt(const ValueView& v, TflcDataType type, const Params& p) {
    TFLC_RETURN_IF_ERROR(v.SetShape(type, v.dims()));
    TFLC_RETURN_IF_ERROR(v.SetQuant(p.scale, p.zero_point));
    if (type == m_.type) params_[v.get()] = p;
    return OkStatus();
  }

  // A new QUANTIZE / DEQUANTIZE of `v` whose output has `type` (and `p` unless float).
  StatusOr<ValueView> Convert(const char* op, const ValueView& v, TflcDataType type, const Params* p,
                              const std::string& suffix) {
    TFLC_ASSIGN_OR_RETURN(NodeView n, g_.Builtin(op, std::string(v.name()) + suffix, {v}, 1));
    ValueView out = n.output(0);
    TFLC_RETURN_IF_ERROR(out.SetShape(type, v.dims()));
    if (p) TFLC_RETURN_IF_ERROR(out.SetQuant(p->scale, p->zero_point));
    return out;
  }

  // `v` (float, not constant) as an activation-typed integer value.
  StatusOr<ValueView> Quantized(const ValueView& v) {
    if (IsInt(v)) return v;
    auto it = q_cache_.find(v.get());
    if (it != q_cache_.end()) return ValueView(g_.host(), it->second);
    const Params p = RangeParams(v);
    TFLC_ASSIGN_OR_RETURN(ValueView q, Convert("QUANTIZE", v, m_.type, &p, "_quantized"));
    params_[q.get()] = p;
    q_cache_[v.get()] = q.get();
    return q;
  }

  // `v` (integer) requantized to `p`.
  StatusOr<ValueView> Requantized(const ValueView& v, const Params& p) {
    if (params_.at(v.get()) == p) return v;
    auto key = std::make_pair(v.get(), p);
    auto it = rq_cache_.find(key);
    if (it != rq_cache_.end()) return ValueView(g_.host(), it->second);
    TFLC_ASSIGN_OR_RETURN(ValueView q, Convert("QUANTIZE", v, m_.type, &p, "_requantized"));
    params_[q.get()] = p;
    rq_cache_[key] = q.get();
    return q;
  }

  StatusOr<ValueView> Dequantized(const ValueView& v) {
    auto it = dq_cache_.find(v.get());
    if (it != dq_cache_.end()) return ValueView(g_.host(), it->second);
    TFLC_ASSIGN_OR_RETURN(ValueView f, Convert("DEQUANTIZE", v, TFLC_TYPE_FLOAT32, nullptr, "_dequantized"));
    dq_cache_[v.get()] = f.get();
    return f;
  }

  // A float constant that is not weights or bias (an ADD / MUL operand, a PRELU alpha...): per-tensor
  // with its own range, or with `p` when the kernel needs the output's parameters.
  StatusOr<ValueView> QuantizedConst(const ValueView& c, const Params* p) {
    const Params q = p ? *p : RangeParams(c);
    const float* d = c.data_as<float>();
    const int64_t n = c.num_elements();
    ValueView out;
    if (m_.act == Activations::kInt16) {
      std::vector<int16_t> v(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        v[i] = static_cast<int16_t>(std::clamp<double>(std::round(d[i] / q.scale) + q.zero_point, -32768, 32767));
      }
      TFLC_ASSIGN_OR_RETURN(out, g_.Const(c.name(), TFLC_TYPE_INT16, c.dims(), v));
    } else {
      std::vector<int8_t> v(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        v[i] = static_cast<int8_t>(std::clamp<double>(std::round(d[i] / q.scale) + q.zero_point, -128, 127));
      }
      TFLC_ASSIGN_OR_RETURN(out, g_.Const(c.name(), TFLC_TYPE_INT8, c.dims(), v));
    }
    TFLC_RETURN_IF_ERROR(out.SetQuant(q.scale, q.zero_point));
    params_[out.get()] = q;
    return out;
  }

  // ---- graph inputs and outputs ----
  Status QuantizeInputs(TflcDataType in_type) {
    for (size_t k = 0; k < g_.num_inputs(); ++k) {
      ValueView x = g_.input(k);
      if (x.type() != TFLC_TYPE_FLOAT32 || in_type == TFLC_TYPE_FLOAT32) continue;
      const Params p = RangeParams(x);
      if (in_type == m_.type) {
        TFLC_RETURN_IF_ERROR(MakeInt(x, m_.type, p));
        continue;
      }
      // uint8 in, int8 inside: the input keeps the int8 scale with the zero point shifted by 128,
      // and a QUANTIZE converts (as the official converter does).
      TflcNode* quantize = nullptr;
      TFLC_ASSIGN_OR_RETURN(NodeView n, g_.Builtin("QUANTIZE", std::string(x.name()) + "_int8", {x}, 1));
      quantize = n.get();
      ValueView x8 = n.output(0);
      TFLC_RETURN_IF_ERROR(x.ReplaceAllUsesWith(x8));
      TFLC_RETURN_IF_ERROR(NodeView(g_.host(), quantize).SetInput(0, x));
      TFLC_RETURN_IF_ERROR(x.SetShape(TFLC_TYPE_UINT8, x.dims()));
      TFLC_RETURN_IF_ERROR(x.SetQuant(p.scale, p.zero_point + 128));
      TFLC_RETURN_IF_ERROR(x8.SetShape(m_.type, x.dims()));
      TFLC_RETURN_IF_ERROR(MakeInt(x8, m_.type, p));
    }
    return OkStatus();
  }

  Status QuantizeOutputs(TflcDataType out_type) {
    for (size_t k = 0; k < g_.num_outputs(); ++k) {
      ValueView y = g_.output(k);
      if (y.type() != TFLC_TYPE_FLOAT32 && !IsInt(y)) continue;  // int32 results etc.
      if (out_type == TFLC_TYPE_FLOAT32) {
        if (IsInt(y)) {
          TFLC_ASSIGN_OR_RETURN(ValueView f, Dequantized(y));
          TFLC_RETURN_IF_ERROR(g_.SetOutput(k, f));
        }
        continue;
      }
      ValueView q = y;
      if (!IsInt(y)) {
        TFLC_ASSIGN_OR_RETURN(q, Quantized(y));
      }
      if (out_type == TFLC_TYPE_UINT8) {
        Params p = params_.at(q.get());
        p.zero_point += 128;
        TFLC_ASSIGN_OR_RETURN(q, Convert("QUANTIZE", q, TFLC_TYPE_UINT8, &p, "_uint8"));
      }
      if (q.get() != y.get()) TFLC_RETURN_IF_ERROR(g_.SetOutput(k, q));
    }
    return OkStatus();
  }

  // ---- nodes ----
  Status FloatNode(const NodeView& n) {
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      ValueView v = n.input(i);
      if (v && IsInt(v)) {
        TFLC_ASSIGN_OR_RETURN(ValueView f, Dequantized(v));
        TFLC_RETURN_IF_ERROR(n.SetInput(i, f));
      }
    }
    return OkStatus();
  }

  Status QuantizeNode(const NodeView& n) {
    const TflcOpQuantSpec* spec = n.quant_spec();
    const TflcOpsetEntry* e = n.opset_entry();
    const int64_t wi = e ? e->weight_input : -1, bi = e ? e->bias_input : -1;
    // The activation the weights multiply (input 0, or e.g. input 2 of TRANSPOSE_CONV), and its
    // calibrated channel means (read before the input is replaced by an integer value).
    size_t act_index = n.num_inputs();
    for (size_t i = 0; i < n.num_inputs() && act_index == n.num_inputs(); ++i) {
      if (static_cast<int64_t>(i) != wi && static_cast<int64_t>(i) != bi && !Bit(spec->unquantized_inputs, i)) act_index = i;
    }
    const std::vector<float> act_means =
        wi >= 0 && bias_correction_ && act_index < n.num_inputs() && n.input(act_index) ? n.input(act_index).ChannelMeans()
                                                                                       : std::vector<float>();
    // Activation inputs (and constants that are neither weights nor bias, unless they must share
    // the output's parameters: those wait until the output's are known).
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      ValueView v = n.input(i);
      if (!v || Bit(spec->unquantized_inputs, i) || static_cast<int64_t>(i) == wi || static_cast<int64_t>(i) == bi) continue;
      if (v.is_const()) {
        if (Bit(spec->same_scale_inputs, i)) continue;
        TFLC_ASSIGN_OR_RETURN(ValueView q, QuantizedConst(v, nullptr));
        TFLC_RETURN_IF_ERROR(n.SetInput(i, q));
      } else {
        TFLC_ASSIGN_OR_RETURN(ValueView q, Quantized(v));
        if (q.get() != v.get()) TFLC_RETURN_IF_ERROR(n.SetInput(i, q));
      }
    }
    // Output parameters.
    std::vector<Params> out(n.num_outputs());
    for (size_t k = 0; k < n.num_outputs(); ++k) {
      switch (spec->output) {
        case TFLC_QUANT_OUTPUT_FIXED:
          out[k] = m_.act == Activations::kInt16 ? Params{spec->int16_scale, spec->int16_zero_point}
                                                 : Params{spec->int8_scale, spec->int8_zero_point};
          break;
        case TFLC_QUANT_OUTPUT_SAME_AS_INPUT: {
          ValueView src = n.input(DataInput(n, spec));
          out[k] = src && IsInt(src) ? params_.at(src.get()) : RangeParams(n.output(k));
          break;
        }
        default:
          out[k] = RangeParams(n.output(k));
      }
    }
    // Inputs that must carry the output's parameters.
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      ValueView v = n.input(i);
      if (!v || !Bit(spec->same_scale_inputs, i) || Bit(spec->unquantized_inputs, i)) continue;
      if (v.is_const() && !IsInt(v)) {
        TFLC_ASSIGN_OR_RETURN(ValueView q, QuantizedConst(v, &out[0]));
        TFLC_RETURN_IF_ERROR(n.SetInput(i, q));
      } else if (IsInt(v)) {
        TFLC_ASSIGN_OR_RETURN(ValueView q, Requantized(v, out[0]));
        if (q.get() != v.get()) TFLC_RETURN_IF_ERROR(n.SetInput(i, q));
      }
    }
    // Weights and bias.
    std::vector<float> wscales;
    std::vector<double> shift;  // bias correction: E[(Wq - W) x] per output channel
    const ValueView act = act_index < n.num_inputs() ? n.input(act_index) : ValueView();
    const float in_scale = act && IsInt(act) ? params_.at(act.get()).scale : 1.f;
    const bool has_bias = bi >= 0 && static_cast<size_t>(bi) < n.num_inputs() && n.input(bi);
    if (wi >= 0 && static_cast<size_t>(wi) < n.num_inputs() && n.input(wi)) {
      ValueView w = n.input(wi);
      const int32_t axis = e->weight_output_axis >= 0 && e->weight_output_axis < w.rank() ? e->weight_output_axis : -1;
      TFLC_ASSIGN_OR_RETURN(ValueView qw, Weights(w, axis, has_bias ? n.input(bi) : ValueView(), in_scale));
      wscales = qw.quant().scales;
      if (has_bias && !act_means.empty() && e) {
        Int8Weights q;
        q.data.assign(qw.data_as<int8_t>(), qw.data_as<int8_t>() + qw.num_elements());
        q.scales = wscales;
        q.axis = axis;
        shift = WeightRoundingShift(w.data_as<float>(), w.dims(), q, e->weight_output_axis,
                                    TFLC_HAS_FIELD(e, TflcOpsetEntry, weight_input_channel_axis) ? e->weight_input_channel_axis : -1,
                                    act_means);
      }
      TFLC_RETURN_IF_ERROR(n.SetInput(static_cast<size_t>(wi), qw));
    }
    if (has_bias) TFLC_RETURN_IF_ERROR(QuantizeBias(n, static_cast<size_t>(bi), in_scale, wscales, shift));
    for (size_t k = 0; k < n.num_outputs(); ++k) TFLC_RETURN_IF_ERROR(MakeInt(n.output(k), m_.type, out[k]));
    // int16 ADD / SUB: general scales, not the power-of-two-only kernel.
    if (m_.act == Activations::kInt16 && FindOptionField(e, "pot_scale_int16")) {
      TFLC_RETURN_IF_ERROR(n.SetBool("pot_scale_int16", false));
    }
    return OkStatus();
  }

  // The input whose parameters a SAME_AS_INPUT output takes: the first same-scale input, else the
  // first activation input.
  static size_t DataInput(const NodeView& n, const TflcOpQuantSpec* spec) {
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      if (Bit(spec->same_scale_inputs, i) && !Bit(spec->unquantized_inputs, i)) return i;
    }
    for (size_t i = 0; i < n.num_inputs(); ++i) {
      if (!Bit(spec->unquantized_inputs, i)) return i;
    }
    return 0;
  }

  // Symmetric int8 weights. A channel whose weights are (near) zero gets a tiny scale, and its bias
  // divided by input_scale x that scale would overflow the integer bias (and the kernel's int32
  // accumulator): such channels get the smallest weight scale that keeps |bias| below 2^28 steps,
  // as TFLite's quantizer adjusts weight scales for bias (the weights stay ~0 either way).
  StatusOr<ValueView> Weights(const ValueView& w, int32_t axis, const ValueView& bias, float in_scale) {
    std::vector<float> min_scales;
    if (bias && bias.is_const() && bias.type() == TFLC_TYPE_FLOAT32 && in_scale > 0) {
      constexpr double kMaxBiasSteps = 268435456.0;  // 2^28
      const float* b = bias.data_as<float>();
      const int64_t nb = bias.num_elements();
      const int64_t channels = axis < 0 ? 1 : w.dim(axis);
      min_scales.assign(static_cast<size_t>(channels), 0.f);
      for (int64_t k = 0; k < nb; ++k) {
        const size_t c = channels == nb ? static_cast<size_t>(k) : 0;
        const double need = std::fabs(static_cast<double>(b[k])) / (static_cast<double>(in_scale) * kMaxBiasSteps);
        min_scales[c] = std::max(min_scales[c], static_cast<float>(need));
      }
    }
    return AddInt8Weights(g_, w, axis, min_scales);
  }


  // int32 (int8 kernels) or int64 / int32 (int16x8 kernels, per the op's spec) bias with scale
  // input_scale x weight_scale[c] and zero point 0. `shift` (empty, or one per channel) is
  // subtracted first: bias correction (quant_common/bias_correction.h).
  Status QuantizeBias(const NodeView& n, size_t index, float in_scale, const std::vector<float>& wscales,
                      const std::vector<double>& shift) {
    ValueView b = n.input(index);
    const int64_t count = b.num_elements();
    std::vector<double> d(b.data_as<float>(), b.data_as<float>() + count);
    if (static_cast<int64_t>(shift.size()) == count) {
      for (int64_t c = 0; c < count; ++c) d[c] -= shift[c];
    }
    const bool per_channel = wscales.size() > 1 && static_cast<int64_t>(wscales.size()) == count;
    std::vector<float> scales;
    for (int64_t c = 0; c < (per_channel ? count : 1); ++c) {
      scales.push_back(in_scale * (wscales.empty() ? 1.f : wscales[per_channel ? c : 0]));
    }
    TflcDataType type = TFLC_TYPE_INT32;
    if (m_.act == Activations::kInt16) {
      const TflcOpQuantSpec* spec = n.quant_spec();
      type = spec->int16_bias_type == TFLC_TYPE_INT32 ? TFLC_TYPE_INT32 : TFLC_TYPE_INT64;
    }
    auto q = [&](int64_t c) {
      const double s = scales[per_channel ? c : 0];
      return s > 0 ? std::round(d[c] / s) : 0.0;
    };
    ValueView out;
    if (type == TFLC_TYPE_INT32) {
      std::vector<int32_t> v(static_cast<size_t>(count));
      for (int64_t c = 0; c < count; ++c) v[c] = static_cast<int32_t>(std::clamp<double>(q(c), INT32_MIN, INT32_MAX));
      TFLC_ASSIGN_OR_RETURN(out, g_.Const(b.name(), type, b.dims(), v));
    } else {
      std::vector<int64_t> v(static_cast<size_t>(count));
      for (int64_t c = 0; c < count; ++c) v[c] = static_cast<int64_t>(q(c));
      TFLC_ASSIGN_OR_RETURN(out, g_.Const(b.name(), type, b.dims(), v));
    }
    ValueView::Quant qp;
    qp.scales = scales;
    qp.zero_points.assign(scales.size(), 0);
    qp.quantized_dimension = 0;
    TFLC_RETURN_IF_ERROR(out.SetQuant(qp));
    return n.SetInput(index, out);
  }

  const TflcQuantize_Args* a_;
  Mode m_;
  bool bias_correction_ = true;
  GraphBuilder g_;
  std::set<TflcNode*> quantized_;
  std::unordered_map<TflcValue*, Params> params_;  // integer activations (m_.type) and their params
  std::unordered_map<TflcValue*, TflcValue*> q_cache_, dq_cache_;
  std::map<std::pair<TflcValue*, Params>, TflcValue*> rq_cache_;
};

}  // namespace

uint32_t FullIntegerCalibrationStats(const TflcHostApi* host, const TflcOptions* options, Activations mode) {
  // An invalid value asks for the means too: Apply reports it.
  const bool means = BiasCorrectionOption(host, options, mode) != "false";
  uint32_t stats = TFLC_CALIBRATION_RANGES;
  if (means) stats |= TFLC_CALIBRATION_CHANNEL_MEANS;
  return stats;
}

TflcStatus* ApplyFullInteger(TflcQuantize_Args* args, Activations mode) {
  return sdk::Guard(args->host, [&]() -> Status {
    const Mode m = mode == Activations::kInt16
                       ? Mode{mode, TFLC_TYPE_INT16, TFLC_QUANT_KERNEL_INT16X8, "int16x8"}
                       : Mode{mode, TFLC_TYPE_INT8, TFLC_QUANT_KERNEL_INT8, "int8"};
    Quantizer q(args, m);
    return q.Run();
  });
}

}  // namespace tflc::quant
