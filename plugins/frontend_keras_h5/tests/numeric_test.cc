// Numbers: models with a numpy reference in manifest.json (written by make_keras_models.py for the
// models tfjs-layers cannot check) are converted through the whole pipeline (lower_builtin +
// opset_builtin when built) and run with the opset's reference kernels.
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "frontend.h"
#include "test_util.h"

#if TFLC_KERAS_HAVE_PIPELINE
extern "C" const TflcPluginApi* TflcLowerBuiltin_Query(const TflcPluginQuery_Args* args);
extern "C" const TflcPluginApi* TflcOpsetBuiltin_Query(const TflcPluginQuery_Args* args);
#endif

namespace tflc::keras::testing {
namespace {

using tflc::testing::HostTensor;

nlohmann::json Manifest() {
  std::ifstream in(ModelsDir() + "/manifest.json");
  return nlohmann::json::parse(in);
}

std::vector<std::string> ReferenceModels() {
  std::vector<std::string> names;
  if (ModelsDir().empty()) return names;
  const nlohmann::json manifest = Manifest();
  for (auto it = manifest.begin(); it != manifest.end(); ++it)
    if (it->contains("reference")) names.push_back(it.key());
  return names;
}

class Numeric : public ::testing::TestWithParam<std::string> {};

TEST_P(Numeric, MatchesNumpyReference) {
#if !TFLC_KERAS_HAVE_PIPELINE
  GTEST_SKIP() << "lower_builtin / opset_builtin are not part of this build";
#else
  REQUIRE_MODELS();
  const std::string name = GetParam();
  const nlohmann::json ref = Manifest()[name]["reference"];
  tflc::testing::FakeHost host;
  TFLC_ASSERT_OK(host.Register(&TflcFrontendKerasH5_Query, "frontend_keras_h5"));
  TFLC_ASSERT_OK(host.Register(&TflcLowerBuiltin_Query, "lower_builtin"));
  TFLC_ASSERT_OK(host.Register(&TflcOpsetBuiltin_Query, "opset_builtin"));
  // The manifest's convert arguments ("--input_shapes", "1,7,3") as options.
  const nlohmann::json args = Manifest()[name].value("args", nlohmann::json::array());
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    const std::string key = args[i].get<std::string>();
    ASSERT_EQ(key.rfind("--", 0), 0u) << "manifest args of " << name << ": " << key;
    host.SetOption(key.substr(2), args[i + 1].get<std::string>());
  }
  TFLC_ASSERT_OK(host.LoadModel(Model(name)));
  {
    Status s = host.RunPipeline();
    ASSERT_TRUE(s.ok()) << s << "\n" << host.Dump();
  }
  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < ref["inputs"].size(); ++i) {
    const auto dims = ref["input_shapes"][i].get<std::vector<int64_t>>();
    const auto values = ref["inputs"][i].get<std::vector<float>>();
    if (host.graph().input(i).type() == TFLC_TYPE_INT32) {  // integer inputs (ids): the manifest stores numbers
      inputs.push_back(HostTensor::Int32(dims, std::vector<int32_t>(values.begin(), values.end())));
    } else {
      inputs.push_back(HostTensor::Float(dims, values));
    }
  }
  auto outs = host.Interpret(inputs);
  ASSERT_TRUE(outs.ok()) << outs.status() << "\n" << host.Dump();
  ASSERT_EQ(outs->size(), ref["outputs"].size());
  for (size_t k = 0; k < outs->size(); ++k) {
    const std::vector<float> want = ref["outputs"][k].get<std::vector<float>>();
    EXPECT_EQ((*outs)[k].dims, ref["output_shapes"][k].get<std::vector<int64_t>>()) << "output " << k;
    const std::vector<float> got = (*outs)[k].floats();
    ASSERT_EQ(got.size(), want.size()) << "output " << k;
    float scale = 1.0f;
    for (float w : want) scale = std::max(scale, std::fabs(w));
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_NEAR(got[i], want[i], 1e-4f * scale) << name << " output " << k << " element " << i;
  }
#endif
}

INSTANTIATE_TEST_SUITE_P(Generated, Numeric, ::testing::ValuesIn(ReferenceModels()),
                         [](const auto& info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Numeric);

}  // namespace
}  // namespace tflc::keras::testing
