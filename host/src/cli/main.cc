// tflc: the command-line interface. Flag names follow tflite_convert.
//
//   tflc convert --keras_model_file model.h5 --output_file model.tflite
//   tflc plugins
//   tflc inspect model.tflite
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli/convert_command.h"
#include "inspect/inspect.h"
#include "ir/host_api.h"
#include "loader/loader.h"
#include "registry/registry.h"

#ifndef TFLC_VERSION_STRING
#define TFLC_VERSION_STRING "0.0.0"
#endif

namespace po = boost::program_options;
using tflc::cli::kExitError;
using tflc::cli::kExitOk;
using tflc::cli::kExitUsage;
using tflc::host::Registry;

namespace {

const tflc::cli::Program kTflc{"tflc", "see tflc --help"};

void Warn(const std::string& m) { tflc::cli::Warn(kTflc, m); }
int Fail(const std::string& m, int code = kExitError) { return tflc::cli::Fail(kTflc, m, code); }

const char* kTopUsage =
    "tflc " TFLC_VERSION_STRING " - convert TensorFlow and Keras models to TensorFlow Lite\n\n"
    "Usage: tflc <command> [options]\n\n"
    "Commands:\n"
    "  convert   convert a model to .tflite (flags as tflite_convert)\n"
    "  plugins   list the loaded plugins and what they provide\n"
    "  inspect   print a .tflite as deterministic text\n\n"
    "Run `tflc <command> --help` for the options of a command.\n";

po::options_description PluginOptions() { return tflc::cli::PluginDirOptions(); }

std::vector<std::string> PluginDirs(const po::variables_map& vm) { return tflc::cli::PluginDirs(vm); }

void LoadAll(Registry* registry, const po::variables_map& vm) {
  tflc::host::LoadPlugins(registry, tflc::host::PluginSearchPath(PluginDirs(vm)), Warn);
}

// Parses `args` against `desc`; returns false (after printing) on --help or an error.
bool Parse(const std::vector<std::string>& args, const po::options_description& desc,
           const po::positional_options_description* pos, po::variables_map* vm, int* exit_code,
           const std::string& usage) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (pos) parser.positional(*pos);
    po::store(parser.run(), *vm);
    if (vm->count("help")) {
      std::cout << usage << "\n" << desc << "\n";
      *exit_code = kExitOk;
      return false;
    }
    po::notify(*vm);
  } catch (const po::error& e) {
    *exit_code = Fail(std::string(e.what()) + " (see --help)", kExitUsage);
    return false;
  }
  return true;
}

int CmdConvert(const std::vector<std::string>& args) {
  po::options_description io("Input and output");
  io.add_options()
      ("help,h", "show this help")
      ("output_file", po::value<std::string>(), "where to write the .tflite (required)")
      ("keras_model_file", po::value<std::string>(), "a Keras model: .h5 (HDF5, Keras 2 or 3) or .keras (Keras 3)")
      ("saved_model_dir", po::value<std::string>(), "a TensorFlow SavedModel directory")
      ("graph_def_file", po::value<std::string>(), "a frozen GraphDef (.pb or .pbtxt)");
  po::options_description conv("Conversion");
  conv.add_options()
      ("exclude_conversion_metadata", po::bool_switch(), "do not write the CONVERSION_METADATA entry")
      ("allow_custom_ops", po::bool_switch(), "emit ops without a builtin as custom ops")
      ("enable_select_tf_ops", po::bool_switch(), "emit ops without a builtin as Select TF ops (Flex)")
      ("target_spec.supported_ops", po::value<std::string>(), "comma list of TFLITE_BUILTINS, SELECT_TF_OPS, ...")
      ("input_arrays", po::value<std::string>(), "graph_def: comma list of input tensor names")
      ("output_arrays", po::value<std::string>(), "graph_def: comma list of output tensor names")
      ("input_shapes", po::value<std::string>(), "graph_def: shapes, e.g. 1,224,224,3:1,10")
      ("saved_model_tag_set", po::value<std::string>(), "saved_model: tag set (default serve)")
      ("saved_model_signature_key", po::value<std::string>(), "saved_model: signature key(s) (default serving_default)");
  po::options_description quant("Quantization (post-training)");
  quant.add_options()
      ("optimizations", po::value<std::string>(), "DEFAULT: quantize (dynamic range unless the options below say otherwise)")
      ("representative_dataset", po::value<std::string>(),
       "calibration data for full-integer quantization: a .npz with one array per model input (named after "
       "the input, or arr_0...; samples on the first axis) or a directory of .npy files, one sample each")
      ("target_spec.supported_types", po::value<std::string>(), "comma list: float16 (float16 weights), int8, int16")
      ("inference_input_type", po::value<std::string>(), "model input type after full-integer quantization: float32 (default), int8, uint8, int16")
      ("inference_output_type", po::value<std::string>(), "model output type after full-integer quantization: float32 (default), int8, uint8, int16")
      ("bias_correction", po::value<std::string>(),
       "full integer: true subtracts from each bias the mean shift that rounding the weights to int8 causes "
       "(measured on the representative dataset); false keeps TensorFlow's biases. Default: true for 16x8, "
       "false for int8");
  po::options_description hidden("Hidden");
  hidden.add_options()("experimental_large_model_threshold_bytes", po::value<uint64_t>(),
                       "store constants after the FlatBuffer when they exceed this many bytes")
      ("experimental_quantizer", po::value<std::string>(), "run this quantizer plugin (by name) instead of choosing one")
      ("experimental_fuse_rnn", po::value<std::string>(),
       "false keeps recurrent layers of TF graphs as WHILE loops instead of fusing them (for checking the loop form)");
  po::options_description visible;
  visible.add(io).add(conv).add(quant).add(PluginOptions());
  po::options_description all;
  all.add(visible).add(hidden);

  po::variables_map vm;
  const std::string usage = "Usage: tflc convert --output_file OUT (--keras_model_file F | --saved_model_dir D | --graph_def_file G) [options]";
  try {
    po::store(po::command_line_parser(args).options(all).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n" << visible << "\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return Fail(std::string(e.what()) + " (see tflc convert --help)", kExitUsage);
  }
  tflc::cli::ConvertSettings settings;
  auto str = [&](const char* key) { return vm.count(key) ? vm[key].as<std::string>() : std::string(); };
  settings.output_file = str("output_file");
  settings.keras_model_file = str("keras_model_file");
  settings.saved_model_dir = str("saved_model_dir");
  settings.graph_def_file = str("graph_def_file");
  for (const char* key : {"target_spec.supported_ops", "input_arrays", "output_arrays", "input_shapes",
                          "saved_model_tag_set", "saved_model_signature_key", "optimizations",
                          "representative_dataset", "target_spec.supported_types", "inference_input_type",
                          "inference_output_type", "bias_correction"}) {
    if (vm.count(key)) settings.options[key] = vm[key].as<std::string>();
  }
  settings.allow_custom_ops = vm["allow_custom_ops"].as<bool>();
  settings.enable_select_tf_ops = vm["enable_select_tf_ops"].as<bool>();
  settings.exclude_conversion_metadata = vm["exclude_conversion_metadata"].as<bool>();
  settings.experimental_quantizer = str("experimental_quantizer");
  if (vm.count("experimental_fuse_rnn")) settings.options["fuse_rnn"] = str("experimental_fuse_rnn");
  if (vm.count("experimental_large_model_threshold_bytes")) {
    settings.large_model_threshold_bytes = vm["experimental_large_model_threshold_bytes"].as<uint64_t>();
  }
  settings.plugin_dirs = PluginDirs(vm);
  return tflc::cli::RunConvert({"tflc", "see tflc convert --help"}, settings);
}

std::string KindsOf(const TflcPluginApi* api) {
  std::vector<std::string> kinds;
  if (api->num_frontends) kinds.push_back("frontend");
  if (api->num_lowerings) kinds.push_back("lowering");
  if (api->num_ops) kinds.push_back("opset");
  if (api->num_quantizers) kinds.push_back("quantizer");
  std::string s;
  for (auto& k : kinds) s += (s.empty() ? "" : ", ") + k;
  return s.empty() ? "(none)" : s;
}

void PrintWrapped(const std::string& label, const std::vector<std::string>& items) {
  std::string line = "    " + label + ":";
  for (const auto& it : items) {
    if (line.size() + it.size() + 1 > 100) {
      std::cout << line << "\n";
      line = "      ";
    }
    line += " " + it;
  }
  std::cout << line << "\n";
}

const char* TargetName(TflcTarget t) {
  switch (t) {
    case TFLC_TARGET_BUILTIN: return "builtin";
    case TFLC_TARGET_SELECT_TF: return "Select TF (Flex)";
    case TFLC_TARGET_CUSTOM: return "custom";
  }
  return "?";
}

// The op coverage table, generated from the lowering rows of the loaded plugins (sorted by op).
void PrintOpsMarkdown(const Registry& registry) {
  std::vector<tflc::host::LoweringRef> rows = registry.all_lowerings();
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::string(a.row->source_op) < std::string(b.row->source_op);
  });
  std::cout << "# Op coverage\n\n"
               "Generated by `tflc plugins --markdown` from the lowering tables of the plugins built in this tree;\n"
               "a test checks this file is up to date. Source ops are TensorFlow raw op names, or `tflc.*`\n"
               "composites emitted by frontends (see ir-contract.md).\n\n"
               "| source op | target | TFLite op(s) | op versions | plugin | notes |\n"
               "|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    std::cout << "| `" << r.row->source_op << "` | " << TargetName(r.row->target) << " | "
              << (r.row->target_op ? r.row->target_op : "") << " | " << r.row->min_version << "–" << r.row->max_version
              << " | " << r.plugin->name() << " | " << (r.row->note ? r.row->note : "") << " |\n";
  }
  std::cout << "\n" << rows.size() << " lowering rows.\n";
}

int CmdPlugins(const std::vector<std::string>& args) {
  po::options_description desc("Options");
  desc.add_options()("help,h", "show this help")(
      "markdown", po::bool_switch(), "print the op coverage table (docs/ops.md) generated from the lowering rows");
  desc.add(PluginOptions());
  po::variables_map vm;
  int code = kExitOk;
  if (!Parse(args, desc, nullptr, &vm, &code, "Usage: tflc plugins [--markdown] [--plugin_dir DIR]...")) return code;
  Registry registry;
  LoadAll(&registry, vm);
  if (vm["markdown"].as<bool>()) {
    PrintOpsMarkdown(registry);
    return kExitOk;
  }
  if (registry.plugins().empty()) {
    std::cout << "no plugins found (searched:";
    for (auto& d : tflc::host::PluginSearchPath(PluginDirs(vm))) std::cout << " " << d;
    std::cout << ")\n";
    return kExitError;
  }
  for (const auto& p : registry.plugins()) {
    const TflcPluginApi* api = p->api;
    std::cout << p->name() << " " << (api->version ? api->version : "?") << "  [" << KindsOf(api) << "]  ABI "
              << api->abi_major << "." << api->abi_minor << "\n";
    std::cout << "    file: " << p->origin << "\n";
    if (api->description && *api->description) std::cout << "    " << api->description << "\n";
    for (const auto& f : registry.frontends()) {
      if (f.plugin == p.get()) {
        std::cout << "    frontend " << f.frontend->name << ": formats " << (f.frontend->formats ? f.frontend->formats : "")
                  << "\n";
      }
    }
    std::vector<std::string> rows, ops, quants;
    for (const auto& r : registry.all_lowerings()) {
      if (r.plugin == p.get()) rows.push_back(std::string(r.row->source_op) + "->" + (r.row->target_op ? r.row->target_op : "?"));
    }
    for (const auto& [key, ref] : registry.ops()) {
      if (ref.plugin == p.get()) ops.push_back(key.second);
    }
    for (const auto& q : registry.quantizers()) {
      if (q.plugin == p.get()) quants.push_back(q.quantizer->name);
    }
    if (!rows.empty()) PrintWrapped("lowers (" + std::to_string(rows.size()) + ")", rows);
    if (!ops.empty()) PrintWrapped("ops (" + std::to_string(ops.size()) + ")", ops);
    if (!quants.empty()) PrintWrapped("quantizers", quants);
  }
  return kExitOk;
}

int CmdInspect(const std::vector<std::string>& args) {
  po::options_description desc("Options");
  desc.add_options()
      ("help,h", "show this help")
      ("model", po::value<std::string>(), "the .tflite file")
      ("no_hashes", po::bool_switch(), "omit buffer content hashes")
      ("no_options", po::bool_switch(), "omit operator options");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  int code = kExitOk;
  if (!Parse(args, desc, &pos, &vm, &code, "Usage: tflc inspect MODEL.tflite [--no_hashes] [--no_options]")) return code;
  if (!vm.count("model")) return Fail("give a .tflite file to inspect (see tflc inspect --help)", kExitUsage);
  std::string path = vm["model"].as<std::string>();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail("cannot open " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  tflc::host::InspectOptions opts;
  opts.buffer_hashes = !vm["no_hashes"].as<bool>();
  opts.show_options = !vm["no_options"].as<bool>();
  std::string out, error;
  if (!tflc::host::InspectModel(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), opts, &out, &error)) {
    return Fail(path + ": " + error);
  }
  std::cout << out;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kTopUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "tflc " << TFLC_VERSION_STRING << " (plugin ABI " << TFLC_ABI_VERSION_MAJOR << "."
              << TFLC_ABI_VERSION_MINOR << ")\n";
    return kExitOk;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "convert") return CmdConvert(args);
    if (cmd == "plugins") return CmdPlugins(args);
    if (cmd == "inspect") return CmdInspect(args);
  } catch (const std::exception& e) {
    return Fail(std::string("internal error: ") + e.what());
  }
  std::cerr << kTopUsage;
  return Fail("unknown command '" + cmd + "'", kExitUsage);
}
