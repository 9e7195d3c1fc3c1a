#pragma once
// Atomic outputs (STYLE.md "Errors"): files are written beside their target and renamed into place; a results
// folder is built in a staging folder and swapped in only when complete, so an existing folder is never
// half-overwritten.

#include <filesystem>
#include <string>
#include <vector>

namespace accessplan::geodata {

/// A temporary path in the same folder as `target` (".name.tmp-<pid>-<n>@<host>"), for write-then-rename.
std::filesystem::path temporary_sibling(const std::filesystem::path& target);

/// Renames `from` onto `to`; IoError with the reason when the rename fails.
void commit_file(const std::filesystem::path& from, const std::filesystem::path& to);

/// Writes `text` to `path` atomically.
void write_text_file(const std::filesystem::path& path, const std::string& text);

/// The list of the files accessplan wrote into an output folder ("<bytes>\t<modified ns>\t<relative path>" a line),
/// written by OutputFolder::commit: --overwrite replaces only folders whose every file it lists unchanged (or a
/// sub-folder's own list does: results written later inside, e.g. the demo's results/<what-if>).
inline constexpr const char* outputs_manifest = ".accessplan-outputs";

/// Writes `folder`'s outputs_manifest listing every file under it as it is now (a finished sub-folder of results that
/// may be replaced on its own later, e.g. the demo's results/baseline).
void write_outputs_list(const std::filesystem::path& folder);

/// Lists `staging`'s files as outputs (write_outputs_list) and renames it onto `target`; an existing target (allowed
/// only with `overwrite`; checked by the caller as OutputFolder checks it) is moved aside first and removed after, or
/// put back when the rename fails. What OutputFolder::commit does, for a staging folder made elsewhere (the tiles of
/// python3 -m accessplan.dask split, written by its workers).
void move_into_place(const std::filesystem::path& staging, const std::filesystem::path& target, bool overwrite);

/// Removes the staging folders and files of `name` in `parent` (".name.tmp-<pid>-<n>@<host>") left by accessplan
/// processes of this machine that no longer run (killed outright: SIGKILL, a lost Dask worker, a power cut); those of
/// running processes, and of other machines writing into a shared folder (whose processes cannot be asked), are left
/// alone. Returns what it removed. OutputFolder does it when it starts a folder; python3 -m accessplan.dask on every
/// worker at the end of a run (a retry elsewhere cannot).
std::vector<std::filesystem::path> remove_abandoned_staging(const std::filesystem::path& parent, const std::string& name);

/// A results folder under construction. Files go into staging(); commit() moves the folder into place (replacing an
/// existing one only when overwrite was allowed). Destroyed without commit(), the staging folder is removed and
/// nothing at the target changes.
class OutputFolder {
public:
    /// InputError when `target` exists and `overwrite` is false, or exists and is not a folder. With `overwrite`, an
    /// existing target is replaced only when accessplan wrote it and nothing else since (its outputs_manifest lists
    /// every file), it holds none of `inputs` (the scenario files and input files of the run: never deleted), and it
    /// is not the working folder or one above it; otherwise InputError naming the file in the way.
    OutputFolder(std::filesystem::path target, bool overwrite, const std::vector<std::filesystem::path>& inputs = {});
    ~OutputFolder();
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;

    const std::filesystem::path& staging() const noexcept { return m_staging; }
    const std::filesystem::path& target() const noexcept { return m_target; }
    /// Results written later inside the folder being replaced (with outputs lists of their own, e.g. the demo's
    /// results/new_ferry): they go with it, and the command says so.
    const std::vector<std::filesystem::path>& replaced_results() const noexcept { return m_replaced_results; }
    void commit();

private:
    std::filesystem::path m_target;
    std::filesystem::path m_staging;
    bool m_overwrite;
    bool m_committed = false;
    std::vector<std::filesystem::path> m_replaced_results;
};

}  // namespace accessplan::geodata
