#include "loader/loader.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <set>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <boost/filesystem.hpp>

namespace tflc::host {
namespace fs = boost::filesystem;

namespace {
// Loaded libraries are never unloaded: plugin tables and callbacks must outlive every conversion.
std::vector<std::unique_ptr<boost::dll::shared_library>>& Libraries() {
  static auto* libs = new std::vector<std::unique_ptr<boost::dll::shared_library>>();
  return *libs;
}
}  // namespace

std::vector<std::string> PluginSearchPath(const std::vector<std::string>& flag_dirs) {
  boost::system::error_code ec;
  fs::path exe = boost::dll::program_location(ec);
  if (ec) return PluginSearchPath(flag_dirs, std::string());
  return PluginSearchPath(flag_dirs, (exe.parent_path().parent_path() / "lib" / "tflc" / "plugins").string());
}

std::vector<std::string> PluginSearchPath(const std::vector<std::string>& flag_dirs, const std::string& own_dir) {
  std::vector<std::string> dirs = flag_dirs;
  if (const char* env = std::getenv("TFLC_PLUGIN_PATH")) {
    std::string s = env;
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  if (!own_dir.empty()) dirs.push_back(own_dir);
  return dirs;
}

void LoadPlugins(Registry* registry, const std::vector<std::string>& dirs,
                 const std::function<void(const std::string&)>& warn) {
  std::set<std::string> seen_files;
  for (const std::string& dir : dirs) {
    boost::system::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".so") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      fs::path canonical = fs::canonical(file, ec);
      std::string key = ec ? file.string() : canonical.string();
      if (!seen_files.insert(key).second) continue;
      auto lib = std::make_unique<boost::dll::shared_library>();
      lib->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
      if (ec) {
        warn("skipping " + file.string() + ": not a loadable shared library (" + ec.message() + ")");
        continue;
      }
      if (!lib->has("TflcPlugin_Query")) {
        warn("skipping " + file.string() + ": no TflcPlugin_Query entry point, so it is not a tflc plugin");
        continue;
      }
      auto query = lib->get<const TflcPluginApi*(const TflcPluginQuery_Args*)>("TflcPlugin_Query");
      Status st = registry->Register(query, file.string(), warn);
      if (st.code() == TFLC_CODE_ALREADY_EXISTS) continue;  // same plugin found again further down the path
      if (!st.ok()) {
        warn("skipping " + file.string() + ": " + st.message());
        continue;
      }
      Libraries().push_back(std::move(lib));
    }
  }
}

}  // namespace tflc::host
