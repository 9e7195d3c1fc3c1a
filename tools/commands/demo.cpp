// accessplan demo: placeholder until the demo province generator lands.

#include "../cli_common.hpp"
#include "accessplan/engine/error.hpp"

namespace accessplan::cli {

void add_demo_command(CLI::App& app, int& exit_code) {
    static std::string out = "accessplan-demo";
    auto* cmd = app.add_subcommand("demo", "Generate the embedded demo province and run travel times on it.\n"
                                           "Example: accessplan demo --out demo-run");
    cmd->add_option("--out", out, "Output folder")->capture_default_str();
    cmd->callback([&exit_code] {
        exit_code = guarded([]() -> int { throw InternalError("accessplan demo is not built yet"); });
    });
}

}  // namespace accessplan::cli
