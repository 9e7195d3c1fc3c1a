#pragma once
// A parallel loop over independent items (OpenMP, dynamic schedule) that carries the first exception out of the
// parallel region, where OpenMP would otherwise terminate the program.

#include <cstddef>
#include <exception>

namespace accessplan {

/// Calls body(i) for i in [0, n) on the OpenMP threads. Each item must write only its own results, so the outcome
/// does not depend on the thread count. The first exception thrown is rethrown after the loop.
template <typename Body>
void parallel_for(std::size_t n, Body&& body) {
    if (n == 1) {  // one item: run here, so the searches inside may use every core
        body(0);
        return;
    }
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::size_t i = 0; i < n; ++i) {
        try {
            body(i);
        } catch (...) {
#pragma omp critical(accessplan_parallel_for_failure)
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace accessplan
