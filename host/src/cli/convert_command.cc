#include "cli/convert_command.h"

#include <iostream>

#include "driver/converter.h"
#include "loader/loader.h"
#include "registry/registry.h"

namespace po = boost::program_options;

namespace tflc::cli {

void Warn(const Program& program, const std::string& message) {
  std::cerr << program.name << ": warning: " << message << "\n";
}

void Note(const Program& program, const std::string& message) {
  std::cerr << program.name << ": note: " << message << "\n";
}

int Fail(const Program& program, const std::string& message, int exit_code) {
  std::cerr << program.name << ": error: " << message << "\n";
  return exit_code;
}

po::options_description PluginDirOptions() {
  po::options_description d("Plugins");
  d.add_options()("plugin_dir", po::value<std::vector<std::string>>()->composing(),
                  "also load plugins from this directory (repeatable; searched before TFLC_PLUGIN_PATH "
                  "and <prefix>/lib/tflc/plugins)");
  return d;
}

std::vector<std::string> PluginDirs(const po::variables_map& vm) {
  return vm.count("plugin_dir") ? vm["plugin_dir"].as<std::vector<std::string>>() : std::vector<std::string>{};
}

int RunConvert(const Program& program, const ConvertSettings& settings) {
  const std::string hint = " (" + program.help_hint + ")";
  tflc::host::ConvertRequest req;
  int inputs = 0;
  if (!settings.keras_model_file.empty()) { req.input_path = settings.keras_model_file; req.format = "keras"; ++inputs; }
  if (!settings.saved_model_dir.empty()) { req.input_path = settings.saved_model_dir; req.format = "saved_model"; ++inputs; }
  if (!settings.graph_def_file.empty()) { req.input_path = settings.graph_def_file; req.format = "graph_def"; ++inputs; }
  if (inputs != 1) {
    return Fail(program, "give exactly one of --keras_model_file, --saved_model_dir, --graph_def_file" + hint, kExitUsage);
  }
  if (settings.output_file.empty()) return Fail(program, "--output_file is required" + hint, kExitUsage);
  req.output_path = settings.output_file;

  for (const auto& [key, value] : settings.options) req.options.values[key] = value;
  if (settings.allow_custom_ops) req.options.values["allow_custom_ops"] = "true";
  if (settings.enable_select_tf_ops) req.options.values["enable_select_tf_ops"] = "true";
  req.export_options.conversion_metadata = !settings.exclude_conversion_metadata;
  req.export_options.allow_custom_ops = settings.allow_custom_ops;
  auto ops = settings.options.find("target_spec.supported_ops");
  req.export_options.enable_select_tf_ops =
      settings.enable_select_tf_ops ||
      (ops != settings.options.end() && ops->second.find("SELECT_TF_OPS") != std::string::npos);
  if (!settings.experimental_quantizer.empty()) req.options.values["quantizer"] = settings.experimental_quantizer;
  req.progress = true;  // drawn only when stderr is a terminal
  if (settings.large_model_threshold_bytes) {
    req.export_options.large_model_threshold = *settings.large_model_threshold_bytes;
  }

  tflc::host::Registry registry;
  tflc::host::LoadPlugins(&registry, tflc::host::PluginSearchPath(settings.plugin_dirs),
                          [&](const std::string& m) { Warn(program, m); });
  auto result = tflc::host::Convert(registry, req);
  if (!result.ok()) return Fail(program, result.status().message());
  std::cout << program.name << ": wrote " << req.output_path << " (" << result->output_bytes << " bytes, "
            << result->num_ops << " operators)\n";
  const tflc::host::CustomOpsReport custom = tflc::host::ReportCustomOps(*result);
  std::cout << custom.info;
  std::cerr << custom.warning;
  return kExitOk;
}

}  // namespace tflc::cli
