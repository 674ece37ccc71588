// UNIDIRECTIONAL_SEQUENCE_LSTM (tflite/kernels/unidirectional_sequence_lstm.cc, lstm_eval.cc).
//
// Inputs: 0 input [batch, time, in] ([time, batch, in] when time_major),
//   1-4 input_to_{input,forget,cell,output}_weights [n_cell, in] (input gate optional = CIFG),
//   5-8 recurrent_to_{...}_weights [n_cell, n_output], 9-11 cell_to_{input,forget,output} peepholes
//   [n_cell] (optional), 12-15 {input,forget,cell,output} gate bias [n_cell], 16 projection_weights
//   [n_output, n_cell] and 17 projection_bias [n_output] (optional), 18 output (activation) state
//   [batch, n_output], 19 cell state [batch, n_cell], 20-23 layer norm coefficients (optional).
// Output: [batch, time, n_output] ([time, batch, n_output] when time_major).
#include <algorithm>
#include <cmath>

#include "common.h"
#include "ops.h"

namespace tflc::opset_builtin {
namespace {

enum LstmInput : size_t {
  kInput = 0,
  kInputToInput = 1, kInputToForget = 2, kInputToCell = 3, kInputToOutput = 4,
  kRecurrentToInput = 5, kRecurrentToForget = 6, kRecurrentToCell = 7, kRecurrentToOutput = 8,
  kCellToInput = 9, kCellToForget = 10, kCellToOutput = 11,
  kInputGateBias = 12, kForgetGateBias = 13, kCellGateBias = 14, kOutputGateBias = 15,
  kProjectionWeights = 16, kProjectionBias = 17,
  kOutputState = 18, kCellState = 19,
  kFirstLayerNorm = 20,
};

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

Status InferUnidirectionalSequenceLstm(ShapeContext& c) {
  TFLC_RETURN_IF_ERROR(c.ExpectInputs(20, 24));
  TFLC_RETURN_IF_ERROR(c.ExpectOutputs(1));
  for (size_t i : {kInput, kInputToForget, kInputToCell, kInputToOutput, kRecurrentToForget, kRecurrentToCell,
                   kRecurrentToOutput, kForgetGateBias, kCellGateBias, kOutputGateBias}) {
    TFLC_RETURN_IF_ERROR(c.Require(i, i == kInput ? "input" : "mandatory weight/bias"));
  }
  TFLC_RETURN_IF_ERROR(c.ExpectRank(kInput, 3, "input"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(kInputToOutput, 2, "input_to_output_weights"));
  TFLC_RETURN_IF_ERROR(c.ExpectRank(kRecurrentToOutput, 2, "recurrent_to_output_weights"));
  TFLC_ASSIGN_OR_RETURN(bool time_major, c.Bool("time_major", false));
  const Dims in = c.rank(kInput) == 3 ? c.dims(kInput) : Dims(3, kUnknownDim);
  const Dims wo = c.rank(kInputToOutput) == 2 ? c.dims(kInputToOutput) : Dims(2, kUnknownDim);
  const Dims ro = c.rank(kRecurrentToOutput) == 2 ? c.dims(kRecurrentToOutput) : Dims(2, kUnknownDim);
  if (in[2] >= 0 && wo[1] >= 0 && in[2] != wo[1]) {
    return InvalidArgument("input size " + std::to_string(in[2]) + " != input_to_output_weights " + DimsToString(wo) +
                           " [n_cell, n_input]");
  }
  if (wo[0] >= 0 && ro[0] >= 0 && wo[0] != ro[0]) {
    return InvalidArgument("input_to_output_weights " + DimsToString(wo) + " and recurrent_to_output_weights " +
                           DimsToString(ro) + " disagree on n_cell");
  }
  int64_t n_output = ro[1];
  if (c.has_input(kProjectionWeights) && c.rank(kProjectionWeights) == 2) n_output = c.dims(kProjectionWeights)[0];
  // [batch, time, n_output], or [time, batch, n_output]: the two leading dims carry over either way.
  (void)time_major;
  return c.Set(0, c.type(kInput), {in[0], in[1], n_output});
}

Status EvalUnidirectionalSequenceLstm(EvalContext& c) {
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    if (c.has_input(i) && c.type(i) != TFLC_TYPE_FLOAT32) {
      return Unimplemented("UNIDIRECTIONAL_SEQUENCE_LSTM: the reference kernel handles FLOAT32 only (input " +
                           std::to_string(i) + " is " + TypeName(c.type(i)) + ")");
    }
  }
  for (size_t i = kFirstLayerNorm; i < c.num_inputs(); ++i) {
    if (c.has_input(i)) return Unimplemented("UNIDIRECTIONAL_SEQUENCE_LSTM: layer normalization is not supported by the reference kernel");
  }
  TFLC_ASSIGN_OR_RETURN(bool time_major, c.Bool("time_major", false));
  TFLC_ASSIGN_OR_RETURN(int64_t act, c.FusedActivation());
  TFLC_ASSIGN_OR_RETURN(double cell_clip, c.Float("cell_clip", 0.0));
  TFLC_ASSIGN_OR_RETURN(double proj_clip, c.Float("proj_clip", 0.0));
  const Dims in = c.dims(kInput);
  const int64_t batch = time_major ? in[1] : in[0], steps = time_major ? in[0] : in[1], n_input = in[2];
  const int64_t n_cell = c.dims(kInputToOutput)[0];
  const int64_t n_output = c.out_dims(0)[2];
  const int64_t n_recurrent = c.dims(kRecurrentToOutput)[1];  // == n_output
  const bool cifg = !c.has_input(kInputToInput);
  const bool peephole = c.has_input(kCellToForget);
  const bool projection = c.has_input(kProjectionWeights);
  auto w = [&](size_t i) { return c.in<float>(i); };

  std::vector<float> h(static_cast<size_t>(batch * n_output), 0.f), cell(static_cast<size_t>(batch * n_cell), 0.f);
  if (c.data(kOutputState)) std::copy(w(kOutputState), w(kOutputState) + h.size(), h.begin());
  if (c.data(kCellState)) std::copy(w(kCellState), w(kCellState) + cell.size(), cell.begin());
  std::vector<float> gi(n_cell), gf(n_cell), gc(n_cell), go(n_cell), hc(n_cell);
  const float* x_all = w(kInput);
  float* out = c.out<float>(0);

  // gate[u] = bias[u] + W[u,:] . x + R[u,:] . h_prev
  auto gate = [&](size_t wi, size_t ri, size_t bi, const float* x, const float* hp, std::vector<float>& g) {
    const float* W = w(wi);
    const float* R = w(ri);
    const float* B = w(bi);
    for (int64_t u = 0; u < n_cell; ++u) {
      float s = B ? B[u] : 0.f;
      for (int64_t k = 0; k < n_input; ++k) s += W[u * n_input + k] * x[k];
      for (int64_t k = 0; k < n_recurrent; ++k) s += R[u * n_recurrent + k] * hp[k];
      g[u] = s;
    }
  };

  for (int64_t t = 0; t < steps; ++t) {
    for (int64_t b = 0; b < batch; ++b) {
      const float* x = x_all + (time_major ? (t * batch + b) : (b * steps + t)) * n_input;
      float* hp = h.data() + b * n_output;
      float* cp = cell.data() + b * n_cell;
      if (!cifg) gate(kInputToInput, kRecurrentToInput, kInputGateBias, x, hp, gi);
      gate(kInputToForget, kRecurrentToForget, kForgetGateBias, x, hp, gf);
      gate(kInputToCell, kRecurrentToCell, kCellGateBias, x, hp, gc);
      gate(kInputToOutput, kRecurrentToOutput, kOutputGateBias, x, hp, go);
      for (int64_t u = 0; u < n_cell; ++u) {
        if (peephole) {
          if (!cifg && c.has_input(kCellToInput)) gi[u] += w(kCellToInput)[u] * cp[u];
          gf[u] += w(kCellToForget)[u] * cp[u];
        }
        const float f = Sigmoid(gf[u]);
        const float i = cifg ? 1.f - f : Sigmoid(gi[u]);
        float cn = f * cp[u] + i * ApplyActivation(act, gc[u]);
        if (cell_clip > 0) cn = std::clamp(cn, static_cast<float>(-cell_clip), static_cast<float>(cell_clip));
        cp[u] = cn;
        if (peephole && c.has_input(kCellToOutput)) go[u] += w(kCellToOutput)[u] * cn;
        hc[u] = Sigmoid(go[u]) * ApplyActivation(act, cn);
      }
      if (projection) {
        const float* P = w(kProjectionWeights);
        const float* pb = c.has_input(kProjectionBias) ? w(kProjectionBias) : nullptr;
        for (int64_t o = 0; o < n_output; ++o) {
          float s = pb ? pb[o] : 0.f;
          for (int64_t u = 0; u < n_cell; ++u) s += P[o * n_cell + u] * hc[u];
          if (proj_clip > 0) s = std::clamp(s, static_cast<float>(-proj_clip), static_cast<float>(proj_clip));
          hp[o] = s;
        }
      } else {
        std::copy(hc.begin(), hc.end(), hp);
      }
      float* dst = out + (time_major ? (t * batch + b) : (b * steps + t)) * n_output;
      std::copy(hp, hp + n_output, dst);
    }
  }
  return OkStatus();
}

}  // namespace tflc::opset_builtin
