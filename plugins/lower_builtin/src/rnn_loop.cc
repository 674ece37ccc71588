// Recognizes an untagged LSTM / GRU recurrence in a While loop (Keras 3 on the TF backend,
// Keras 2 backend.rnn without api_implements, hand-written loops) and replaces the loop by the
// tflc.LSTM / tflc.GRU composite, which lowers to UNIDIRECTIONAL_SEQUENCE_LSTM (LSTM) or unrolled
// builtins (GRU). TF's converter leaves such a loop a WHILE (or Flex ops); the fused kernel is
// faster and quantizes as one op.
//
// Runs inside the While row, on the LOWERED cond and body subgraphs (builtin ops, known shapes,
// TensorLists already plain tensors: an input list from TensorListFromTensor of the time-major
// transpose is [T, batch, in], GetItem is GATHER(list, time), SetItem is
// SELECT_V2(RESHAPE(EQUAL(RANGE, index)), RESHAPE(item), list)). The match is exact or nothing:
//   loop variables: counters (body: v + 1, constant int32 start), pass-throughs (body returns the
//     argument, maybe through a same-shape RESHAPE copy), state tensors [batch, units] (LSTM: h and
//     c; GRU: h), at most one output list [n, batch, units] written with the new h at the time
//     counter (n = T: the sequence) or at the constant 0 (n = 1: Keras' return_sequences=False).
//   cond: a conjunction (LOGICAL_AND) of `counter < limit` with constant limits; the trip count
//     (min of limit - start) must equal T, the length of the input list.
//   body: x_t = GATHER(in_list, time) with time a counter starting at 0; every gate pre-activation
//     is an AFFINE form of x_t and h, checked symbolically: FULLY_CONNECTED with constant weights
//     (fused activation NONE), ADD, constant biases, SPLIT / STRIDED_SLICE / SLICE along the last
//     axis, and (batch 1) the SQUEEZE / RESHAPE Keras 3 inserts. The weights of the composite are
//     rebuilt from the forms (so per-gate matmuls, split sums or sliced products all match).
//   LSTM (Keras LSTMCell, gate order i, f, c, o): c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
//   GRU (Keras GRUCell): h' = z·h + (1 − z)·h̃, z = σ(Gz), r = σ(Gr); reset_after:
//     h̃ = tanh(Fx + r·Fh) (Fx of x only, Fh of h only); reset_before: h̃ = tanh(G(x, r·h)).
// Anything else: not fused (the caller emits the WHILE). Facts: keras-team/keras
// keras/src/layers/rnn/lstm.py, gru.py (cell call), keras/src/backend/tensorflow/rnn.py.
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rnn_loop.h"

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

// A value of shape [batch, cols] as x_1·W_1 + ... + b: per atom (a [batch, k] value) a [k, cols]
// matrix (row-major), and a bias [cols].
struct Affine {
  int64_t cols = 0;
  std::map<TflcValue*, std::vector<float>> w;
  std::vector<float> b;
};

NodeView ProducerNode(const ValueView& v, std::string_view op, size_t* index = nullptr) {
  if (!v) return NodeView();
  NodeView n = v.producer(index);
  if (!n || n.domain() == TFLC_DOMAIN_SOURCE || n.op() != op) return NodeView();
  return n;
}

bool NoActivation(const NodeView& n) {
  auto a = n.IntAttrOr("fused_activation_function", 0);
  return a.ok() && *a == 0;
}

int64_t IntAttrOr(const NodeView& n, std::string_view name, int64_t d) {
  auto a = n.IntAttrOr(name, d);
  return a.ok() ? *a : -999;
}

// A same-shape RESHAPE (the copies Identity lowering makes) is the value itself.
ValueView StripCopies(ValueView v) {
  for (int guard = 0; guard < 8 && v; ++guard) {
    NodeView n = ProducerNode(v, "RESHAPE");
    if (!n || !n.input(0) || !v.fully_defined() || !n.input(0).fully_defined() || n.input(0).dims() != v.dims()) break;
    v = n.input(0);
  }
  return v;
}

std::optional<std::vector<int64_t>> ConstInts(const ValueView& v) {
  if (!v || !v.is_const() || (v.type() != TFLC_TYPE_INT32 && v.type() != TFLC_TYPE_INT64)) return std::nullopt;
  auto x = v.ConstVector<int64_t>();
  if (!x.ok()) return std::nullopt;
  return *x;
}

std::optional<int64_t> ConstScalarInt(const ValueView& v) {
  auto x = ConstInts(v);
  if (!x || x->size() != 1 || v.rank() > 1) return std::nullopt;
  return (*x)[0];
}

std::optional<std::vector<float>> ConstFloats(const ValueView& v) {
  if (!v || !v.is_const() || v.type() != TFLC_TYPE_FLOAT32 || !v.fully_defined()) return std::nullopt;
  auto x = v.ConstVector<float>();
  if (!x.ok() || static_cast<int64_t>(x->size()) != v.num_elements()) return std::nullopt;
  return *x;
}

// A constant matrix [rows, cols] (row-major): a constant, or TRANSPOSE(constant, [1, 0]).
std::optional<std::vector<float>> ConstMatrix(const ValueView& v, int64_t rows, int64_t cols) {
  if (!v || v.rank() != 2) return std::nullopt;
  if (v.is_const()) {
    if (v.dims() != std::vector<int64_t>{rows, cols}) return std::nullopt;
    return ConstFloats(v);
  }
  NodeView t = ProducerNode(v, "TRANSPOSE");
  if (!t) return std::nullopt;
  auto perm = ConstInts(t.input(1));
  if (!perm || *perm != std::vector<int64_t>{1, 0}) return std::nullopt;
  const ValueView src = t.input(0);
  if (!src || src.dims() != std::vector<int64_t>{cols, rows}) return std::nullopt;
  auto s = ConstFloats(src);
  if (!s) return std::nullopt;
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[static_cast<size_t>(r * cols + c)] = (*s)[static_cast<size_t>(c * rows + r)];
  return out;
}

class Matcher {
 public:
  explicit Matcher(int64_t batch) : batch_(batch) {}

  void AddAtom(const ValueView& v, int64_t k) { atoms_[v.get()] = k; }
  // Values MUL(σ(y), h) become atoms too (GRU reset_before); the σ inputs are recorded.
  void AllowResetProducts(const ValueView& h) { h_for_rh_ = h.get(); }
  const std::map<TflcValue*, ValueView>& reset_products() const { return rh_; }

  // The affine form of v, or nothing when v is not one.
  std::optional<Affine> Eval(const ValueView& v) {
    if (!v) return std::nullopt;
    auto hit = cache_.find(v.get());
    if (hit != cache_.end()) return hit->second;
    std::optional<Affine> r = Compute(v);
    if (r && !ShapeOk(v, *r)) r.reset();
    cache_[v.get()] = r;
    return r;
  }

 private:
  bool ShapeOk(const ValueView& v, const Affine& f) const {
    if (!v.fully_defined()) return false;
    const std::vector<int64_t> d = v.dims();
    if (d == std::vector<int64_t>{batch_, f.cols}) return true;
    // A row vector stands for every batch row only when it is constant or the batch is 1.
    const bool row = d == std::vector<int64_t>{f.cols} || d == std::vector<int64_t>{1, f.cols};
    return row && (batch_ == 1 || f.w.empty());
  }

  static Affine Zero(int64_t cols) {
    Affine a;
    a.cols = cols;
    a.b.assign(static_cast<size_t>(cols), 0.0f);
    return a;
  }

  // Columns [begin, end) of f.
  static Affine Columns(const Affine& f, int64_t begin, int64_t end) {
    Affine r = Zero(end - begin);
    for (int64_t c = begin; c < end; ++c) r.b[static_cast<size_t>(c - begin)] = f.b[static_cast<size_t>(c)];
    for (const auto& [atom, m] : f.w) {
      const int64_t k = static_cast<int64_t>(m.size()) / f.cols;
      std::vector<float> s(static_cast<size_t>(k * r.cols));
      for (int64_t i = 0; i < k; ++i)
        for (int64_t c = begin; c < end; ++c) s[static_cast<size_t>(i * r.cols + c - begin)] = m[static_cast<size_t>(i * f.cols + c)];
      r.w[atom] = std::move(s);
    }
    return r;
  }

  std::optional<Affine> Compute(const ValueView& v) {
    auto atom = atoms_.find(v.get());
    if (atom != atoms_.end()) {
      const int64_t k = atom->second;
      Affine a = Zero(k);
      std::vector<float> eye(static_cast<size_t>(k * k), 0.0f);
      for (int64_t i = 0; i < k; ++i) eye[static_cast<size_t>(i * k + i)] = 1.0f;
      a.w[v.get()] = std::move(eye);
      return a;
    }
    if (v.is_const()) {
      auto x = ConstFloats(v);
      if (!x || v.rank() < 1 || v.rank() > 2 || (v.rank() == 2 && v.dim(0) != 1)) return std::nullopt;
      Affine a = Zero(v.dim(-1));
      a.b = *x;
      return a;
    }
    size_t index = 0;
    NodeView n = v.producer(&index);
    if (!n || n.domain() == TFLC_DOMAIN_SOURCE) return std::nullopt;
    const std::string_view op = n.op();
    if (op == "FULLY_CONNECTED") {
      if (!NoActivation(n) || IntAttrOr(n, "weights_format", 0) != 0 || n.num_outputs() != 1) return std::nullopt;
      const ValueView in = n.input(0);
      auto a = in ? atoms_.find(in.get()) : atoms_.end();
      if (a == atoms_.end() && in && h_for_rh_) a = TryResetProduct(in);
      if (a == atoms_.end() || in.dims() != std::vector<int64_t>{batch_, a->second}) return std::nullopt;
      const ValueView w = n.input(1);
      if (!w || w.rank() != 2 || w.dim(1) != a->second || w.dim(0) <= 0) return std::nullopt;
      const int64_t cols = w.dim(0);
      auto m = ConstMatrix(w, cols, a->second);  // [cols, k]
      if (!m) return std::nullopt;
      Affine r = Zero(cols);
      std::vector<float> t(static_cast<size_t>(a->second * cols));
      for (int64_t i = 0; i < a->second; ++i)
        for (int64_t c = 0; c < cols; ++c) t[static_cast<size_t>(i * cols + c)] = (*m)[static_cast<size_t>(c * a->second + i)];
      r.w[in.get()] = std::move(t);
      if (n.num_inputs() > 2 && n.input(2)) {
        const ValueView bias = n.input(2);
        if (bias.dims() != std::vector<int64_t>{cols}) return std::nullopt;
        auto b = ConstFloats(bias);
        if (!b) return std::nullopt;
        r.b = *b;
      }
      return r;
    }
    if (op == "ADD") {
      if (!NoActivation(n) || n.num_inputs() != 2) return std::nullopt;
      auto p = Eval(n.input(0));
      if (!p) return std::nullopt;
      auto q = Eval(n.input(1));
      if (!q || p->cols != q->cols) return std::nullopt;
      for (size_t c = 0; c < p->b.size(); ++c) p->b[c] += q->b[c];
      for (auto& [atom, m] : q->w) {
        auto it = p->w.find(atom);
        if (it == p->w.end()) {
          p->w[atom] = m;
        } else {
          for (size_t i = 0; i < m.size(); ++i) it->second[i] += m[i];
        }
      }
      return p;
    }
    if (op == "RESHAPE" || op == "SQUEEZE") {
      auto p = Eval(n.input(0));
      if (!p || !v.fully_defined() || v.num_elements() != n.input(0).num_elements() || v.dim(-1) != p->cols) return std::nullopt;
      return p;
    }
    if (op == "SPLIT") {
      auto axis = ConstScalarInt(n.input(0));
      const ValueView x = n.input(1);
      if (!axis || !x || x.rank() < 1 || (*axis != -1 && *axis != x.rank() - 1)) return std::nullopt;
      const int64_t parts = IntAttrOr(n, "num_splits", -1);
      auto p = Eval(x);
      if (!p || parts <= 0 || p->cols % parts != 0 || static_cast<int64_t>(n.num_outputs()) != parts) return std::nullopt;
      const int64_t w = p->cols / parts, k = static_cast<int64_t>(index);
      return Columns(*p, k * w, (k + 1) * w);
    }
    if (op == "STRIDED_SLICE" || op == "SLICE") {
      const ValueView x = n.input(0);
      if (!x || x.rank() != 2 || !x.fully_defined()) return std::nullopt;
      auto p = Eval(x);
      auto begin = ConstInts(n.input(1)), second = ConstInts(n.input(2));
      if (!p || !begin || !second || begin->size() != 2 || second->size() != 2) return std::nullopt;
      const int64_t rows = x.dim(0), cols = p->cols;
      int64_t b1 = 0, e1 = 0;
      if (op == "SLICE") {
        if ((*begin)[0] != 0 || ((*second)[0] != -1 && (*second)[0] != rows)) return std::nullopt;
        b1 = (*begin)[1];
        e1 = (*second)[1] == -1 ? cols : b1 + (*second)[1];
      } else {
        auto strides = ConstInts(n.input(3));
        if (!strides || *strides != std::vector<int64_t>{1, 1}) return std::nullopt;
        if (IntAttrOr(n, "ellipsis_mask", 0) != 0 || IntAttrOr(n, "new_axis_mask", 0) != 0 ||
            IntAttrOr(n, "shrink_axis_mask", 0) != 0) return std::nullopt;
        auto offset = n.BoolAttrOr("offset", false);
        if (!offset.ok() || *offset) return std::nullopt;
        const int64_t bm = IntAttrOr(n, "begin_mask", 0), em = IntAttrOr(n, "end_mask", 0);
        if (bm < 0 || em < 0) return std::nullopt;
        if (!(bm & 1) && (*begin)[0] != 0) return std::nullopt;
        if (!(em & 1) && (*second)[0] < rows) return std::nullopt;
        b1 = (bm & 2) ? 0 : (*begin)[1];
        e1 = (em & 2) ? cols : (*second)[1];
        if (b1 < 0) b1 += cols;
        if (e1 < 0) e1 += cols;
        e1 = std::min(e1, cols);
      }
      if (b1 < 0 || e1 > cols || b1 >= e1) return std::nullopt;
      return Columns(*p, b1, e1);
    }
    return std::nullopt;
  }

  // MUL(LOGISTIC(y), h) (either order) registered as an atom of width units.
  std::map<TflcValue*, int64_t>::iterator TryResetProduct(const ValueView& v) {
    NodeView m = ProducerNode(v, "MUL");
    if (!m || !NoActivation(m) || m.num_inputs() != 2) return atoms_.end();
    for (int s = 0; s < 2; ++s) {
      const ValueView a = m.input(static_cast<size_t>(s)), b = m.input(static_cast<size_t>(1 - s));
      NodeView sig = ProducerNode(a, "LOGISTIC");
      if (!b || b.get() != h_for_rh_ || !sig || !sig.input(0)) continue;
      if (!v.fully_defined() || v.dims() != b.dims() || a.dims() != b.dims()) continue;
      rh_[v.get()] = sig.input(0);
      return atoms_.emplace(v.get(), b.dim(1)).first;
    }
    return atoms_.end();
  }

  int64_t batch_;
  std::map<TflcValue*, int64_t> atoms_;
  std::map<TflcValue*, std::optional<Affine>> cache_;
  TflcValue* h_for_rh_ = nullptr;
  std::map<TflcValue*, ValueView> rh_;
};

// The operands of a binary `op` (fused activation NONE) producing v, in both orders.
std::vector<std::pair<ValueView, ValueView>> Operands(const ValueView& v, std::string_view op) {
  NodeView n = ProducerNode(v, op);
  if (!n || n.num_inputs() != 2 || !NoActivation(n) || !n.input(0) || !n.input(1)) return {};
  return {{n.input(0), n.input(1)}, {n.input(1), n.input(0)}};
}

// The input of a unary `op` producing v.
ValueView UnaryInput(const ValueView& v, std::string_view op) {
  NodeView n = ProducerNode(v, op);
  return n && n.num_inputs() == 1 ? n.input(0) : ValueView();
}

// The [k, units] block of form f for atom a (zeros when absent), rows appended to `out` [k, g·units]
// at column block `gate` of `gates`.
void PutBlock(const Affine& f, TflcValue* a, int64_t k, int gate, int gates, std::vector<float>* out) {
  const int64_t u = f.cols, width = u * gates;
  auto it = f.w.find(a);
  for (int64_t i = 0; i < k; ++i)
    for (int64_t c = 0; c < u; ++c)
      (*out)[static_cast<size_t>(i * width + gate * u + c)] = it == f.w.end() ? 0.0f : it->second[static_cast<size_t>(i * u + c)];
}

bool OnlyAtoms(const Affine& f, std::initializer_list<TflcValue*> allowed) {
  for (const auto& [atom, m] : f.w)
    if (std::find(allowed.begin(), allowed.end(), atom) == allowed.end()) return false;
  return true;
}

bool AllZero(const ValueView& v) {
  auto x = ConstFloats(v);
  if (!x) return false;
  return std::all_of(x->begin(), x->end(), [](float f) { return f == 0.0f; });
}

// A constant the body returns for a loop variable that enters as an equal constant (the importer
// shares an invariant constant into the body): a pass-through.
bool SameConst(const ValueView& a, const ValueView& b) {
  if (!a.is_const() || !b.is_const() || a.type() != b.type() || a.rank() != b.rank() || a.dims() != b.dims() ||
      a.byte_size() != b.byte_size()) return false;
  return a.byte_size() == 0 || std::memcmp(a.data(), b.data(), a.byte_size()) == 0;
}

bool Used(const ValueView& v) { return v && (v.num_consumers() > 0 || v.is_graph_output()); }

enum class Role { kUnknown, kPass, kCounter, kList, kState };

struct Cell {
  bool lstm = true;
  bool reset_after = true;
  int64_t units = 0;
  std::vector<float> kernel, recurrent, bias;
  std::vector<int64_t> bias_dims;
  size_t h = 0, c = 0;  // loop variable indices of h (and c)
};

// LSTM with h var `hi`, c var `ci`: fills the cell or returns false.
bool MatchLstm(const GraphBuilder& body, size_t hi, size_t ci, const ValueView& x_t, int64_t in, int64_t batch,
               int64_t u, Cell* cell) {
  const ValueView h_in = body.input(hi), c_in = body.input(ci);
  const ValueView h_out = StripCopies(body.output(hi)), c_out = StripCopies(body.output(ci));
  Matcher m(batch);
  m.AddAtom(x_t, in);
  m.AddAtom(h_in, u);
  for (const auto& [o, tc] : Operands(h_out, "MUL")) {
    const ValueView go = UnaryInput(o, "LOGISTIC"), cn = UnaryInput(tc, "TANH");
    if (!go || !cn || cn.get() != c_out.get()) continue;
    for (const auto& [fc, ig] : Operands(c_out, "ADD")) {
      for (const auto& [f, cprev] : Operands(fc, "MUL")) {
        const ValueView gf = UnaryInput(f, "LOGISTIC");
        if (!gf || cprev.get() != c_in.get()) continue;
        for (const auto& [i, g] : Operands(ig, "MUL")) {
          const ValueView gi = UnaryInput(i, "LOGISTIC"), gg = UnaryInput(g, "TANH");
          if (!gi || !gg) continue;
          std::vector<Affine> forms;
          for (const ValueView& pre : {gi, gf, gg, go}) {
            auto f = m.Eval(pre);
            if (!f || f->cols != u || !OnlyAtoms(*f, {x_t.get(), h_in.get()})) break;
            forms.push_back(*f);
          }
          if (forms.size() != 4) continue;
          cell->lstm = true;
          cell->units = u;
          cell->kernel.assign(static_cast<size_t>(in * 4 * u), 0.0f);
          cell->recurrent.assign(static_cast<size_t>(u * 4 * u), 0.0f);
          cell->bias.clear();
          for (int k = 0; k < 4; ++k) {
            PutBlock(forms[static_cast<size_t>(k)], x_t.get(), in, k, 4, &cell->kernel);
            PutBlock(forms[static_cast<size_t>(k)], h_in.get(), u, k, 4, &cell->recurrent);
            cell->bias.insert(cell->bias.end(), forms[static_cast<size_t>(k)].b.begin(), forms[static_cast<size_t>(k)].b.end());
          }
          cell->bias_dims = {4 * u};
          cell->h = hi;
          cell->c = ci;
          return true;
        }
      }
    }
  }
  return false;
}

bool IsOnes(const ValueView& v) {
  auto x = ConstFloats(v);
  return x && !x->empty() && std::all_of(x->begin(), x->end(), [](float f) { return f == 1.0f; });
}

// GRU with h var `hi`: h' = z·h + (1 − z)·h̃ (Keras GRUCell).
bool MatchGru(const GraphBuilder& body, size_t hi, const ValueView& x_t, int64_t in, int64_t batch, int64_t u,
              Cell* cell) {
  const ValueView h_in = body.input(hi), h_out = StripCopies(body.output(hi));
  for (const auto& [keep, update] : Operands(h_out, "ADD")) {
    for (const auto& [z, hprev] : Operands(keep, "MUL")) {
      const ValueView gz = UnaryInput(z, "LOGISTIC");
      if (!gz || hprev.get() != h_in.get()) continue;
      for (const auto& [one_minus_z, cand] : Operands(update, "MUL")) {
        NodeView sub = ProducerNode(one_minus_z, "SUB");
        if (!sub || !NoActivation(sub) || sub.num_inputs() != 2 || !IsOnes(sub.input(0)) ||
            sub.input(1).get() != z.get()) continue;
        const ValueView pre = UnaryInput(cand, "TANH");
        if (!pre) continue;
        Matcher m(batch);
        m.AddAtom(x_t, in);
        m.AddAtom(h_in, u);
        auto fz = m.Eval(gz);
        if (!fz || fz->cols != u || !OnlyAtoms(*fz, {x_t.get(), h_in.get()})) continue;
        Affine fr, fx, fh;
        bool reset_after = false, ok = false;
        // reset_after: pre = Fx + r·Fh.
        for (const auto& [px, rh] : Operands(pre, "ADD")) {
          for (const auto& [r, ph] : Operands(rh, "MUL")) {
            const ValueView gr = UnaryInput(r, "LOGISTIC");
            if (!gr) continue;
            auto a = m.Eval(gr), b = m.Eval(px), c = m.Eval(ph);
            if (!a || !b || !c || a->cols != u || b->cols != u || c->cols != u) continue;
            if (!OnlyAtoms(*a, {x_t.get(), h_in.get()}) || !OnlyAtoms(*b, {x_t.get()}) || !OnlyAtoms(*c, {h_in.get()})) continue;
            fr = *a;
            fx = *b;
            fh = *c;
            reset_after = ok = true;
            break;
          }
          if (ok) break;
        }
        if (!ok) {
          // reset_before: pre = G(x, r·h).
          Matcher m2(batch);
          m2.AddAtom(x_t, in);
          m2.AddAtom(h_in, u);
          m2.AllowResetProducts(h_in);
          auto g = m2.Eval(pre);
          if (!g || g->cols != u || m2.reset_products().size() != 1) continue;
          TflcValue* rh = m2.reset_products().begin()->first;
          if (!OnlyAtoms(*g, {x_t.get(), rh})) continue;
          auto a = m.Eval(m2.reset_products().begin()->second);
          if (!a || a->cols != u || !OnlyAtoms(*a, {x_t.get(), h_in.get()})) continue;
          fr = *a;
          fx = *g;
          fh = Affine();
          fh.cols = u;
          fh.w[h_in.get()] = g->w.count(rh) ? g->w.at(rh) : std::vector<float>(static_cast<size_t>(u * u), 0.0f);
          fh.b.assign(static_cast<size_t>(u), 0.0f);
          fx.w.erase(rh);
        }
        cell->lstm = false;
        cell->reset_after = reset_after;
        cell->units = u;
        cell->kernel.assign(static_cast<size_t>(in * 3 * u), 0.0f);
        cell->recurrent.assign(static_cast<size_t>(u * 3 * u), 0.0f);
        const Affine* parts_x[3] = {&*fz, &fr, &fx};
        const Affine* parts_h[3] = {&*fz, &fr, &fh};
        for (int k = 0; k < 3; ++k) {
          PutBlock(*parts_x[k], x_t.get(), in, k, 3, &cell->kernel);
          PutBlock(*parts_h[k], h_in.get(), u, k, 3, &cell->recurrent);
        }
        cell->bias.clear();
        if (reset_after) {
          // [2, 3u]: input biases, then recurrent biases (only the candidate's is apart).
          cell->bias.insert(cell->bias.end(), fz->b.begin(), fz->b.end());
          cell->bias.insert(cell->bias.end(), fr.b.begin(), fr.b.end());
          cell->bias.insert(cell->bias.end(), fx.b.begin(), fx.b.end());
          cell->bias.resize(static_cast<size_t>(5 * u), 0.0f);
          cell->bias.insert(cell->bias.end(), fh.b.begin(), fh.b.end());
          cell->bias_dims = {2, 3 * u};
        } else {
          cell->bias.insert(cell->bias.end(), fz->b.begin(), fz->b.end());
          cell->bias.insert(cell->bias.end(), fr.b.begin(), fr.b.end());
          cell->bias.insert(cell->bias.end(), fx.b.begin(), fx.b.end());
          cell->bias_dims = {3 * u};
        }
        cell->h = hi;
        return true;
      }
    }
  }
  return false;
}

// The trip count of the cond: a LOGICAL_AND tree of LESS(counter, limit). Returns -1 if not so.
int64_t TripCount(const GraphBuilder& cond, const std::vector<ValueView>& vars, const std::vector<Role>& roles,
                  const std::vector<int64_t>& starts) {
  std::vector<ValueView> stack{StripCopies(cond.output(0))};
  int64_t trips = -1;
  int conjuncts = 0;
  auto var_of = [&](const ValueView& v) -> int {
    for (size_t i = 0; i < cond.num_inputs(); ++i)
      if (cond.input(i).get() == v.get()) return static_cast<int>(i);
    return -1;
  };
  while (!stack.empty()) {
    const ValueView v = stack.back();
    stack.pop_back();
    if (!v || v.type() != TFLC_TYPE_BOOL || v.num_elements() != 1) return -1;
    NodeView n = v.producer();
    if (!n) return -1;
    if (n.op() == "LOGICAL_AND" && n.num_inputs() == 2) {
      stack.push_back(StripCopies(n.input(0)));
      stack.push_back(StripCopies(n.input(1)));
      continue;
    }
    if (n.op() != "LESS" || n.num_inputs() != 2 || ++conjuncts > 4) return -1;
    const int ci = var_of(StripCopies(n.input(0)));
    if (ci < 0 || roles[static_cast<size_t>(ci)] != Role::kCounter) return -1;
    const ValueView lim = StripCopies(n.input(1));
    std::optional<int64_t> limit = ConstScalarInt(lim);
    if (!limit) {
      const int li = var_of(lim);
      if (li < 0 || roles[static_cast<size_t>(li)] != Role::kPass) return -1;
      limit = ConstScalarInt(vars[static_cast<size_t>(li)]);
      if (!limit) return -1;
    }
    const int64_t t = std::max<int64_t>(0, *limit - starts[static_cast<size_t>(ci)]);
    trips = trips < 0 ? t : std::min(trips, t);
  }
  return conjuncts > 0 ? trips : -1;
}

}  // namespace

StatusOr<bool> FuseRnnLoop(const Lowering& l, const GraphBuilder& cond, const GraphBuilder& body,
                           const std::vector<ValueView>& vars) {
  const size_t n = vars.size();
  if (body.num_inputs() != n || body.num_outputs() != n || cond.num_inputs() != n || cond.num_outputs() != 1) return false;
  std::vector<Role> roles(n, Role::kUnknown);
  std::vector<int64_t> starts(n, 0);
  std::vector<size_t> states, lists;
  for (size_t i = 0; i < n; ++i) {
    const ValueView in = body.input(i), out = StripCopies(body.output(i));
    if (!vars[i] || !in || !out) return false;
    if (out.get() == in.get() || SameConst(out, vars[i])) {
      roles[i] = Role::kPass;
      continue;
    }
    if (vars[i].type() == TFLC_TYPE_INT32 && vars[i].rank() == 0) {
      for (const auto& [a, one] : Operands(out, "ADD")) {
        auto step = ConstScalarInt(one);
        auto start = ConstScalarInt(vars[i]);
        if (a.get() == in.get() && step && *step == 1 && start) {
          roles[i] = Role::kCounter;
          starts[i] = *start;
          break;
        }
      }
      if (roles[i] != Role::kCounter) return false;
      continue;
    }
    if (vars[i].type() != TFLC_TYPE_FLOAT32 || !vars[i].fully_defined()) return false;
    if (vars[i].rank() == 3 && ProducerNode(out, "SELECT_V2")) {
      roles[i] = Role::kList;
      lists.push_back(i);
    } else if (vars[i].rank() == 2) {
      roles[i] = Role::kState;
      states.push_back(i);
    } else {
      return false;
    }
  }
  if (lists.size() > 1 || states.empty() || states.size() > 2) return false;

  // x_t = GATHER(in_list, time): the one GATHER of a pass-through list at a counter from 0.
  ValueView x_t;
  size_t in_list = 0, time = 0;
  for (size_t k = 0; k < body.num_nodes(); ++k) {
    NodeView g = body.node(k);
    if (!g || g.op() != "GATHER" || g.num_inputs() != 2) continue;
    int li = -1, ti = -1;
    for (size_t i = 0; i < n; ++i) {
      if (g.input(0).get() == body.input(i).get()) li = static_cast<int>(i);
      if (g.input(1).get() == body.input(i).get()) ti = static_cast<int>(i);
    }
    if (li < 0 || ti < 0) continue;
    if (roles[static_cast<size_t>(li)] != Role::kPass || roles[static_cast<size_t>(ti)] != Role::kCounter ||
        starts[static_cast<size_t>(ti)] != 0 || IntAttrOr(g, "axis", 0) != 0 || IntAttrOr(g, "batch_dims", 0) != 0) {
      return false;
    }
    if (x_t) return false;  // two inputs read per step
    x_t = g.output(0);
    in_list = static_cast<size_t>(li);
    time = static_cast<size_t>(ti);
  }
  if (!x_t) return false;
  const ValueView xs = vars[in_list];
  if (xs.type() != TFLC_TYPE_FLOAT32 || xs.rank() != 3 || !xs.fully_defined()) return false;
  const int64_t steps = xs.dim(0), batch = xs.dim(1), in = xs.dim(2);
  if (steps < 1 || x_t.dims() != std::vector<int64_t>{batch, in}) return false;
  const int64_t units = vars[states[0]].dim(1);
  for (size_t s : states)
    if (vars[s].dims() != std::vector<int64_t>{batch, units}) return false;

  if (TripCount(cond, vars, roles, starts) != steps) return false;

  Cell cell;
  bool matched = false;
  if (states.size() == 2) {
    matched = MatchLstm(body, states[0], states[1], x_t, in, batch, units, &cell) ||
              MatchLstm(body, states[1], states[0], x_t, in, batch, units, &cell);
  } else {
    matched = MatchGru(body, states[0], x_t, in, batch, units, &cell);
  }
  if (!matched) return false;

  // The output list: SELECT_V2(mask, RESHAPE(h'), list) with mask = one position == index.
  bool sequence = false;
  if (!lists.empty()) {
    const size_t li = lists[0];
    const ValueView list = vars[li];
    const int64_t len = list.dim(0);
    if (list.dims() != std::vector<int64_t>{len, batch, units}) return false;
    NodeView sel = ProducerNode(StripCopies(body.output(li)), "SELECT_V2");
    if (!sel || sel.num_inputs() != 3 || sel.input(2).get() != body.input(li).get()) return false;
    const ValueView item = sel.input(1);
    NodeView ir = ProducerNode(item, "RESHAPE");
    if (!ir || item.dims() != std::vector<int64_t>{1, batch, units} ||
        StripCopies(ir.input(0)).get() != StripCopies(body.output(cell.h)).get()) return false;
    const ValueView mask = sel.input(0);
    if (!mask || mask.type() != TFLC_TYPE_BOOL || mask.dims() != std::vector<int64_t>{len, 1, 1}) return false;
    if (mask.is_const()) {
      // Folded EQUAL([0], 0) of a one-element list written at 0.
      if (len != 1) return false;
      auto mb = mask.ConstVector<int64_t>();
      if (!mb.ok() || mb->size() != 1 || (*mb)[0] == 0) return false;
    } else {
      NodeView mr = ProducerNode(mask, "RESHAPE");
      NodeView eq = mr ? ProducerNode(mr.input(0), "EQUAL") : NodeView();
      if (!eq || eq.num_inputs() != 2) return false;
      bool ok = false;
      for (int s = 0; s < 2 && !ok; ++s) {
        auto positions = ConstInts(eq.input(static_cast<size_t>(s)));
        const ValueView index = eq.input(static_cast<size_t>(1 - s));
        if (!positions || static_cast<int64_t>(positions->size()) != len) continue;
        bool range = true;
        for (int64_t p = 0; p < len; ++p) range = range && (*positions)[static_cast<size_t>(p)] == p;
        if (!range) continue;
        if (index.get() == body.input(time).get()) {
          ok = len == steps;
          sequence = true;
        } else {
          auto c = ConstScalarInt(index);
          ok = c && *c == 0 && len == 1;
        }
      }
      if (!ok) return false;
    }
  }

  // Emit the composite on the time-major input.
  const std::string kind = cell.lstm ? "lstm" : "gru";
  const int gates = cell.lstm ? 4 : 3;
  TFLC_ASSIGN_OR_RETURN(ValueView kernel, l.ConstFloat(kind + "/kernel", {in, gates * units}, cell.kernel));
  TFLC_ASSIGN_OR_RETURN(ValueView recurrent, l.ConstFloat(kind + "/recurrent_kernel", {units, gates * units}, cell.recurrent));
  TFLC_ASSIGN_OR_RETURN(ValueView bias, l.ConstFloat(kind + "/bias", cell.bias_dims, cell.bias));
  std::vector<ValueView> ins{xs, kernel, recurrent, bias};
  const std::vector<size_t> state_vars = cell.lstm ? std::vector<size_t>{cell.h, cell.c} : std::vector<size_t>{cell.h};
  bool zero_states = true;
  for (size_t s : state_vars) zero_states = zero_states && AllZero(vars[s]);
  if (!zero_states)
    for (size_t s : state_vars) ins.push_back(vars[s]);
  const bool need_c = cell.lstm && Used(l.node().output(cell.c));
  RnnComposite spec;
  spec.lstm = cell.lstm;
  spec.units = units;
  spec.steps = steps;
  spec.batch = batch;
  spec.time_major = true;
  spec.reset_after = cell.reset_after;
  spec.num_initial_states = zero_states ? 0 : static_cast<int64_t>(state_vars.size());
  spec.num_outputs = need_c ? 3 : 1;
  TFLC_ASSIGN_OR_RETURN(NodeView rnn, EmitRnnComposite(l, l.Name(kind), ins, spec));
  const ValueView seq = rnn.output(0);
  // The last step seq[-1] as TF's StridedSlice (its row lowers it).
  TFLC_ASSIGN_OR_RETURN(ValueView last, LastStep(l, seq, /*time_major=*/true, kind + "/last", batch, units));

  const int64_t trips = steps;
  for (size_t i = 0; i < n; ++i) {
    const ValueView out = l.node().output(i);
    if (!Used(out)) continue;
    switch (roles[i]) {
      case Role::kPass:
        TFLC_RETURN_IF_ERROR(l.Replace(i, vars[i]));
        break;
      case Role::kCounter: {
        TFLC_ASSIGN_OR_RETURN(ValueView v, l.ConstInt32("final_" + std::to_string(i), {},
                                                       {static_cast<int32_t>(starts[i] + trips)}));
        TFLC_RETURN_IF_ERROR(l.Replace(i, v));
        break;
      }
      case Role::kList:
        if (sequence) {
          TFLC_RETURN_IF_ERROR(l.Replace(i, seq));
        } else {
          TFLC_ASSIGN_OR_RETURN(ValueView one, l.Reshape(last, {1, batch, units}, kind + "/last_list"));
          TFLC_RETURN_IF_ERROR(l.Replace(i, one));
        }
        break;
      case Role::kState:
        if (i == cell.h) {
          TFLC_RETURN_IF_ERROR(l.Replace(i, last));
        } else {
          TFLC_RETURN_IF_ERROR(l.Replace(i, rnn.output(2)));
        }
        break;
      case Role::kUnknown:
        return Internal("loop variable " + std::to_string(i) + " has no role");
    }
  }
  return true;
}

}  // namespace tflc::lower_builtin
