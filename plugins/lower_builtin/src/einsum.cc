// Einsum (one or two operands) → TF source ops that the other rows lower in turn (the host lowers
// to a fixed point): Transpose, Reshape, Sum, Mul, MatMul, BatchMatMulV2.
//
// As TF's converter does (tensorflow/compiler/mlir/tensorflow/transforms/einsum.cc): each operand
// is brought to [batch..., free..., contracted...] (TRANSPOSE) and flattened to one free and one
// contracted dimension (RESHAPE), multiplied (BATCH_MATMUL), and the product is reshaped and
// transposed to the output. When one operand is a constant and shares no batch letter with the
// other, the product is a MatMul with the constant second, which becomes FULLY_CONNECTED with a
// folded [out, in] weight (Keras EinsumDense: RESHAPE → FULLY_CONNECTED → RESHAPE).
//
// Before that, each operand on its own: a letter repeated inside it takes the diagonal (MUL by a
// constant identity mask, SUM over one of the two axes), letters in neither the other operand nor
// the output are summed away (SUM). A letter of size 1 in one operand and of another size in the
// other is a broadcast: it is dropped from the size-1 operand (an exact rewrite).
//
// Among the possible layouts (operand order, letter orders, adj_x / adj_y, leading lhs free
// letters kept as batch dims the rhs broadcasts over, MUL instead of BATCH_MATMUL when nothing is
// contracted) the one needing the fewest TRANSPOSE / RESHAPE ops on non-constant tensors is chosen
// (ops on constants fold away). Layouts whose RESHAPE would need two unknown dimensions are out;
// a constant kernel whose FULLY_CONNECTED form is out falls back to BATCH_MATMUL. BATCH_MATMUL
// operands stay of rank <= 4 (more than two batch letters are flattened into one).
//
// Semantics follow numpy / TF: an implicit output (no "->") is the broadcast dimensions then the
// letters occurring once, in ASCII order; an explicit output needs "..." when the inputs' "..."
// stand for any dimension (TF's kernel refuses it otherwise).
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {
namespace {

// Label ids: 'A'..'Z' → 0..25, 'a'..'z' → 26..51 (so id order is ASCII order, the order of an
// implicit output), ellipsis dimension j (aligned from the right across operands) → 52 + j.
constexpr int kEllipsisBase = 52;

std::string LabelName(int id) {
  if (id < 26) return std::string(1, static_cast<char>('A' + id));
  if (id < kEllipsisBase) return std::string(1, static_cast<char>('a' + id - 26));
  return "...[" + std::to_string(id - kEllipsisBase) + "]";
}

std::string DimsString(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + (d[i] < 0 ? std::string("?") : std::to_string(d[i]));
  return s + "]";
}

// One term of the equation: its letters, and where "..." stands among them (-1: none).
struct Term {
  std::vector<int> labels;
  int ellipsis = -1;
};

struct Equation {
  std::vector<Term> inputs;
  Term output;
  bool explicit_output = false;
};

StatusOr<Term> ParseTerm(const std::string& s, const std::string& what) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') continue;
    if (c == '.') {
      if (s.compare(i, 3, "...") != 0) return InvalidArgument(what + " has a '.' that is not part of \"...\"");
      if (t.ellipsis >= 0) return InvalidArgument(what + " has more than one \"...\"");
      t.ellipsis = static_cast<int>(t.labels.size());
      i += 2;
    } else if (c >= 'A' && c <= 'Z') {
      t.labels.push_back(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      t.labels.push_back(26 + (c - 'a'));
    } else {
      return InvalidArgument(what + " has the character '" + std::string(1, c) +
                             "'; only letters a-z, A-Z and \"...\" are allowed");
    }
  }
  return t;
}

StatusOr<Equation> ParseEquation(const std::string& eq) {
  Equation e;
  std::string lhs = eq, rhs;
  const size_t arrow = eq.find("->");
  if (arrow != std::string::npos) {
    e.explicit_output = true;
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    if (rhs.find("->") != std::string::npos) return InvalidArgument("more than one \"->\"");
  }
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    const std::string term = lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    TFLC_ASSIGN_OR_RETURN(Term t, ParseTerm(term, "input term " + std::to_string(e.inputs.size())));
    e.inputs.push_back(std::move(t));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (e.explicit_output) {
    if (rhs.find(',') != std::string::npos) return InvalidArgument("the output term has a ','");
    TFLC_ASSIGN_OR_RETURN(e.output, ParseTerm(rhs, "the output term"));
  }
  return e;
}

// An operand while it is rewritten: the current value, one label per axis, its dims (-1 unknown).
struct Operand {
  ValueView v;
  std::vector<int> labels;
  std::vector<int64_t> dims;
  bool is_const = false;  // a constant (ops emitted on it fold away)
  std::string tag;          // "x" / "y": names of the ops emitted for it
  std::set<int> dropped;    // size-1 broadcast labels the other operand carries with another size
};

int64_t Product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) return -1;
    p *= d;
  }
  return p;
}

int CountUnknown(const std::vector<int64_t>& dims) {
  return static_cast<int>(std::count_if(dims.begin(), dims.end(), [](int64_t d) { return d < 0; }));
}

// How a tensor with axes `labels` reaches the label order `order` (labels missing from `order`
// have size 1 and go first): the permutation, whether it moves data at all (only moving size-1
// axes does not), and the dims after the transpose (or the original dims when it is skipped).
struct Arrangement {
  std::vector<int64_t> perm;
  bool transpose = false;
  std::vector<int64_t> dims_after;
};

Arrangement Arrange(const std::vector<int>& labels, const std::vector<int64_t>& dims, const std::vector<int>& order) {
  Arrangement a;
  std::vector<bool> used(labels.size(), false);
  std::vector<int64_t> tail;
  for (int label : order) {
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!used[i] && labels[i] == label) {
        used[i] = true;
        tail.push_back(static_cast<int64_t>(i));
        break;
      }
    }
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    if (!used[i]) a.perm.push_back(static_cast<int64_t>(i));
  }
  a.perm.insert(a.perm.end(), tail.begin(), tail.end());
  int64_t last = -1;
  for (int64_t p : a.perm) {
    if (dims[p] == 1) continue;
    if (p < last) a.transpose = true;
    last = p;
  }
  if (a.transpose) {
    for (int64_t p : a.perm) a.dims_after.push_back(dims[p]);
  } else {
    a.dims_after = dims;
  }
  return a;
}

class EinsumLowering {
 public:
  EinsumLowering(const Lowering& l, std::string equation, TflcDataType type)
      : l_(l), eq_(std::move(equation)), type_(type) {}

  Status Run();

 private:
  Status Err(const std::string& m) const { return InvalidArgument("equation \"" + eq_ + "\": " + m); }
  Status Unsupported(const std::string& m) const {
    return Unimplemented("equation \"" + eq_ + "\": " + m);
  }

  // ---- emission of TF source ops (lowered by the other rows afterwards) ----
  StatusOr<ValueView> Src(std::string_view op, const std::string& suffix, const std::vector<ValueView>& inputs,
                          const std::vector<int64_t>& out_dims, const std::vector<std::pair<const char*, bool>>& bools = {}) {
    TFLC_ASSIGN_OR_RETURN(NodeView n, l_.builder().Source(op, l_.Name(suffix), inputs));
    TFLC_RETURN_IF_ERROR(n.SetType("T", type_));
    for (const auto& [name, value] : bools) TFLC_RETURN_IF_ERROR(n.SetBool(name, value));
    ValueView out = n.output(0);
    TFLC_RETURN_IF_ERROR(out.SetShape(type_, out_dims));
    return out;
  }
  StatusOr<ValueView> Transpose(const ValueView& x, const std::vector<int64_t>& perm, const std::string& suffix,
                                const std::vector<int64_t>& out_dims) {
    TFLC_ASSIGN_OR_RETURN(ValueView p, l_.ConstInt32Vector(suffix + "/perm", perm));
    return Src("Transpose", suffix, {x, p}, out_dims);
  }
  StatusOr<ValueView> Reshape(const ValueView& x, const std::vector<int64_t>& out_dims, const std::string& suffix) {
    if (CountUnknown(out_dims) > 1) {
      return Unsupported("reshaping to " + DimsString(out_dims) +
                         " needs more than one unknown dimension; give the model input a static shape "
                         "(all but one dimension known)");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView s, l_.ConstInt32Vector(suffix + "/shape", out_dims));
    return Src("Reshape", suffix, {x, s}, out_dims);
  }
  StatusOr<ValueView> Sum(const ValueView& x, const std::vector<int64_t>& axes, const std::string& suffix,
                          const std::vector<int64_t>& out_dims) {
    TFLC_ASSIGN_OR_RETURN(ValueView a, l_.ConstInt32Vector(suffix + "/axes", axes));
    return Src("Sum", suffix, {x, a}, out_dims, {{"keep_dims", false}});
  }

  // ---- per-operand rewrites ----
  Status Resolve();
  Status TakeDiagonals(Operand& o);
  Status SumAway(Operand& o, const std::set<int>& keep);
  // Transposes / reshapes `o` to the label order `order` grouped as `target` dims.
  StatusOr<ValueView> Bring(const Operand& o, const std::vector<int>& order, const std::vector<int64_t>& target,
                            const std::string& prefix);
  Status Unary();
  Status Binary();

  const Lowering& l_;
  std::string eq_;
  TflcDataType type_;
  std::vector<Operand> ops_;
  std::vector<int> out_labels_;
};

Status EinsumLowering::Resolve() {
  StatusOr<Equation> parsed = ParseEquation(eq_);
  if (!parsed.ok()) return Err(parsed.status().message());
  Equation e = std::move(parsed).value();
  const size_t n = l_.num_inputs();
  if (e.inputs.size() != n) {
    return Err("has " + std::to_string(e.inputs.size()) + " input term(s) but the node has " + std::to_string(n) +
               " operand(s)");
  }
  // Ellipsis ranks.
  std::vector<int> ell(n, 0);
  int max_ell = 0;
  for (size_t i = 0; i < n; ++i) {
    TFLC_ASSIGN_OR_RETURN(ValueView v, l_.Input(i));
    const Term& t = e.inputs[i];
    const int r = v.rank();
    const int letters = static_cast<int>(t.labels.size());
    if (r < 0) {
      return Unsupported("operand " + std::to_string(i) + " ('" + std::string(v.name()) +
                         "') has an unknown rank; the lowering needs its rank (give the model input a shape)");
    }
    if (t.ellipsis >= 0) {
      if (r < letters) {
        return Err("operand " + std::to_string(i) + " has rank " + std::to_string(r) + ", fewer than the " +
                   std::to_string(letters) + " letters of its term");
      }
      ell[i] = r - letters;
      max_ell = std::max(max_ell, ell[i]);
    } else if (r != letters) {
      return Err("operand " + std::to_string(i) + " has rank " + std::to_string(r) + " but its term has " +
                 std::to_string(letters) + " letters and no \"...\"");
    }
    Operand o;
    o.v = v;
    o.dims = v.dims();
    o.is_const = v.is_const();
    o.tag = i == 0 ? "x" : "y";
    ops_.push_back(std::move(o));
  }
  // Labels per axis; ellipsis dimensions are aligned from the right against the widest ellipsis.
  for (size_t i = 0; i < n; ++i) {
    const Term& t = e.inputs[i];
    const int letters = static_cast<int>(t.labels.size());
    for (int k = 0; k <= letters; ++k) {
      if (k == t.ellipsis) {
        for (int j = 0; j < ell[i]; ++j) ops_[i].labels.push_back(kEllipsisBase + max_ell - ell[i] + j);
      }
      if (k < letters) ops_[i].labels.push_back(t.labels[k]);
    }
  }
  // Output labels.
  if (e.explicit_output) {
    const Term& t = e.output;
    const int letters = static_cast<int>(t.labels.size());
    for (int k = 0; k < letters + (t.ellipsis >= 0 ? 1 : 0); ++k) {
      if (k == t.ellipsis) {
        for (int j = 0; j < max_ell; ++j) out_labels_.push_back(kEllipsisBase + j);
      }
      if (k < letters) out_labels_.push_back(t.labels[k]);
    }
    if (t.ellipsis < 0 && max_ell > 0) {
      // As TF's Einsum kernel (einsum_op_impl.h, ProcessDimensions).
      return Err("the inputs have " + std::to_string(max_ell) + " broadcast dimension(s) (\"...\") but the "
                 "output has no \"...\"");
    }
  } else {
    // numpy's implicit output: the broadcast dimensions, then the letters that occur exactly once,
    // in alphabetical (ASCII) order.
    for (int j = 0; j < max_ell; ++j) out_labels_.push_back(kEllipsisBase + j);
    std::vector<int> count(kEllipsisBase, 0);
    for (const Term& t : e.inputs) {
      for (int label : t.labels) ++count[label];
    }
    for (int label = 0; label < kEllipsisBase; ++label) {
      if (count[label] == 1) out_labels_.push_back(label);
    }
  }
  std::set<int> seen;
  for (int label : out_labels_) {
    if (!seen.insert(label).second) return Err("the output repeats the letter '" + LabelName(label) + "'");
    bool found = false;
    for (const Operand& o : ops_) {
      found = found || std::find(o.labels.begin(), o.labels.end(), label) != o.labels.end();
    }
    if (!found) return Err("the output letter '" + LabelName(label) + "' appears in no input");
  }
  return OkStatus();
}

Status EinsumLowering::TakeDiagonals(Operand& o) {
  for (int round = 0;; ++round) {
    size_t p = 0, q = 0;
    bool found = false;
    for (size_t i = 0; i < o.labels.size() && !found; ++i) {
      for (size_t j = i + 1; j < o.labels.size(); ++j) {
        if (o.labels[i] == o.labels[j]) {
          p = i;
          q = j;
          found = true;
          break;
        }
      }
    }
    if (!found) return OkStatus();
    const int64_t size = o.dims[p];
    const std::string letter = LabelName(o.labels[p]);
    if (o.dims[p] >= 0 && o.dims[q] >= 0 && o.dims[p] != o.dims[q]) {
      return Err("the letter '" + letter + "' repeated in operand " + o.tag + " has sizes " +
                 std::to_string(o.dims[p]) + " and " + std::to_string(o.dims[q]));
    }
    if (size < 0 || o.dims[q] < 0) {
      return Unsupported("the diagonal over the repeated letter '" + letter + "' needs its size, which is unknown");
    }
    const std::string suffix = o.tag + "_diagonal" + (round ? std::to_string(round) : "");
    ValueView x = o.v;
    if (size > 1) {
      // x · I (identity over axes p and q, size 1 elsewhere), then the sum over axis q.
      std::vector<int64_t> mask_dims(o.dims.size(), 1);
      mask_dims[p] = mask_dims[q] = size;
      ValueView mask;
      const size_t count = static_cast<size_t>(size * size);
      if (type_ == TFLC_TYPE_FLOAT32) {
        std::vector<float> m(count, 0.f);
        for (int64_t k = 0; k < size; ++k) m[static_cast<size_t>(k * size + k)] = 1.f;
        TFLC_ASSIGN_OR_RETURN(mask, l_.ConstFloat(suffix + "/mask", mask_dims, m));
      } else if (type_ == TFLC_TYPE_INT32) {
        std::vector<int32_t> m(count, 0);
        for (int64_t k = 0; k < size; ++k) m[static_cast<size_t>(k * size + k)] = 1;
        TFLC_ASSIGN_OR_RETURN(mask, l_.ConstInt32(suffix + "/mask", mask_dims, m));
      } else {
        return Unsupported("a repeated letter (diagonal) on " + TypeName(type_) +
                           " operands; supported: FLOAT32, INT32");
      }
      TFLC_ASSIGN_OR_RETURN(x, Src("Mul", suffix + "/mul", {x, mask}, o.dims));
    }
    std::vector<int64_t> dims = o.dims;
    dims.erase(dims.begin() + static_cast<std::ptrdiff_t>(q));
    TFLC_ASSIGN_OR_RETURN(o.v, Sum(x, {static_cast<int64_t>(q)}, suffix, dims));
    o.dims = std::move(dims);
    o.labels.erase(o.labels.begin() + static_cast<std::ptrdiff_t>(q));
  }
}

Status EinsumLowering::SumAway(Operand& o, const std::set<int>& keep) {
  std::vector<int64_t> axes, dims;
  std::vector<int> labels;
  for (size_t i = 0; i < o.labels.size(); ++i) {
    // A size-1 axis needs no SUM: it is left for the final RESHAPE of the operand to drop.
    if (keep.count(o.labels[i]) || o.dims[i] == 1) {
      labels.push_back(o.labels[i]);
      dims.push_back(o.dims[i]);
    } else {
      axes.push_back(static_cast<int64_t>(i));
    }
  }
  if (axes.empty()) return OkStatus();
  TFLC_ASSIGN_OR_RETURN(o.v, Sum(o.v, axes, o.tag + "_sum", dims));
  o.labels = std::move(labels);
  o.dims = std::move(dims);
  return OkStatus();
}

StatusOr<ValueView> EinsumLowering::Bring(const Operand& o, const std::vector<int>& order,
                                          const std::vector<int64_t>& target, const std::string& prefix) {
  Arrangement a = Arrange(o.labels, o.dims, order);
  ValueView v = o.v;
  if (a.transpose) {
    TFLC_ASSIGN_OR_RETURN(v, Transpose(v, a.perm, prefix + "_transpose", a.dims_after));
  }
  if (a.dims_after != target) {
    TFLC_ASSIGN_OR_RETURN(v, Reshape(v, target, prefix + "_reshape"));
  }
  return v;
}

// One operand: diagonals, sums, then the output order (size-1 axes left by SumAway go first and
// the RESHAPE drops them).
Status EinsumLowering::Unary() {
  Operand& o = ops_[0];
  TFLC_RETURN_IF_ERROR(TakeDiagonals(o));
  TFLC_RETURN_IF_ERROR(SumAway(o, std::set<int>(out_labels_.begin(), out_labels_.end())));
  std::vector<int64_t> out_dims;
  for (int label : out_labels_) {
    out_dims.push_back(o.dims[std::find(o.labels.begin(), o.labels.end(), label) - o.labels.begin()]);
  }
  TFLC_ASSIGN_OR_RETURN(ValueView y, Bring(o, out_labels_, out_dims, "output"));
  return l_.Replace(0, y);
}

// A candidate layout of the product and its cost in ops on non-constant tensors.
struct Plan {
  enum Kind {
    kBatchMatMul,      // BatchMatMulV2 → BATCH_MATMUL
    kFullyConnected,   // MatMul with the constant rhs → FULLY_CONNECTED
    kMul,              // no contracted letter: broadcasting Mul → MUL
  };
  Kind kind = kBatchMatMul;
  bool swap = false;        // lhs is operand 1
  bool adj_x = false, adj_y = false;
  int lhs_prefix = 0;       // leading lhs free letters kept as batch dims (rhs broadcasts)
  std::vector<int> mul_order;  // kMul: the product's letter order (each operand has 1s for the others)
  std::vector<int> batch, free_l, free_r, contract;
  bool flatten_batch = false;
  int cost = 0;
};

Status EinsumLowering::Binary() {
  Operand& x = ops_[0];
  Operand& y = ops_[1];
  TFLC_RETURN_IF_ERROR(TakeDiagonals(x));
  TFLC_RETURN_IF_ERROR(TakeDiagonals(y));

  // Sizes per label; broadcasting (size 1 against another size) drops the label from that operand.
  auto dim_of = [](const Operand& o, int label) -> int64_t {
    auto it = std::find(o.labels.begin(), o.labels.end(), label);
    return it == o.labels.end() ? -2 : o.dims[static_cast<size_t>(it - o.labels.begin())];
  };
  for (size_t i = 0; i < x.labels.size(); ++i) {
    const int label = x.labels[i];
    const int64_t dx = x.dims[i], dy = dim_of(y, label);
    if (dy == -2) continue;
    if (dx == 1 && dy != 1) {
      x.dropped.insert(label);
    } else if (dy == 1 && dx != 1) {
      y.dropped.insert(label);
    } else if (dx >= 0 && dy >= 0 && dx != dy) {
      return Err("the letter '" + LabelName(label) + "' has size " + std::to_string(dx) + " in operand 0 and " +
                 std::to_string(dy) + " in operand 1");
    }
  }
  auto effective = [](const Operand& o) {
    std::set<int> s;
    for (int label : o.labels) {
      if (!o.dropped.count(label)) s.insert(label);
    }
    return s;
  };
  const std::set<int> out_set(out_labels_.begin(), out_labels_.end());
  {
    std::set<int> keep_x = out_set, keep_y = out_set;
    for (int label : effective(y)) keep_x.insert(label);
    for (int label : effective(x)) keep_y.insert(label);
    TFLC_RETURN_IF_ERROR(SumAway(x, keep_x));
    TFLC_RETURN_IF_ERROR(SumAway(y, keep_y));
  }
  const std::set<int> ex = effective(x), ey = effective(y);

  // Sizes of the effective labels (for groups and the output).
  auto size_of = [&](int label) -> int64_t {  // a known size wins over an unknown one
    const int64_t dx = ex.count(label) ? dim_of(x, label) : -2, dy = ey.count(label) ? dim_of(y, label) : -2;
    return dx >= 0 ? dx : (dy >= 0 ? dy : std::max<int64_t>(-1, std::max(dx, dy)));
  };
  auto sizes = [&](const std::vector<int>& labels) {
    std::vector<int64_t> d;
    for (int label : labels) d.push_back(size_of(label));
    return d;
  };
  std::vector<int64_t> out_dims = sizes(out_labels_);

  // Classification, each list in output order (contracted letters in operand-0 order).
  std::vector<int> batch, free_x, free_y, contract;
  for (int label : out_labels_) {
    const bool in_x = ex.count(label) > 0, in_y = ey.count(label) > 0;
    if (in_x && in_y) batch.push_back(label);
    else if (in_x) free_x.push_back(label);
    else free_y.push_back(label);
  }
  for (int label : x.labels) {
    if (ex.count(label) && ey.count(label) && !out_set.count(label)) contract.push_back(label);
  }

  auto in_order_of = [](const Operand& o, const std::vector<int>& labels) {
    std::vector<int> r;
    for (int label : o.labels) {
      if (std::find(labels.begin(), labels.end(), label) != labels.end()) r.push_back(label);
    }
    return r;
  };
  auto concat = [](std::initializer_list<const std::vector<int>*> parts) {
    std::vector<int> r;
    for (const auto* p : parts) r.insert(r.end(), p->begin(), p->end());
    return r;
  };
  auto group_dims = [&](const std::vector<std::vector<int>>& groups) {
    std::vector<int64_t> d;
    for (const auto& g : groups) d.push_back(Product(sizes(g)));
    return d;
  };
  // Leading (batch) groups of the lhs and of the product: each batch letter on its own
  // (BATCH_MATMUL rank <= 4) or all flattened into one; with no batch letters, the first
  // `lhs_prefix` free letters of the lhs on their own (the rhs broadcasts over them, as
  // BatchMatMulV2 does for `bij,jk->bik`).
  auto batch_groups = [&](const Plan& p, bool with_prefix) {
    std::vector<std::vector<int>> g;
    if (p.flatten_batch) {
      g.push_back(p.batch);
    } else {
      for (int label : p.batch) g.push_back({label});
    }
    if (with_prefix) {
      for (int k = 0; k < p.lhs_prefix; ++k) g.push_back({p.free_l[static_cast<size_t>(k)]});
    }
    return g;
  };
  auto rest_of_free_l = [](const Plan& p) {
    return std::vector<int>(p.free_l.begin() + p.lhs_prefix, p.free_l.end());
  };
  // The layout of an operand in a plan: its label order and its target dims.
  auto operand_layout = [&](const Plan& p, bool lhs) -> std::pair<std::vector<int>, std::vector<int64_t>> {
    const std::vector<int>& f = lhs ? p.free_l : p.free_r;
    if (p.kind == Plan::kMul) {
      // The operand's letters in the product order, a 1 for each letter it lacks (leading 1s are
      // implied by broadcasting).
      std::vector<int> order;
      std::vector<int64_t> target;
      for (int label : p.mul_order) {
        const bool has = std::find(p.batch.begin(), p.batch.end(), label) != p.batch.end() ||
                         std::find(f.begin(), f.end(), label) != f.end();
        if (has) {
          order.push_back(label);
          target.push_back(size_of(label));
        } else if (!order.empty()) {
          target.push_back(1);
        }
      }
      return {order, target};
    }
    // lhs [B, M, K] (adj_x: [B, K, M]); rhs [B, K, N] (adj_y: [B, N, K]).
    const bool adj = lhs ? p.adj_x : p.adj_y;
    const bool free_first = lhs ? !adj : adj;
    const std::vector<int> free_rest = lhs ? rest_of_free_l(p) : p.free_r;
    const std::vector<int> prefix(p.free_l.begin(), p.free_l.begin() + (lhs ? p.lhs_prefix : 0));
    std::vector<std::vector<int>> groups = batch_groups(p, lhs);
    if (free_first) {
      groups.push_back(free_rest);
      groups.push_back(p.contract);
    } else {
      groups.push_back(p.contract);
      groups.push_back(free_rest);
    }
    std::vector<int> order = free_first ? concat({&p.batch, &prefix, &free_rest, &p.contract})
                                        : concat({&p.batch, &prefix, &p.contract, &free_rest});
    return {order, group_dims(groups)};
  };
  auto product_dims = [&](const Plan& p) {
    if (p.kind == Plan::kMul) return sizes(p.mul_order);
    std::vector<std::vector<int>> groups = batch_groups(p, true);
    groups.push_back(rest_of_free_l(p));
    groups.push_back(p.free_r);
    return group_dims(groups);
  };
  // Cost: 3 per TRANSPOSE, 1 per RESHAPE of a non-constant tensor; -1 when a needed RESHAPE would
  // have more than one unknown dimension.
  constexpr int kTransposeCost = 3;
  auto operand_cost = [&](const Plan& p, bool lhs) {
    const Operand& o = (lhs != p.swap) ? x : y;
    auto [order, target] = operand_layout(p, lhs);
    Arrangement a = Arrange(o.labels, o.dims, order);
    const bool reshape = a.dims_after != target;
    if (reshape && CountUnknown(target) > 1) return -1;
    if (o.is_const) return 0;
    return (a.transpose ? kTransposeCost : 0) + (reshape ? 1 : 0);
  };
  // The product's letters, its dims split per letter.
  auto expanded_labels = [&](const Plan& p) {
    return p.kind == Plan::kMul ? p.mul_order : concat({&p.batch, &p.free_l, &p.free_r});
  };
  auto output_cost = [&](const Plan& p) {
    const std::vector<int> expanded = expanded_labels(p);
    const std::vector<int64_t> prod = product_dims(p);
    Arrangement a = Arrange(expanded, sizes(expanded), out_labels_);
    if (a.transpose) {
      const bool reshape = prod != sizes(expanded);
      if (reshape && CountUnknown(sizes(expanded)) > 1) return -1;
      return kTransposeCost + (reshape ? 1 : 0);
    }
    const bool reshape = prod != out_dims;
    if (reshape && CountUnknown(out_dims) > 1) return -1;
    return reshape ? 1 : 0;
  };

  // Candidates. A constant operand without batch letters shared with the other: MatMul with the
  // constant second (→ FULLY_CONNECTED), unless every such layout needs a RESHAPE with two
  // unknown dimensions. No contracted letter and an output of rank <= 4: MUL (broadcasting)
  // competes with BATCH_MATMUL and wins ties.
  const bool fc = batch.empty() && (x.is_const != y.is_const);
  std::vector<Plan::Kind> kinds;
  if (fc) {
    kinds.push_back(Plan::kFullyConnected);
  } else if (contract.empty() && out_labels_.size() <= 4) {
    kinds.push_back(Plan::kMul);
  }
  kinds.push_back(Plan::kBatchMatMul);
  Plan best;
  bool have = false;
  for (Plan::Kind kind : kinds) {
    if (have && best.kind == Plan::kFullyConnected) break;
    for (int swap = 0; swap < 2; ++swap) {
      if (kind == Plan::kFullyConnected && (swap == 1) != x.is_const) continue;  // the constant is the rhs
      const Operand& lo = swap ? y : x;
      const Operand& ro = swap ? x : y;
      const std::vector<int>& fl = swap ? free_y : free_x;
      const std::vector<int>& fr = swap ? free_x : free_y;
      const std::vector<std::vector<int>> batch_orders = {batch, in_order_of(lo, batch), in_order_of(ro, batch)};
      const std::vector<std::vector<int>> fl_orders = {fl, in_order_of(lo, fl)};
      const std::vector<std::vector<int>> fr_orders = {fr, in_order_of(ro, fr)};
      const std::vector<std::vector<int>> c_orders = {in_order_of(lo, contract), in_order_of(ro, contract)};
      const int max_prefix =
          kind == Plan::kBatchMatMul && batch.empty() && !fl.empty() ? std::min(static_cast<int>(fl.size()) - 1, 2) : 0;
      // kMul: the product in the output order, or as [batch..., free_l..., free_r...].
      for (int prefix = 0; prefix <= max_prefix; ++prefix) {
        for (size_t bi = 0; bi < batch_orders.size() + (kind == Plan::kMul ? 1 : 0); ++bi) {
          const bool out_order = bi == batch_orders.size();
          const std::vector<int>& bo = batch_orders[out_order ? 0 : bi];
          for (const auto& flo : fl_orders) {
            for (const auto& fro : fr_orders) {
              for (const auto& co : c_orders) {
                for (int adj = 0; adj < 4; ++adj) {
                  if (kind != Plan::kBatchMatMul && adj != 0) continue;
                  Plan p;
                  p.kind = kind;
                  p.swap = swap == 1;
                  p.adj_x = (adj & 1) != 0;
                  p.adj_y = (adj & 2) != 0;
                  p.batch = bo;
                  p.free_l = flo;
                  p.free_r = fro;
                  p.contract = co;
                  p.flatten_batch = kind != Plan::kMul && batch.size() > 2;
                  p.lhs_prefix = prefix;
                  if (kind == Plan::kMul) p.mul_order = out_order ? out_labels_ : concat({&bo, &flo, &fro});
                  const int cl = operand_cost(p, true), cr = operand_cost(p, false), cout = output_cost(p);
                  if (cl < 0 || cr < 0 || cout < 0) continue;
                  p.cost = cl + cr + cout;
                  if (!have || p.cost < best.cost) {
                    best = p;
                    have = true;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  if (!have) {
    return Unsupported("every layout of the product needs a reshape with more than one unknown dimension "
                       "(operands " + DimsString(x.dims) + " and " + DimsString(y.dims) +
                       "); give the model inputs static shapes (all but one dimension known)");
  }

  const Operand& lo = best.swap ? y : x;
  const Operand& ro = best.swap ? x : y;
  auto [l_order, l_target] = operand_layout(best, true);
  auto [r_order, r_target] = operand_layout(best, false);
  TFLC_ASSIGN_OR_RETURN(ValueView lhs, Bring(lo, l_order, l_target, lo.tag));
  TFLC_ASSIGN_OR_RETURN(ValueView rhs, Bring(ro, r_order, r_target, ro.tag));
  const std::vector<int64_t> prod = product_dims(best);
  StatusOr<ValueView> product = [&]() -> StatusOr<ValueView> {
    switch (best.kind) {
      case Plan::kFullyConnected:
        return Src("MatMul", "matmul", {lhs, rhs}, prod, {{"transpose_a", false}, {"transpose_b", false}});
      case Plan::kMul:
        return Src("Mul", "mul", {lhs, rhs}, prod);
      case Plan::kBatchMatMul:
        break;
    }
    return Src("BatchMatMulV2", "matmul", {lhs, rhs}, prod, {{"adj_x", best.adj_x}, {"adj_y", best.adj_y}});
  }();
  TFLC_ASSIGN_OR_RETURN(ValueView out, std::move(product));
  // Product → [batch..., free_l..., free_r...] → output order.
  Operand result;
  result.v = out;
  result.labels = expanded_labels(best);
  result.dims = sizes(result.labels);
  Arrangement a = Arrange(result.labels, result.dims, out_labels_);
  if (a.transpose) {
    if (prod != result.dims) {
      TFLC_ASSIGN_OR_RETURN(result.v, Reshape(out, result.dims, "output_reshape"));
    }
    TFLC_ASSIGN_OR_RETURN(result.v, Transpose(result.v, a.perm, "output_transpose", a.dims_after));
    result.dims = a.dims_after;
  } else {
    result.dims = prod;
  }
  if (result.dims != out_dims) {
    TFLC_ASSIGN_OR_RETURN(result.v, Reshape(result.v, out_dims, "output"));
  }
  return l_.Replace(0, result.v);
}

Status EinsumLowering::Run() {
  TFLC_RETURN_IF_ERROR(Resolve());
  return ops_.size() == 1 ? Unary() : Binary();
}

}  // namespace

// Einsum(inputs, equation, N, T) → Transpose / Reshape / Sum / Mul / MatMul / BatchMatMulV2.
TflcStatus* LowerEinsum(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(std::string equation, l.node().StringAttr("equation"));
    const size_t n = l.num_inputs();
    if (l.node().HasAttr("N")) {
      TFLC_ASSIGN_OR_RETURN(int64_t attr_n, l.node().IntAttr("N"));
      if (attr_n != static_cast<int64_t>(n)) {
        return AttrError("N", "is " + std::to_string(attr_n) + " but the node has " + std::to_string(n) + " inputs");
      }
    }
    if (n != 1 && n != 2) {
      return Unimplemented("Einsum with " + std::to_string(n) +
                           " operands (equation \"" + equation + "\"); TensorFlow's Einsum op takes 1 or 2 "
                           "(tf.einsum splits longer equations into pairs)");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TflcDataType type = x.type();
    if (l.node().HasAttr("T")) {
      TFLC_ASSIGN_OR_RETURN(type, l.node().TypeAttr("T"));
    }
    EinsumLowering e(l, equation, type);
    return e.Run();
  });
}

}  // namespace tflc::lower_builtin
