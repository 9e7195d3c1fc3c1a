#pragma once
// The one exception family of accessplan (STYLE.md "Errors").
// Messages name the input, what was found, what was expected and how to fix it.

#include <stdexcept>
#include <string>

namespace accessplan {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad user data or arguments. The CLI exits with code 3.
class InputError : public Error {
public:
    using Error::Error;
};

/// A file could not be read or written (GDAL/OGR/PROJ failures). The CLI exits with code 1.
class IoError : public Error {
public:
    using Error::Error;
};

/// A broken invariant inside accessplan: a bug. The CLI exits with code 1.
class InternalError : public Error {
public:
    using Error::Error;
};

/// The run was interrupted (SIGINT / SIGTERM): it stops at the next check, before committing anything. Exit code 130.
class Interrupted : public Error {
public:
    using Error::Error;
};

/// Exit code the command line uses for an exception of this family.
int exit_code_for(const Error& error) noexcept;

/// Asks long work to stop at its next check. Async-signal-safe (a lock-free atomic): the CLI's signal handler calls it.
void request_interrupt() noexcept;
bool interrupt_requested() noexcept;
/// Throws Interrupted when an interrupt was requested. Called between stages and before any output is moved into place.
void throw_if_interrupted();

}  // namespace accessplan
