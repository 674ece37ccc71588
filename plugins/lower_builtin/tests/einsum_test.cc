// Einsum → Transpose / Reshape / Sum / Mul / MatMul / BatchMatMulV2 (lowered in turn to TFLite
// builtins). Table-driven: every equation runs through the whole in-process pipeline (lowering to a
// fixed point, shape inference, folding, fusions, reference kernels) and is compared with a naive
// einsum (nested loops over every letter), with all operands as inputs and with either one
// constant; the model must also export (every op gets a valid version).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "test_util.h"

namespace tflc::lower_builtin::testing {
namespace {

using Shape = std::vector<int64_t>;

// ---- naive reference --------------------------------------------------------------------------

// Splits a term into labels; "..." becomes the ellipsis labels '0'.. aligned from the right
// (operand with e broadcast dims of the widest E gets '0'+E-e ... '0'+E-1).
std::string ExpandTerm(const std::string& term, size_t rank, int widest, bool is_output) {
  std::string out;
  const size_t pos = term.find("...");
  if (pos == std::string::npos) return term;
  const std::string before = term.substr(0, pos), after = term.substr(pos + 3);
  const int e = is_output ? widest : static_cast<int>(rank - before.size() - after.size());
  out = before;
  for (int j = 0; j < e; ++j) out += static_cast<char>('0' + widest - e + j);
  return out + after;
}

struct Reference {
  Shape dims;
  std::vector<float> values;
};

Reference NaiveEinsum(const std::string& equation, const std::vector<Shape>& shapes,
                      const std::vector<std::vector<float>>& data) {
  std::string eq;
  for (char c : equation) {
    if (c != ' ') eq += c;
  }
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  int widest = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const size_t pos = terms[i].find("...");
    if (pos != std::string::npos) {
      widest = std::max(widest, static_cast<int>(shapes[i].size() - (terms[i].size() - 3)));
    }
  }
  std::vector<std::string> labels;
  for (size_t i = 0; i < terms.size(); ++i) labels.push_back(ExpandTerm(terms[i], shapes[i].size(), widest, false));
  std::string out;
  if (arrow != std::string::npos) {
    out = ExpandTerm(eq.substr(arrow + 2), 0, widest, true);
  } else {
    for (int j = 0; j < widest; ++j) out += static_cast<char>('0' + j);
    std::map<char, int> count;
    for (const std::string& t : terms) {
      for (char c : t) {
        if (c != '.') ++count[c];
      }
    }
    for (const auto& [c, n] : count) {  // std::map: ASCII order
      if (n == 1) out += c;
    }
  }
  // Sizes (1 broadcasts against any size).
  std::map<char, int64_t> size;
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t k = 0; k < labels[i].size(); ++k) {
      int64_t& s = size[labels[i][k]];
      s = std::max(s, shapes[i][k]);
    }
  }
  std::vector<char> all;
  for (const auto& [c, s] : size) all.push_back(c);
  Reference r;
  for (char c : out) r.dims.push_back(size[c]);
  int64_t total = 1;
  for (int64_t d : r.dims) total *= d;
  r.values.assign(static_cast<size_t>(total), 0.f);
  std::map<char, int64_t> at;
  for (char c : all) at[c] = 0;
  for (;;) {
    double product = 1.0;
    for (size_t i = 0; i < labels.size(); ++i) {
      int64_t offset = 0;
      for (size_t k = 0; k < labels[i].size(); ++k) {
        const int64_t d = shapes[i][k];
        offset = offset * d + (d == 1 ? 0 : at[labels[i][k]]);
      }
      product *= data[i][static_cast<size_t>(offset)];
    }
    int64_t o = 0;
    for (size_t k = 0; k < out.size(); ++k) o = o * r.dims[k] + at[out[k]];
    r.values[static_cast<size_t>(o)] += static_cast<float>(product);
    size_t k = 0;
    for (; k < all.size(); ++k) {
      if (++at[all[k]] < size[all[k]]) break;
      at[all[k]] = 0;
    }
    if (k == all.size()) break;
  }
  return r;
}

int64_t Count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

// ---- the table ----------------------------------------------------------------------------------

struct Case {
  const char* equation;
  std::vector<Shape> shapes;
};

const Case kCases[] = {
    // matmul and transposed operands
    {"ij,jk->ik", {{2, 3}, {3, 4}}},
    {"ij,kj->ik", {{2, 3}, {4, 3}}},
    {"ji,jk->ik", {{3, 2}, {3, 4}}},
    {"ji,kj->ik", {{3, 2}, {4, 3}}},
    {"ij,jk->ki", {{2, 3}, {3, 4}}},
    {"ba,ca->bc", {{3, 2}, {4, 2}}},
    {"iJ,Jk->ik", {{2, 3}, {3, 4}}},
    // batch matmul
    {"bij,bjk->bik", {{2, 3, 4}, {2, 4, 5}}},
    {"bij,bkj->bik", {{2, 3, 4}, {2, 5, 4}}},
    {"ibj,bjk->bik", {{3, 2, 4}, {2, 4, 5}}},
    {"abij,abjk->abik", {{2, 2, 3, 4}, {2, 2, 4, 3}}},
    {"abcde,abcef->abcdf", {{2, 2, 2, 3, 4}, {2, 2, 2, 4, 3}}},
    {"bij,jk->bik", {{2, 3, 4}, {4, 5}}},
    {"ij,bjk->bik", {{3, 4}, {2, 4, 5}}},
    // outer products, dots, elementwise
    {"i,j->ij", {{3}, {4}}},
    {"ij,kl->ijkl", {{2, 3}, {2, 2}}},
    {"ij,kl->ikjl", {{2, 3}, {2, 2}}},
    {"i,i->", {{5}, {5}}},
    {"i,i->i", {{5}, {5}}},
    {"ij,ij->ij", {{2, 3}, {2, 3}}},
    {"ij,ij->ji", {{2, 3}, {2, 3}}},
    {"ij,ij->", {{2, 3}, {2, 3}}},
    {"ij,j->ij", {{3, 4}, {4}}},
    {"bi,bj->bij", {{2, 3}, {2, 4}}},
    {"bi,bj->jbi", {{2, 3}, {2, 4}}},
    {"abc,cd->dba", {{2, 2, 3}, {3, 2}}},
    {"abcd,de->abce", {{2, 2, 2, 3}, {3, 2}}},
    {"ij,j->i", {{3, 4}, {4}}},
    {"i,ij->j", {{3}, {3, 4}}},
    {"i,->i", {{3}, {}}},
    {",->", {{}, {}}},
    // reductions inside a product
    {"ij,jk->", {{2, 3}, {3, 4}}},
    {"ij,jk->i", {{2, 3}, {3, 4}}},
    {"ab,cd->", {{2, 3}, {2, 2}}},
    {"ij,kj->k", {{2, 3}, {4, 3}}},
    // diagonals with two operands
    {"iij,jk->ik", {{3, 3, 4}, {4, 2}}},
    {"ii,i->i", {{3, 3}, {3}}},
    // Keras EinsumDense
    {"ab,bc->ac", {{4, 3}, {3, 5}}},
    {"abc,cd->abd", {{2, 3, 4}, {4, 5}}},
    {"abc,cde->abde", {{2, 3, 4}, {4, 2, 3}}},
    {"abcd,cde->abe", {{2, 3, 4, 2}, {4, 2, 3}}},
    {"...b,bc->...c", {{2, 3, 4}, {4, 5}}},
    {"ab...,bc->ac...", {{2, 3, 4, 2}, {3, 5}}},
    {"ab...,bc->ac...", {{2, 3}, {3, 4}}},
    // Keras MultiHeadAttention (rank 4 and rank 5 attention)
    {"aecd,abcd->acbe", {{2, 5, 3, 4}, {2, 6, 3, 4}}},
    {"acbe,aecd->abcd", {{2, 3, 6, 5}, {2, 5, 3, 4}}},
    {"afgde,abcde->adbcfg", {{2, 3, 2, 2, 4}, {2, 2, 3, 2, 4}}},
    {"adbcfg,afgde->abcde", {{2, 2, 2, 3, 3, 2}, {2, 3, 2, 2, 4}}},
    // ellipsis on either side, broadcasting ellipsis of different ranks
    {"...ij,...jk->...ik", {{2, 3, 4}, {4, 5}}},
    {"...ij,...jk->...ik", {{3, 4}, {2, 4, 5}}},
    {"...ij,...jk->...ik", {{2, 1, 3, 4}, {3, 4, 5}}},
    {"...ij,...jk->...ik", {{1, 3, 4}, {5, 4, 2}}},
    {"...i,...i->...", {{2, 3}, {2, 3}}},
    {"i...,i...->...", {{3, 2, 1}, {3, 1, 4}}},
    {"b...,b...->b", {{2}, {2}}},  // "..." of rank 0: no "..." needed in the output
    // implicit output
    {"ij,jk", {{2, 3}, {3, 4}}},
    {"ba,ca", {{3, 2}, {4, 2}}},
    {"...ij,...jk", {{2, 3, 4}, {2, 4, 5}}},
    // one operand
    {"ij->ji", {{2, 3}}},
    {"ij->i", {{2, 3}}},
    {"ij->j", {{2, 3}}},
    {"ij->", {{2, 3}}},
    {"ii->i", {{3, 3}}},
    {"ii->", {{3, 3}}},
    {"iii->i", {{3, 3, 3}}},
    {"bii->bi", {{2, 3, 3}}},
    {"ijk->kji", {{2, 3, 4}}},
    {"ijk->jk", {{2, 3, 4}}},
    {"ijk->", {{2, 3, 4}}},
    {"ij->ij", {{2, 3}}},
    {"ij", {{2, 3}}},
    {"ji", {{2, 3}}},
    {"ii", {{3, 3}}},
    {"...ij->...ji", {{2, 3, 4}}},
    {"i...->...", {{3, 2, 2}}},
    {"...->...", {{2, 3}}},
    {"abc->ca", {{2, 1, 3}}},
    {"abc,cd->dba", {{2, 1, 3}, {3, 1}}},
};

// Variants: every operand an input, or operand `const_index` a constant.
struct Param {
  Case c;
  int const_index;  // -1: none
};

void PrintTo(const Param& p, std::ostream* os) {
  *os << "\"" << p.c.equation << "\" const operand " << p.const_index;
}

std::vector<Param> Params() {
  std::vector<Param> out;
  for (const Case& c : kCases) {
    out.push_back({c, -1});
    if (c.shapes.size() == 2) {
      out.push_back({c, 1});
      out.push_back({c, 0});
    }
  }
  return out;
}

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  std::string n;
  for (const char* p = info.param.c.equation; *p; ++p) {
    const char c = *p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) n += c;
    else if (c == ',') n += "_";
    else if (c == '>') n += "_to_";
    else if (c == '.') n += "E";
  }
  n += info.param.const_index < 0 ? "_inputs" : "_const" + std::to_string(info.param.const_index);
  return std::to_string(info.index) + "_" + n;
}

class EinsumTableTest : public ::testing::TestWithParam<Param> {};

TEST_P(EinsumTableTest, MatchesNaiveEinsum) {
  REQUIRE_OPSET();
  const Param& p = GetParam();
  const std::string eq = p.c.equation;
  Harness h;
  std::vector<std::vector<float>> data;
  std::vector<ValueView> operands;
  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < p.c.shapes.size(); ++i) {
    const Shape& s = p.c.shapes[i];
    data.push_back(tflc::testing::SeededFloats(static_cast<size_t>(Count(s)), 17u + 31u * static_cast<uint32_t>(i), 2.f));
    if (static_cast<int>(i) == p.const_index) {
      operands.push_back(h.F("w" + std::to_string(i), s, data.back()));
    } else {
      operands.push_back(h.In("x" + std::to_string(i), s));
      inputs.push_back(HostTensor::Float(s, data.back()));
    }
  }
  NodeView n = h.Src("Einsum", "einsum", operands);
  TFLC_ASSERT_OK(n.SetString("equation", eq));
  TFLC_ASSERT_OK(n.SetInt("N", static_cast<int64_t>(operands.size())));
  TFLC_ASSERT_OK(n.SetType("T", TFLC_TYPE_FLOAT32));
  const Reference ref = NaiveEinsum(eq, p.c.shapes, data);

  auto run = h.Run(inputs);
  ASSERT_TRUE(run.ok()) << run.status() << "\n" << h.host().Dump();
  const std::vector<HostTensor>& out = *run;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims, ref.dims) << h.host().Dump();
  float scale = 1.f;
  for (float v : ref.values) scale = std::max(scale, std::fabs(v));
  ExpectNear(out[0].floats(), ref.values, 1e-5f * scale);
  for (const std::string& op : h.Ops()) {
    EXPECT_TRUE(op == "TRANSPOSE" || op == "RESHAPE" || op == "BATCH_MATMUL" || op == "FULLY_CONNECTED" ||
                op == "SUM" || op == "MUL")
        << op << " in " << h.OpsString();
  }
  auto bytes = h.host().Export();
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  // For einsum_tflite_runtime.js: the model, its inputs and the naive result, to run in the real
  // TFLite runtime (ctest lower_builtin_einsum_tflite_runtime).
  if (const char* dir = std::getenv("TFLC_EINSUM_DUMP_DIR")) {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string base = std::string(dir) + "/" + test.substr(test.find('/') + 1);
    std::ofstream(base + ".tflite", std::ios::binary) << *bytes;
    std::ofstream js(base + ".json");
    auto list = [&js](const std::vector<int64_t>& v) {
      js << "[";
      for (size_t i = 0; i < v.size(); ++i) js << (i ? "," : "") << v[i];
      js << "]";
    };
    auto floats = [&js](const std::vector<float>& v) {
      js << "[";
      for (size_t i = 0; i < v.size(); ++i) js << (i ? "," : "") << std::setprecision(9) << v[i];
      js << "]";
    };
    js << "{\"equation\":\"" << eq << "\",\"inputs\":[";
    for (size_t i = 0; i < inputs.size(); ++i) {
      js << (i ? "," : "") << "{\"shape\":";
      list(inputs[i].dims);
      js << ",\"data\":";
      floats(inputs[i].floats());
      js << "}";
    }
    js << "],\"expected\":{\"shape\":";
    list(ref.dims);
    js << ",\"data\":";
    floats(ref.values);
    js << "}}\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Equations, EinsumTableTest, ::testing::ValuesIn(Params()), ParamName);

// ---- random equations ---------------------------------------------------------------------------

// Seeded random equations of one or two operands: letters shared or not, repeated inside an
// operand, size-1 broadcasts, "..." of 0-2 dims at any position, explicit or implicit outputs, an
// operand constant or not. Each runs through the pipeline and is compared with the naive einsum.
TEST(EinsumRandom, MatchesNaiveEinsum) {
  REQUIRE_OPSET();
  uint32_t state = 12345u;
  auto next = [&state](uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % n;
  };
  int checked = 0;
  for (int round = 0; round < 300; ++round) {
    const std::string pool = "abcde";
    int64_t size[5];
    for (int64_t& sz : size) sz = 1 + static_cast<int64_t>(next(3));
    const size_t n = 1 + next(2);
    const int ell_rank = next(3) == 0 ? static_cast<int>(next(3)) : -1;  // -1: no "..."
    std::vector<int64_t> ell_dims;
    for (int j = 0; j < std::max(ell_rank, 0); ++j) ell_dims.push_back(1 + static_cast<int64_t>(next(3)));
    std::vector<std::string> terms;
    std::vector<Shape> shapes;
    for (size_t i = 0; i < n; ++i) {
      std::string t;
      const size_t rank = next(4);
      for (size_t k = 0; k < rank; ++k) t += pool[next(5)];
      Shape sh;
      for (char c : t) {
        const bool repeated = std::count(t.begin(), t.end(), c) > 1;
        sh.push_back(!repeated && next(6) == 0 ? 1 : size[c - 'a']);
      }
      if (ell_rank >= 0) {
        const size_t pos = next(static_cast<uint32_t>(t.size() + 1));
        const int e = static_cast<int>(next(static_cast<uint32_t>(ell_rank + 1)));  // 0..ell_rank dims
        Shape ed;
        for (int j = ell_rank - e; j < ell_rank; ++j) ed.push_back(next(5) == 0 ? 1 : ell_dims[static_cast<size_t>(j)]);
        t.insert(pos, "...");
        sh.insert(sh.begin() + static_cast<std::ptrdiff_t>(pos), ed.begin(), ed.end());
      }
      terms.push_back(t);
      shapes.push_back(sh);
    }
    std::string eq;
    for (size_t i = 0; i < n; ++i) eq += (i ? "," : "") + terms[i];
    if (next(4) != 0) {
      std::string out;
      for (char c : pool) {
        bool present = false;
        for (const std::string& t : terms) present = present || t.find(c) != std::string::npos;
        if (present && next(2) == 0) out += c;
      }
      for (size_t k = out.size(); k > 1; --k) std::swap(out[k - 1], out[next(static_cast<uint32_t>(k))]);
      if (ell_rank >= 0) out.insert(next(static_cast<uint32_t>(out.size() + 1)), "...");
      eq += "->" + out;
    }
    const int const_index = n == 2 ? static_cast<int>(next(3)) - 1 : -1;
    SCOPED_TRACE("\"" + eq + "\" const operand " + std::to_string(const_index));
    Harness h;
    std::vector<std::vector<float>> data;
    std::vector<ValueView> operands;
    std::vector<HostTensor> inputs;
    for (size_t i = 0; i < n; ++i) {
      data.push_back(tflc::testing::SeededFloats(static_cast<size_t>(Count(shapes[i])), 7u + static_cast<uint32_t>(round * 3 + i), 2.f));
      if (static_cast<int>(i) == const_index) {
        operands.push_back(h.F("w" + std::to_string(i), shapes[i], data.back()));
      } else {
        operands.push_back(h.In("x" + std::to_string(i), shapes[i]));
        inputs.push_back(HostTensor::Float(shapes[i], data.back()));
      }
    }
    NodeView node = h.Src("Einsum", "einsum", operands);
    TFLC_ASSERT_OK(node.SetString("equation", eq));
    const Reference ref = NaiveEinsum(eq, shapes, data);
    auto run = h.Run(inputs);
    ASSERT_TRUE(run.ok()) << run.status() << "\n" << h.host().Dump();
    ASSERT_EQ(run->size(), 1u);
    EXPECT_EQ((*run)[0].dims, ref.dims) << h.host().Dump();
    float scale = 1.f;
    for (float v : ref.values) scale = std::max(scale, std::fabs(v));
    ExpectNear((*run)[0].floats(), ref.values, 1e-5f * scale);
    ++checked;
  }
  EXPECT_EQ(checked, 300);
}

// ---- structure ----------------------------------------------------------------------------------

// An Einsum node "einsum" with `equation` on `operands`, its output the graph output.
NodeView Einsum(Harness& h, const std::string& equation, const std::vector<ValueView>& operands) {
  NodeView n = h.Src("Einsum", "einsum", operands);
  EXPECT_TRUE(n.SetString("equation", equation).ok());
  EXPECT_TRUE(n.SetInt("N", static_cast<int64_t>(operands.size())).ok());
  EXPECT_TRUE(n.SetType("T", TFLC_TYPE_FLOAT32).ok());
  return n;
}

std::vector<float> Weights(const Shape& s) {
  return tflc::testing::SeededFloats(static_cast<size_t>(Count(s)), 5u, 1.f);
}

TEST_F(LowerTest, EinsumDenseConstantKernelBecomesFullyConnected) {
  REQUIRE_OPSET();
  // Keras EinsumDense "abc,cde->abde", kernel (c, d, e), batch unknown.
  Einsum(h, "abc,cde->abde", {h.In("x", {-1, 3, 4}), h.F("kernel", {4, 2, 3}, Weights({4, 2, 3}))});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "RESHAPE FULLY_CONNECTED RESHAPE") << h.host().Dump();
  EXPECT_TRUE(h.All("BATCH_MATMUL").empty());
  NodeView fc = h.One("FULLY_CONNECTED");
  EXPECT_TRUE(fc.input(1).is_const());
  EXPECT_EQ(fc.input(1).dims(), (Shape{6, 4}));  // folded [d·e, c]
  EXPECT_EQ(fc.input(0).dims(), (Shape{-1, 4}));
  EXPECT_EQ(h.Output(0).dims(), (Shape{-1, 3, 2, 3}));
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(LowerTest, EinsumDenseEquationsUseFullyConnected) {
  REQUIRE_OPSET();
  const struct {
    const char* eq;
    Shape x, w;
    const char* ops;
  } cases[] = {
      {"ab,bc->ac", {-1, 3}, {3, 5}, "FULLY_CONNECTED"},
      {"abc,cd->abd", {-1, 3, 4}, {4, 5}, "RESHAPE FULLY_CONNECTED RESHAPE"},
      {"abcd,cde->abe", {-1, 3, 4, 2}, {4, 2, 5}, "RESHAPE FULLY_CONNECTED RESHAPE"},
      {"...b,bc->...c", {-1, 7, 4}, {4, 5}, "RESHAPE FULLY_CONNECTED RESHAPE"},
      // Static shapes: FULLY_CONNECTED flattens its input itself, so the leading RESHAPE goes.
      {"ab...,bc->ac...", {2, 3, 4}, {3, 5}, "TRANSPOSE FULLY_CONNECTED RESHAPE TRANSPOSE"},
      {"cd,abc->abd", {4, 5}, {2, 3, 4}, "FULLY_CONNECTED RESHAPE"},  // operands swapped
      // A constant first operand whose FULLY_CONNECTED form needs TRANSPOSEs of the input and the
      // output: BATCH_MATMUL instead.
      {"ab,bc->ac", {3, 4}, {4, 5}, "BATCH_MATMUL"},
  };
  for (const auto& c : cases) {
    Harness g;
    if (std::string(c.eq) == "cd,abc->abd" || std::string(c.ops) == "BATCH_MATMUL") {
      // The constant first: the lowering swaps the operands so the constant is the weight.
      Einsum(g, c.eq, {g.F("kernel", c.x, Weights(c.x)), g.In("x", c.w)});
    } else {
      Einsum(g, c.eq, {g.In("x", c.x), g.F("kernel", c.w, Weights(c.w))});
    }
    Status s = g.host().RunPipeline();
    ASSERT_TRUE(s.ok()) << c.eq << ": " << s;
    EXPECT_EQ(g.OpsString(), c.ops) << c.eq << "\n" << g.host().Dump();
    auto bytes = g.host().Export();
    EXPECT_TRUE(bytes.ok()) << c.eq << ": " << bytes.status();
  }
}

TEST_F(LowerTest, EinsumDenseWithTwoUnknownDimsUsesBatchMatMul) {
  REQUIRE_OPSET();
  // (batch, time) both unknown: FULLY_CONNECTED would need RESHAPE [?·?, c] and back [?, ?, d];
  // BATCH_MATMUL broadcasts the kernel instead.
  Einsum(h, "abc,cd->abd", {h.In("x", {-1, -1, 4}), h.F("kernel", {4, 5}, Weights({4, 5}))});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "BATCH_MATMUL") << h.host().Dump();
  EXPECT_EQ(h.Output(0).dims(), (Shape{-1, -1, 5}));
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(LowerTest, EinsumKnownSizeWinsOverUnknown) {
  REQUIRE_OPSET();
  // j is unknown in x but 3 in the kernel; i unknown: only one unknown dim remains to reshape.
  Einsum(h, "bij,jk->bik", {h.In("x", {2, -1, -1}), h.F("kernel", {3, 4}, Weights({3, 4}))});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "RESHAPE FULLY_CONNECTED RESHAPE") << h.host().Dump();
  EXPECT_EQ(h.One("FULLY_CONNECTED").input(0).dims(), (Shape{-1, 3}));
  EXPECT_EQ(h.Output(0).dims(), (Shape{2, -1, 4}));
}

TEST_F(LowerTest, EinsumAttentionNeedsNoReshape) {
  REQUIRE_OPSET();
  // MultiHeadAttention scores (B, N, T, S) = einsum(key (B,S,N,H), query (B,T,N,H)), batch unknown.
  Einsum(h, "aecd,abcd->acbe", {h.In("key", {-1, 5, 2, 4}), h.In("query", {-1, 6, 2, 4})});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "TRANSPOSE TRANSPOSE BATCH_MATMUL") << h.host().Dump();
  NodeView b = h.One("BATCH_MATMUL");
  EXPECT_EQ(b.input(0).dims().size(), 4u);
  EXPECT_EQ(h.Output(0).dims(), (Shape{-1, 2, 6, 5}));
  auto bytes = h.host().Export();
  EXPECT_TRUE(bytes.ok()) << bytes.status();
}

TEST_F(LowerTest, EinsumAttentionCombine) {
  REQUIRE_OPSET();
  // context (B, T, N, H) = einsum(probs (B,N,T,S), value (B,S,N,H)).
  Einsum(h, "acbe,aecd->abcd", {h.In("probs", {-1, 2, 6, 5}), h.In("value", {-1, 5, 2, 4})});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "TRANSPOSE BATCH_MATMUL TRANSPOSE") << h.host().Dump();
  EXPECT_EQ(h.Output(0).dims(), (Shape{-1, 6, 2, 4}));
}

TEST_F(LowerTest, EinsumPlainProductsAreOneOp) {
  REQUIRE_OPSET();
  const struct {
    const char* eq;
    Shape x, y;
    bool adj_x, adj_y;
  } cases[] = {
      {"ij,jk->ik", {2, 3}, {3, 4}, false, false},
      {"bij,bjk->bik", {2, 2, 3}, {2, 3, 4}, false, false},
      {"bij,bkj->bik", {2, 2, 3}, {2, 4, 3}, false, true},
      {"bji,bjk->bik", {2, 3, 2}, {2, 3, 4}, true, false},
      {"bij,bjk->bki", {2, 2, 3}, {2, 3, 4}, true, true},  // (x·y)ᵀ = yᵀ·xᵀ
  };
  for (const auto& c : cases) {
    Harness g;
    Einsum(g, c.eq, {g.In("x", c.x), g.In("y", c.y)});
    Status s = g.host().RunPipeline();
    ASSERT_TRUE(s.ok()) << c.eq << ": " << s;
    EXPECT_EQ(g.OpsString(), "BATCH_MATMUL") << c.eq << "\n" << g.host().Dump();
    NodeView b = g.One("BATCH_MATMUL");
    EXPECT_EQ(Harness::Int(b, "adj_x"), c.adj_x ? 1 : 0) << c.eq;
    EXPECT_EQ(Harness::Int(b, "adj_y"), c.adj_y ? 1 : 0) << c.eq;
  }
}

TEST_F(LowerTest, EinsumBroadcastingAndElementwiseForms) {
  REQUIRE_OPSET();
  const struct {
    const char* eq;
    Shape x, y;
    const char* ops;
  } cases[] = {
      {"bij,jk->bik", {2, 3, 4}, {4, 5}, "BATCH_MATMUL"},      // y broadcasts over b
      {"jk,bij->bik", {4, 5}, {2, 3, 4}, "BATCH_MATMUL"},      // operands swapped
      {"ij,ij->ij", {2, 3}, {2, 3}, "MUL"},
      {"bi,bj->bij", {2, 3}, {2, 4}, "RESHAPE RESHAPE MUL"},
      {"i,j->ij", {3}, {4}, "RESHAPE MUL"},
      {"ij,j->ij", {3, 4}, {4}, "MUL"},
  };
  for (const auto& c : cases) {
    Harness g;
    Einsum(g, c.eq, {g.In("x", c.x), g.In("y", c.y)});
    Status s = g.host().RunPipeline();
    ASSERT_TRUE(s.ok()) << c.eq << ": " << s;
    EXPECT_EQ(g.OpsString(), c.ops) << c.eq << "\n" << g.host().Dump();
  }
}

TEST_F(LowerTest, EinsumManyBatchLettersFlattenToRank3) {
  REQUIRE_OPSET();
  Einsum(h, "abcde,abcef->abcdf", {h.In("x", {2, 2, 2, 3, 4}), h.In("y", {2, 2, 2, 4, 3})});
  TFLC_ASSERT_OK(h.host().RunPipeline());
  EXPECT_EQ(h.OpsString(), "RESHAPE RESHAPE BATCH_MATMUL RESHAPE") << h.host().Dump();
  EXPECT_EQ(h.One("BATCH_MATMUL").input(0).dims(), (Shape{8, 3, 4}));
}

TEST_F(LowerTest, EinsumOneOperand) {
  REQUIRE_OPSET();
  const struct {
    const char* eq;
    Shape x;
    const char* ops;
  } cases[] = {
      {"ij->ji", {2, 3}, "TRANSPOSE"},
      {"ij->i", {2, 3}, "SUM"},
      {"ii->i", {3, 3}, "MUL SUM"},
      {"ii->", {3, 3}, "MUL SUM SUM"},
      {"ijk->kji", {2, 3, 4}, "TRANSPOSE"},
      {"abc->ac", {2, 1, 3}, "RESHAPE"},  // summing a size-1 axis is a RESHAPE
      {"abc->ca", {2, 1, 3}, "TRANSPOSE RESHAPE"},
      {"ab->ba", {1, 3}, "RESHAPE"},      // only a size-1 axis moves: no data movement
      {"ij->ij", {2, 3}, ""},
  };
  for (const auto& c : cases) {
    Harness g;
    Einsum(g, c.eq, {g.In("x", c.x)});
    Status s = g.host().RunPipeline();
    ASSERT_TRUE(s.ok()) << c.eq << ": " << s;
    EXPECT_EQ(g.OpsString(), c.ops) << c.eq << "\n" << g.host().Dump();
  }
}

TEST_F(LowerTest, EinsumEmitsSourceOpsWithShapes) {
  // Before the other rows run, the emitted TF ops carry shapes (later lowerings read them).
  Einsum(h, "abc,cd->abd", {h.In("x", {-1, 3, 4}), h.F("kernel", {4, 5}, Weights({4, 5}))});
  TFLC_ASSERT_OK(h.Lower());
  EXPECT_EQ(h.Output(0).dims(), (Shape{-1, 3, 5}));
  EXPECT_TRUE(h.All("Einsum").empty());
  EXPECT_EQ(h.One("FULLY_CONNECTED").name(), "einsum/matmul");
}

// ---- errors -------------------------------------------------------------------------------------

Status LowerEinsum(Harness& g, const std::string& eq, const std::vector<ValueView>& operands) {
  Einsum(g, eq, operands);
  return g.Lower();
}

void ExpectError(const Status& s, const std::string& eq, const std::string& what) {
  EXPECT_FALSE(s.ok()) << eq;
  EXPECT_NE(s.message().find("einsum"), std::string::npos) << s;            // the node
  EXPECT_NE(s.message().find("\"" + eq + "\""), std::string::npos) << s;    // the equation
  EXPECT_NE(s.message().find(what), std::string::npos) << s;
}

TEST_F(LowerTest, EinsumErrorsNameNodeAndEquation) {
  {
    Harness g;
    ExpectError(LowerEinsum(g, "a1->a", {g.In("x", {2, 3})}), "a1->a", "character '1'");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ij->k", {g.In("x", {2, 3})}), "ij->k", "'k' appears in no input");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ijk->i", {g.In("x", {2, 3})}), "ijk->i", "rank 2");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ij,jk->ik", {g.In("x", {2, 3}), g.In("y", {4, 5})}), "ij,jk->ik", "'j' has size 3");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ii->i", {g.In("x", {-1, -1})}), "ii->i", "unknown");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ij->ii", {g.In("x", {2, 3})}), "ij->ii", "repeats the letter 'i'");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "b...->b", {g.In("x", {2, 3})}), "b...->b", "output has no \"...\"");
  }
  {
    Harness g;
    ExpectError(LowerEinsum(g, "ij,jk->ik", {g.In("x", {2, 3})}), "ij,jk->ik", "2 input term(s)");
  }
  {
    // Two unknown dimensions that no layout keeps apart.
    Harness g;
    ExpectError(LowerEinsum(g, "abcd,cd->ab", {g.In("x", {-1, -1, 3, 4}), g.In("y", {3, 4})}), "abcd,cd->ab",
                "unknown dimension");
  }
  {
    Harness g;
    ValueView x = g.In("x", {2, 3});
    TFLC_ASSERT_OK(x.SetUnknownRank(TFLC_TYPE_FLOAT32));
    ExpectError(LowerEinsum(g, "...i->i", {x}), "...i->i", "unknown rank");
  }
  {
    Harness g;
    Status s = LowerEinsum(g, "i,i,i->i", {g.In("x", {2}), g.In("y", {2}), g.In("z", {2})});
    EXPECT_EQ(s.code(), TFLC_CODE_UNIMPLEMENTED) << s;
    EXPECT_NE(s.message().find("3 operands"), std::string::npos) << s;
    EXPECT_NE(s.message().find("einsum"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace tflc::lower_builtin::testing
