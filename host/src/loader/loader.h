// Plugin discovery and loading (Boost.DLL). Libraries stay loaded until the process exits.
#ifndef TFLC_HOST_LOADER_LOADER_H_
#define TFLC_HOST_LOADER_LOADER_H_

#include <functional>
#include <string>
#include <vector>

#include "registry/registry.h"

namespace tflc::host {

// Directories searched, in order: `flag_dirs` (--plugin_dir), then TFLC_PLUGIN_PATH (':'-separated),
// then <dir of the tflc binary>/../lib/tflc/plugins (the install and the build tree share it).
std::vector<std::string> PluginSearchPath(const std::vector<std::string>& flag_dirs);
// The same for a host embedded in another program (the Python module), whose own plugins are not
// next to the program's binary: `own_dir` takes the place of <dir of the binary>/../lib/tflc/plugins.
std::vector<std::string> PluginSearchPath(const std::vector<std::string>& flag_dirs, const std::string& own_dir);

// Loads every *.so in `dirs` (sorted by name within a directory). A library that is not a tflc
// plugin, or declines our ABI, produces one warning naming the file and the reason; the others
// still load. The same file (or a plugin of the same name) found twice loads once.
void LoadPlugins(Registry* registry, const std::vector<std::string>& dirs,
                 const std::function<void(const std::string&)>& warn);

}  // namespace tflc::host

#endif  // TFLC_HOST_LOADER_LOADER_H_
